// The picture dialog (loaded on first use): a picture file or a camera frame, cropped and scaled,
// becomes the network's input. Shows the picture with the crop box (centre square by default;
// drag to move, a corner to resize, arrow keys too), the scaling (0–1 or per-channel mean/std)
// and the input it gives; "Use" makes it the input in one undo step.
// It imports nothing the page's first load has (strings, DOM helpers and notices come with the
// target): the element's own chunks stay as they are and within their size budget.
import type { PictureActions } from './inputCard';
import type { Strings } from '../i18n/en';
import { pictureStrings, type PictureStrings } from '../i18n/picture';
import { CameraError, openCamera, type Camera } from '../image/camera';
import { centreSquare, clampCrop, MAX_PIXELS, openPicture, PictureError, pictureFromPixels, type CropBox, type Normalize, type Picture } from '../image/picture';
import { applyNormalize, checkNormalize } from '../image/resample';
import type { button as Button, h as H } from './dom';

export interface PictureTarget {
  channels: 1 | 3;
  height: number;
  width: number;
  /** the dialog is placed here */
  root: HTMLElement;
  actions: PictureActions;
  /** a notice on the page (problems before the dialog opens) */
  notify(message: string, kind?: 'warn' | 'info'): HTMLElement;
  strings: Strings;
  /** the page's language (web/src/i18n) */
  lang: string;
  dom: { h: typeof H; button: typeof Button };
}

let S: Strings & PictureStrings;
let h: typeof H;
let button: typeof Button;

/** Defaults for mean/std: ImageNet's statistics for colour (what pretrained torchvision models
 *  expect); 0.5/0.5 for grey, which maps 0..1 onto −1..1. */
const DEFAULT_NORM: Record<1 | 3, Normalize> = {
  1: { mean: [0.5], std: [0.5] },
  3: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

/** The scaling chosen last in this view, proposed again next time. */
const lastScaling = new WeakMap<PictureActions, Normalize | null>();

let current: PictureDialog | null = null;

/** A typed mean or std (the page prints U+2212 for minus); empty is not a number. */
const fieldNumber = (el: HTMLInputElement) => (el.value.trim() === '' ? NaN : Number(el.value.replace('\u2212', '-')));

/** Message for a picture or camera problem. */
export function problemText(e: unknown, name: string): string {
  if (e instanceof CameraError) {
    return { denied: S.cameraDenied, none: S.cameraNone, busy: S.cameraBusy, unavailable: S.cameraUnavailable, ended: S.cameraEnded }[e.code];
  }
  if (e instanceof PictureError) {
    if (e.code === 'not_image') return S.pictureNotImage(name);
    if (e.code === 'too_large') {
      const w = e.detail.width ?? 0, hh = e.detail.height ?? 0;
      return S.pictureTooLarge(w, hh, (w * hh / 1e6).toFixed(1), String(MAX_PIXELS / 1e6));
    }
    if (e.code === 'unsupported') return S.pictureUnsupported;
  }
  return S.pictureCorrupt(name);
}

/**
 * Opens a picture file (checked and decoded first: a problem is a notice and nothing else
 * happens) or the camera, in the dialog.
 */
export async function openPictureDialog(target: PictureTarget, source: File | 'camera'): Promise<void> {
  S = { ...target.strings, ...(pictureStrings[target.lang] ?? pictureStrings.en) };
  ({ dom: { h, button } } = target);
  current?.close();
  if (source === 'camera') {
    current = new PictureDialog(target);
    void current.startCamera();
    return;
  }
  const busy = target.notify(S.pictureReading, 'info');
  let picture: Picture;
  try {
    picture = await openPicture(source);
  } catch (e) {
    busy.remove();
    target.notify(problemText(e, source.name || S.picturePasted));
    return;
  }
  busy.remove();
  if (target.actions.lifetime.signal.aborted) { picture.close(); return; } // the view went meanwhile
  current?.close();
  current = new PictureDialog(target);
  current.showPicture(picture);
}

class PictureDialog {
  readonly el: HTMLDialogElement;
  private readonly stage: HTMLElement;
  private readonly box: HTMLElement;
  private readonly info: HTMLElement;
  private readonly message: HTMLElement;
  private readonly result: HTMLCanvasElement;
  private readonly scaling: HTMLSelectElement;
  private readonly numbers: HTMLElement;
  private readonly fields: { mean: HTMLInputElement; std: HTMLInputElement }[] = [];
  private readonly useBtn: HTMLButtonElement;
  private readonly takeBtn: HTMLButtonElement;
  private readonly againBtn: HTMLButtonElement;
  private readonly cropTools: HTMLElement;
  /** what only a picture has (crop help, scaling, the result): hidden while the camera runs */
  private readonly pictureOnly: HTMLElement[];
  private picture: Picture | null = null;
  private camera: Camera | null = null;
  private crop: CropBox = { x: 0, y: 0, width: 1, height: 1 };
  private preview: HTMLCanvasElement | null = null;
  private pending = 0;
  private closed = false;
  private readonly stopLifetime = () => this.close();

  constructor(private readonly t: PictureTarget) {
    const title = S.pictureDialogTitle(t.channels, t.height, t.width);
    this.stage = h('div', { class: 'picture-stage' });
    this.box = h('div', { class: 'picture-crop', tabindex: 0, role: 'group', 'aria-label': S.pictureCropBox, 'aria-describedby': 'cl-picture-help', testid: 'picture-crop' },
      ...['nw', 'ne', 'sw', 'se'].map((c) => h('span', { class: `picture-handle picture-handle-${c}`, 'data-corner': c })));
    this.info = h('p', { class: 'muted small', testid: 'picture-info', 'aria-live': 'polite' });
    this.message = h('p', { class: 'picture-message', role: 'alert', testid: 'picture-message' });
    this.result = h('canvas', { class: 'picture-result', width: t.width, height: t.height, role: 'img', 'aria-label': S.pictureResult, testid: 'picture-result' });
    this.scaling = h('select', { testid: 'picture-scaling', id: 'cl-picture-scaling' },
      h('option', { value: '01' }, S.pictureScale01), h('option', { value: 'std' }, S.pictureScaleStd));
    const remembered = lastScaling.get(t.actions) ?? null;
    const norm = remembered ?? DEFAULT_NORM[t.channels];
    this.scaling.value = remembered ? 'std' : '01';
    this.numbers = h('div', { class: 'picture-numbers' });
    for (let c = 0; c < t.channels; c++) {
      const name = S.pictureChannelNames[t.channels === 1 ? 0 : c + 1];
      const mean = h('input', { type: 'text', inputmode: 'decimal', size: 6, value: String(norm.mean[c]), 'aria-label': `${S.pictureMean} (${name})`, testid: `picture-mean-${c}` });
      const std = h('input', { type: 'text', inputmode: 'decimal', size: 6, value: String(norm.std[c]), 'aria-label': `${S.pictureStd} (${name})`, testid: `picture-std-${c}` });
      this.fields.push({ mean, std });
      this.numbers.append(h('span', { class: 'picture-channel' }, h('span', { class: 'muted' }, name),
        h('label', {}, S.pictureMean, ' ', mean), h('label', {}, S.pictureStd, ' ', std)));
      for (const f of [mean, std]) f.addEventListener('input', () => this.checkScaling());
    }
    this.scaling.addEventListener('change', () => this.checkScaling());
    this.useBtn = button(S.pictureUse, () => void this.use(), { class: 'primary', testid: 'picture-use', disabled: true });
    this.takeBtn = button(S.pictureTake, () => void this.take(), { class: 'primary', testid: 'picture-take', hidden: true, disabled: true });
    this.againBtn = button(S.pictureCameraAgain, () => void this.startCamera(), { testid: 'picture-camera-again', hidden: true });
    this.cropTools = h('div', { class: 'picture-croptools' },
      button(S.pictureCentre, () => this.setCrop(centreSquare(this.pw, this.ph), true), { testid: 'picture-centre' }),
      button(S.pictureWhole, () => this.setCrop({ x: 0, y: 0, width: this.pw, height: this.ph }), { testid: 'picture-whole' }));
    const help = h('p', { class: 'muted small', id: 'cl-picture-help' }, S.pictureCropHelp);
    const right = h('div', { class: 'picture-right' },
      h('label', { class: 'picture-scaling' }, S.pictureScaling, ' ', this.scaling), this.numbers,
      h('figure', { class: 'picture-figure' }, this.result, h('figcaption', { class: 'muted small' }, S.pictureResult)));
    this.pictureOnly = [help, right, this.cropTools];
    this.el = h('dialog', { class: 'cl-dialog cl-picture', testid: 'picture-dialog', 'aria-label': title },
      h('h2', {}, title),
      h('div', { class: 'picture-main' }, h('div', { class: 'picture-left' }, this.stage, help, this.info, this.cropTools), right),
      this.message,
      h('div', { class: 'buttons' }, this.takeBtn, this.againBtn, this.useBtn, button(S.pictureCancel, () => this.close(), { testid: 'picture-cancel' })));
    this.el.addEventListener('close', () => this.close());
    this.wireCrop();
    t.actions.lifetime.signal.addEventListener('abort', this.stopLifetime, { once: true });
    t.root.append(this.el);
    this.el.showModal();
    this.checkScaling();
  }

  private get pw(): number { return this.picture?.width ?? 1; }
  private get ph(): number { return this.picture?.height ?? 1; }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.camera?.stop();
    this.picture?.close();
    this.t.actions.lifetime.signal.removeEventListener('abort', this.stopLifetime);
    if (this.el.open) this.el.close();
    this.el.remove();
    if (current === this) current = null;
  }

  private say(text: string): void {
    this.message.textContent = text;
  }

  // ------------------------------------------------------------ camera

  async startCamera(): Promise<void> {
    this.say('');
    this.picture?.close();
    this.picture = null;
    this.useBtn.disabled = true;
    this.againBtn.hidden = true;
    this.takeBtn.hidden = false;
    this.takeBtn.disabled = true;
    this.box.hidden = true;
    for (const el of this.pictureOnly) el.hidden = true;
    this.stage.style.aspectRatio = '';
    this.info.textContent = S.pictureCameraStarting;
    const video = h('video', { class: 'picture-video', muted: true, playsinline: true, testid: 'picture-video', 'aria-label': S.pictureCamera });
    this.stage.replaceChildren(video);
    try {
      this.camera = await openCamera(video, (e) => this.cameraFailed(e), this.t.actions.lifetime.signal);
    } catch (e) {
      this.cameraFailed(e);
      return;
    }
    if (this.closed) { this.camera.stop(); return; }
    this.info.textContent = '';
    this.takeBtn.disabled = false;
    this.takeBtn.focus();
  }

  private cameraFailed(e: unknown): void {
    this.camera?.stop();
    this.camera = null;
    if (this.closed) return;
    this.info.textContent = '';
    this.takeBtn.disabled = true;
    this.againBtn.hidden = false;
    this.say(problemText(e, ''));
  }

  private async take(): Promise<void> {
    if (!this.camera) return;
    let frame;
    try {
      frame = this.camera.takeFrame();
    } catch (e) {
      this.cameraFailed(e);
      return;
    }
    this.camera.stop();
    this.camera = null;
    this.takeBtn.hidden = true;
    this.againBtn.hidden = false;
    this.showPicture(await pictureFromPixels(frame));
  }

  // ------------------------------------------------------------ picture and crop

  showPicture(picture: Picture): void {
    if (this.closed) { picture.close(); return; }
    this.picture = picture;
    const cv = h('canvas', { class: 'picture-canvas', width: picture.preview.width, height: picture.preview.height, testid: 'picture-canvas' });
    cv.getContext('2d')?.drawImage(picture.preview, 0, 0);
    this.preview = cv;
    this.stage.replaceChildren(cv, this.box);
    this.stage.style.aspectRatio = `${picture.width} / ${picture.height}`;
    this.box.hidden = false;
    for (const el of this.pictureOnly) el.hidden = false;
    this.setCrop(centreSquare(picture.width, picture.height), true);
    this.box.focus();
  }

  /** A crop within the picture, its shape kept to the input's H:W unless `free` (whole picture). */
  private setCrop(c: CropBox, fit = false): void {
    const aspect = this.t.width / this.t.height;
    let box = { ...c };
    if (fit && Math.abs(box.width / box.height - aspect) > 1e-9) {
      // the default: the largest centred box of the input's shape (a square for square inputs)
      const w = Math.min(this.pw, this.ph * aspect);
      box = { x: (this.pw - w) / 2, y: (this.ph - w / aspect) / 2, width: w, height: w / aspect };
    }
    this.crop = clampCrop(box, this.pw, this.ph);
    const b = this.crop;
    Object.assign(this.box.style, { left: `${(100 * b.x) / this.pw}%`, top: `${(100 * b.y) / this.ph}%`, width: `${(100 * b.width) / this.pw}%`, height: `${(100 * b.height) / this.ph}%` });
    const r = (v: number) => Math.round(v * 10) / 10;
    this.info.textContent = S.pictureSourceInfo(this.pw, this.ph, r(b.width), r(b.height), r(b.x), r(b.y));
    this.el.dataset.crop = [b.x, b.y, b.width, b.height].join(',');
    void this.updateResult();
  }

  private wireCrop(): void {
    let drag: { corner: string | null; x0: number; y0: number; start: CropBox } | null = null;
    this.box.addEventListener('pointerdown', (e) => {
      if (!this.picture) return;
      e.preventDefault();
      this.box.setPointerCapture(e.pointerId);
      drag = { corner: (e.target as HTMLElement).dataset.corner ?? null, x0: e.clientX, y0: e.clientY, start: { ...this.crop } };
    });
    this.box.addEventListener('pointermove', (e) => {
      if (!drag || !this.preview) return;
      const scale = this.pw / this.preview.getBoundingClientRect().width;
      const dx = (e.clientX - drag.x0) * scale, dy = (e.clientY - drag.y0) * scale;
      const s = drag.start;
      if (!drag.corner) { this.setCrop({ ...s, x: s.x + dx, y: s.y + dy }); return; }
      this.resizeFrom(s, drag.corner, dx, dy);
    });
    const end = () => { drag = null; };
    this.box.addEventListener('pointerup', end);
    this.box.addEventListener('pointercancel', end);
    this.box.addEventListener('keydown', (e) => {
      const step = Math.max(1, Math.round(Math.min(this.pw, this.ph) / 50));
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
      if (!d || !this.picture) return;
      e.preventDefault();
      const c = this.crop;
      if (e.shiftKey) {
        // right/down grow the box, left/up shrink it; its top-left corner stays
        const grow = (d[0] || d[1]) * step;
        this.resizeFrom(c, 'se', grow, grow);
      } else this.setCrop({ ...c, x: c.x + d[0] * step, y: c.y + d[1] * step });
    });
  }

  /** Drags `corner` of `s` by (dx, dy) source pixels; the opposite corner stays, the shape is the input's. */
  private resizeFrom(s: CropBox, corner: string, dx: number, dy: number): void {
    const aspect = this.t.width / this.t.height;
    const sx = corner.includes('e') ? 1 : -1, sy = corner.includes('s') ? 1 : -1;
    // the larger of the two moves sets the size
    let w = Math.max(s.width + sx * dx, (s.height + sy * dy) * aspect);
    const ax = sx > 0 ? s.x : s.x + s.width, ay = sy > 0 ? s.y : s.y + s.height; // the fixed corner
    const room = Math.min(sx > 0 ? this.pw - ax : ax, (sy > 0 ? this.ph - ay : ay) * aspect);
    w = Math.max(1, Math.min(w, room));
    const hgt = w / aspect;
    this.setCrop({ x: sx > 0 ? ax : ax - w, y: sy > 0 ? ay : ay - hgt, width: w, height: hgt });
  }

  // ------------------------------------------------------------ scaling, result, use

  private scalingOf(): Normalize | null | 'bad' {
    this.numbers.hidden = this.scaling.value !== 'std';
    if (this.scaling.value !== 'std') return null;
    const norm = { mean: this.fields.map((f) => fieldNumber(f.mean)), std: this.fields.map((f) => fieldNumber(f.std)) };
    return checkNormalize(norm, this.t.channels) ? 'bad' : norm;
  }

  private checkScaling(): void {
    const s = this.scalingOf();
    // only the fields that are wrong are marked
    const num = fieldNumber;
    for (const f of this.fields) {
      f.mean.setAttribute('aria-invalid', String(s === 'bad' && !Number.isFinite(num(f.mean))));
      f.std.setAttribute('aria-invalid', String(s === 'bad' && !(num(f.std) > 0 && Number.isFinite(num(f.std)))));
    }
    this.say(s === 'bad' ? S.pictureBadScaling : '');
    this.useBtn.disabled = s === 'bad' || !this.picture;
  }

  /** The input the crop gives (before scaling), drawn small; the latest request wins. */
  private async updateResult(): Promise<void> {
    const p = this.picture;
    if (!p) return;
    const ticket = ++this.pending;
    const values = await p.resample(this.crop, this.t.height, this.t.width, this.t.channels);
    if (ticket !== this.pending || this.closed) return;
    const n = this.t.height * this.t.width;
    const ctx = this.result.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(this.t.width, this.t.height);
    const byte = (v: number) => Math.round(Math.max(0, Math.min(1, v)) * 255);
    for (let i = 0; i < n; i++) {
      const c = this.t.channels === 3 ? [values[i], values[n + i], values[2 * n + i]] : [values[i], values[i], values[i]];
      img.data.set([byte(c[0]), byte(c[1]), byte(c[2]), 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
    this.checkScaling();
  }

  private async use(): Promise<void> {
    const p = this.picture;
    const norm = this.scalingOf();
    if (!p || norm === 'bad') return;
    this.useBtn.disabled = true;
    const values = await p.resample(this.crop, this.t.height, this.t.width, this.t.channels);
    if (this.closed) return;
    applyNormalize(values, this.t.channels, norm ?? undefined);
    lastScaling.set(this.t.actions, norm);
    this.t.actions.setInputPicture(values, norm);
    this.close();
  }
}
