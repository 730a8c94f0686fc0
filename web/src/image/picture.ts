// A picture as a network input: the one entry point for the page and for examples.
//
//   const input = await imageToInput(blob, { channels: 3, height: 32, width: 32 });
//   input.values   // Float32Array, channel-major [C, H, W], ready for the scene's input
//
// The file's first bytes are checked first (format, ≤ MAX_PIXELS), then it is decoded (EXIF
// orientation applied) and resampled in a worker, or here when no worker can be started.
import { bitmapPixels, decodeBitmap, PictureError, previewOf } from './decode';
import { applyNormalize, centreSquare, clampCrop, resample, type CropBox, type Normalize, type Rgba } from './resample';
import { MAX_PIXELS, sniffImage, SNIFF_BYTES } from './sniff';
import type { WorkerRequest } from './picture.worker';
import PictureWorker from './picture.worker?worker&inline';

export { PictureError, type PictureErrorCode } from './decode';
export { MAX_PIXELS } from './sniff';
export { centreSquare, clampCrop, type CropBox, type Normalize, type Rgba } from './resample';

/** A decoded picture: its size, a small copy to show, and crops of it as input numbers. */
export interface Picture {
  readonly width: number;
  readonly height: number;
  /** at most 1024 pixels on the long side, for display only */
  readonly preview: ImageBitmap;
  /** the crop resampled to channels×height×width, values 0..1 (no scaling) */
  resample(crop: CropBox, height: number, width: number, channels: 1 | 3): Promise<Float32Array>;
  close(): void;
}

/** Checks the file's header: not an image, or more than MAX_PIXELS, throw before any decoding. */
export async function checkPictureFile(blob: Blob): Promise<void> {
  if (blob.size === 0) throw new PictureError('not_image');
  const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
  const sniffed = sniffImage(head);
  if (!sniffed) throw new PictureError('not_image');
  if (sniffed.width * sniffed.height > MAX_PIXELS) throw new PictureError('too_large', sniffed);
}

/** Opens a picture file (checked, then decoded off the page's thread when a worker can start). */
export async function openPicture(blob: Blob): Promise<Picture> {
  await checkPictureFile(blob);
  let worker: Worker | null = null;
  try { worker = new PictureWorker({ name: 'cnnlens-picture' }); } catch { worker = null; }
  if (worker) {
    try {
      return await workerPicture(worker, blob);
    } catch (e) {
      worker.terminate();
      if (e instanceof PictureError) throw e;
      // the worker could not run (a page's Content-Security-Policy may forbid blob: workers)
    }
  }
  const bitmap = await decodeBitmap(blob);
  if (bitmap.width * bitmap.height > MAX_PIXELS) {
    const detail = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    throw new PictureError('too_large', detail);
  }
  const pixels = bitmapPixels(bitmap, bitmap.width, bitmap.height);
  const preview = await previewOf(bitmap);
  bitmap.close();
  return localPicture(pixels, preview);
}

/** Pixels already in hand (a camera frame) as a Picture. */
export async function pictureFromPixels(pixels: Rgba): Promise<Picture> {
  const data = new Uint8ClampedArray(pixels.data.byteLength);
  data.set(pixels.data);
  const preview = await createImageBitmap(new ImageData(data, pixels.width, pixels.height));
  return localPicture(pixels, preview);
}

function localPicture(pixels: Rgba, preview: ImageBitmap): Picture {
  return {
    width: pixels.width,
    height: pixels.height,
    preview,
    resample: async (crop, height, width, channels) => resample(pixels, crop, height, width, channels),
    close: () => preview.close(),
  };
}

type OkReply = { id: number; ok: true; width?: number; height?: number; preview?: ImageBitmap; values?: Float32Array };
type Reply = OkReply | { id: number; ok: false; code: PictureError['code']; detail: PictureError['detail'] };
type Request = { type: 'open'; blob: Blob } | { type: 'resample'; crop: CropBox; height: number; width: number; channels: 1 | 3 };

function workerPicture(worker: Worker, blob: Blob): Promise<Picture> {
  let next = 0;
  const waiting = new Map<number, { ok: (r: OkReply) => void; fail: (e: unknown) => void }>();
  worker.onmessage = (e: MessageEvent<Reply>) => {
    const w = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (!w) return;
    if (e.data.ok) w.ok(e.data);
    else w.fail(new PictureError(e.data.code, e.data.detail));
  };
  // a worker that fails to start or dies: every waiting request fails (not a PictureError)
  worker.onerror = (e) => {
    e.preventDefault?.();
    for (const w of waiting.values()) w.fail(new Error('picture worker failed'));
    waiting.clear();
  };
  const ask = (m: Request) => new Promise<OkReply>((ok, fail) => {
    const id = ++next;
    waiting.set(id, { ok, fail });
    worker.postMessage({ ...m, id } satisfies WorkerRequest);
  });
  return ask({ type: 'open', blob }).then((r) => ({
    width: r.width!,
    height: r.height!,
    preview: r.preview!,
    resample: async (crop, height, width, channels) => (await ask({ type: 'resample', crop, height, width, channels })).values!,
    close: () => { r.preview!.close(); worker.terminate(); },
  }));
}

export interface InputOptions {
  /** 1: grey (0.299 R + 0.587 G + 0.114 B), 3: red, green, blue */
  channels: 1 | 3;
  height: number;
  width: number;
  /** default: the largest centred square */
  crop?: CropBox;
  /** per-channel (v − mean) / std after 0..1; default: none (values 0..1) */
  normalize?: Normalize;
}

export interface ImageInput {
  /** channel-major [channels, height, width] */
  values: Float32Array;
  sourceWidth: number;
  sourceHeight: number;
  /** the crop used, in source pixels (after EXIF orientation) */
  crop: CropBox;
}

/**
 * A picture file (Blob: PNG, JPEG, GIF, WebP, BMP, AVIF) or decoded pixels as the numbers of a network
 * input. Throws PictureError ('not_image', 'too_large', 'corrupt', 'unsupported').
 */
export async function imageToInput(source: Blob | Rgba, opts: InputOptions): Promise<ImageInput> {
  const picture = source instanceof Blob ? await openPicture(source) : await pictureFromPixels(source);
  try {
    const crop = clampCrop(opts.crop ?? centreSquare(picture.width, picture.height), picture.width, picture.height);
    const values = await picture.resample(crop, opts.height, opts.width, opts.channels);
    applyNormalize(values, opts.channels, opts.normalize);
    return { values, sourceWidth: picture.width, sourceHeight: picture.height, crop };
  } finally {
    picture.close();
  }
}
