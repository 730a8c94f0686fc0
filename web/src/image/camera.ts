// The camera as a picture source: getUserMedia into a <video> (srcObject), one frame taken as
// pixels. Every way it can go wrong has its own code, and stop() always releases the camera.
import { bitmapPixels } from './decode';
import type { Rgba } from './resample';

/** denied: the person or the browser said no; none: no camera; busy: another app holds it;
 *  unavailable: no camera API here (an insecure page); ended: the camera went away mid-stream */
export type CameraErrorCode = 'denied' | 'none' | 'busy' | 'unavailable' | 'ended';

export class CameraError extends Error {
  constructor(readonly code: CameraErrorCode) { super(`camera: ${code}`); }
}

export interface Camera {
  /** the frame now showing, as pixels (the video's own size) */
  takeFrame(): Rgba;
  /** stops every track; safe to call twice */
  stop(): void;
}

function codeOf(e: unknown): CameraErrorCode {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'none';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'busy';
  return 'unavailable';
}

/**
 * Starts the camera into `video`. `onEnded` is called once if the stream ends on its own (the
 * camera unplugged, the permission withdrawn); the camera is then already stopped.
 * `signal` (the view's lifetime) stops it too.
 */
export async function openCamera(video: HTMLVideoElement, onEnded: (e: CameraError) => void, signal?: AbortSignal): Promise<Camera> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unavailable');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
  } catch (e) {
    throw new CameraError(codeOf(e));
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const t of stream.getTracks()) t.stop();
    if (video.srcObject === stream) video.srcObject = null;
  };
  if (signal?.aborted) { stop(); throw new CameraError('ended'); }
  signal?.addEventListener('abort', stop, { once: true });
  for (const track of stream.getVideoTracks()) {
    track.addEventListener('ended', () => {
      if (stopped) return;
      stop();
      onEnded(new CameraError('ended'));
    }, { once: true });
  }
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
  } catch {
    // autoplay refused: the frame still arrives (muted), a click on the video starts it anyway
  }
  if (!video.videoWidth) {
    // the first frame's size; a camera that sends nothing for 10 s counts as one that could not start
    const started = await new Promise<boolean>((ok) => {
      video.addEventListener('loadedmetadata', () => ok(true), { once: true });
      setTimeout(() => ok(video.videoWidth > 0), 10_000);
    });
    if (!started) { stop(); throw new CameraError(stopped && !stream.active ? 'ended' : 'busy'); }
  }
  return {
    takeFrame: () => {
      if (stopped || !stream.active) throw new CameraError('ended');
      return bitmapPixels(video, video.videoWidth, video.videoHeight);
    },
    stop,
  };
}
