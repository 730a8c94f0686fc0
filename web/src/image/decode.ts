// Decoding a picture file to straight-alpha RGBA bytes, the same way in the page and in the image
// worker: createImageBitmap applies the EXIF orientation and leaves colours and alpha as stored,
// then a canvas hands the pixels over (getImageData).
import type { Rgba } from './resample';

/** Why a picture could not be used; the page words each (web/src/i18n, `picture*`). */
export type PictureErrorCode = 'not_image' | 'too_large' | 'corrupt' | 'unsupported' | 'empty';

export class PictureError extends Error {
  constructor(readonly code: PictureErrorCode, readonly detail: { width?: number; height?: number; format?: string } = {}) {
    super(`picture: ${code}`);
  }
}

const OPTIONS: ImageBitmapOptions = { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' };

/** The file as an ImageBitmap, upright (EXIF applied); a file the browser can't decode is 'corrupt'. */
export async function decodeBitmap(blob: Blob): Promise<ImageBitmap> {
  if (typeof createImageBitmap !== 'function') throw new PictureError('unsupported');
  try {
    return await createImageBitmap(blob, OPTIONS);
  } catch (e) {
    // an older browser that does not know 'from-image' rejects the options (it applies EXIF anyway)
    if (e instanceof TypeError) {
      try { return await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' }); } catch { /* below */ }
    }
    throw new PictureError('corrupt');
  }
}

/** A 2D canvas of the given size: an OffscreenCanvas where there is one (always in workers). */
function canvas2d(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  const cv = document.createElement('canvas');
  cv.width = width;
  cv.height = height;
  const ctx = cv.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new PictureError('unsupported');
  return ctx;
}

/** The bitmap's pixels, RGBA bytes with straight alpha. */
export function bitmapPixels(bitmap: ImageBitmap | HTMLVideoElement, width: number, height: number): Rgba {
  if (!(width >= 1 && height >= 1)) throw new PictureError('empty');
  const ctx = canvas2d(width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  const img = ctx.getImageData(0, 0, width, height);
  return { width, height, data: img.data };
}

/** A smaller copy to show while cropping (the numbers always come from the full pixels). */
export async function previewOf(bitmap: ImageBitmap, longSide = 1024): Promise<ImageBitmap> {
  const scale = Math.min(1, longSide / Math.max(bitmap.width, bitmap.height));
  if (scale === 1) return createImageBitmap(bitmap);
  return createImageBitmap(bitmap, { resizeWidth: Math.max(1, Math.round(bitmap.width * scale)), resizeHeight: Math.max(1, Math.round(bitmap.height * scale)), resizeQuality: 'medium' });
}
