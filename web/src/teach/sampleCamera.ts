// The camera of "Teach it your classes": a square preview, a Start/Stop button, a line that says
// what is happening or what went wrong, and frames taken as samples. Opening, errors and
// releasing the camera are web/src/image/camera.ts's; this adds the square and the sampling.
import { CameraError, openCamera, type Camera } from '../image/camera';
import { centreSquare } from '../image/resample';
import { button, h, setText } from '../views/dom';
import { sampleOf } from './samples';
import { TS } from './strings';

/**
 * Frames are first drawn at this size by the browser (a GPU scale of the centre square), then
 * area-averaged to the sample's 32×32: reading every pixel of a 720p frame 15 times a second
 * would cost the page far more than the sample gains.
 */
const FIRST_SIDE = 128;

export class SampleCamera {
  readonly el: HTMLElement;
  readonly note: HTMLElement;
  private readonly video: HTMLVideoElement;
  private readonly toggleButton: HTMLButtonElement;
  private camera: Camera | null = null;
  private starting = false;
  private readonly small = document.createElement('canvas');

  /** `changed`: the camera started, stopped or failed; `signal`: the dashboard's visit, which ends it */
  constructor(private readonly changed: (on: boolean) => void, private readonly signal: () => AbortSignal) {
    this.video = h('video', { class: 'teach-video', testid: 'teach-video', 'aria-label': TS.cameraAria, muted: true, playsinline: true });
    this.toggleButton = button(TS.cameraStart, () => void this.toggle(), { testid: 'teach-camera', 'aria-pressed': 'false' });
    this.note = h('p', { class: 'note', role: 'status', testid: 'teach-camera-note' }, TS.cameraOff);
    this.el = h('div', { class: 'teach-camera' }, this.video, h('div', { class: 'buttons' }, this.toggleButton));
    this.small.width = this.small.height = FIRST_SIDE;
  }

  get on(): boolean {
    return this.camera !== null;
  }

  async toggle(): Promise<void> {
    if (this.camera) { this.stop(); this.changed(false); return; }
    if (this.starting) return;
    this.starting = true;
    try {
      this.camera = await openCamera(this.video, (e) => this.lost(e), this.signal());
      this.say(TS.cameraOn, false);
    } catch (e) {
      this.say(TS.cameraErrors[e instanceof CameraError ? e.code : 'unavailable'], true);
    } finally {
      this.starting = false;
    }
    this.show();
    this.changed(this.on);
  }

  /** Releases the camera (safe to call when it is off). */
  stop(): void {
    this.camera?.stop();
    this.camera = null;
    if (!this.note.classList.contains('layer-error')) setText(this.note, TS.cameraOff);
    this.show();
  }

  /** The frame now as a sample; null when the camera is off or has just gone (then it says so). */
  sample(): Uint8Array | null {
    if (!this.camera) return null;
    const v = this.video;
    if (!v.videoWidth || v.readyState < 2) {
      try {
        return sampleOf(this.camera.takeFrame()); // throws CameraError('ended') when the stream is gone
      } catch (e) {
        if (e instanceof CameraError) this.lost(e);
        return null;
      }
    }
    const sq = centreSquare(v.videoWidth, v.videoHeight);
    const ctx = this.small.getContext('2d', { willReadFrequently: true })!;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(v, sq.x, sq.y, sq.width, sq.height, 0, 0, FIRST_SIDE, FIRST_SIDE);
    return sampleOf(ctx.getImageData(0, 0, FIRST_SIDE, FIRST_SIDE));
  }

  private lost(e: CameraError): void {
    this.camera?.stop();
    this.camera = null;
    this.say(TS.cameraErrors[e.code], true);
    this.show();
    this.changed(false);
  }

  private say(text: string, isError: boolean): void {
    setText(this.note, text);
    this.note.classList.toggle('layer-error', isError);
  }

  private show(): void {
    setText(this.toggleButton, this.camera ? TS.cameraStop : TS.cameraStart);
    this.toggleButton.setAttribute('aria-pressed', String(!!this.camera));
  }
}
