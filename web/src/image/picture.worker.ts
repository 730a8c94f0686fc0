// The image worker: decodes one picture and keeps its pixels, then resamples crops of it on
// request, so a big photo never holds up the page (web/src/image/picture.ts talks to it).
import { bitmapPixels, decodeBitmap, previewOf, PictureError } from './decode';
import { MAX_PIXELS } from './sniff';
import { resample, type CropBox, type Rgba } from './resample';

export type WorkerRequest =
  | { id: number; type: 'open'; blob: Blob }
  | { id: number; type: 'resample'; crop: CropBox; height: number; width: number; channels: 1 | 3 };

let pixels: Rgba | null = null;

const scope = self as unknown as { postMessage(m: unknown, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };

scope.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'open') {
      const bitmap = await decodeBitmap(m.blob);
      if (bitmap.width * bitmap.height > MAX_PIXELS) {
        const detail = { width: bitmap.width, height: bitmap.height };
        bitmap.close();
        throw new PictureError('too_large', detail);
      }
      pixels = bitmapPixels(bitmap, bitmap.width, bitmap.height);
      const preview = await previewOf(bitmap);
      bitmap.close();
      scope.postMessage({ id: m.id, ok: true, width: pixels.width, height: pixels.height, preview }, [preview]);
    } else {
      if (!pixels) throw new PictureError('empty');
      const values = resample(pixels, m.crop, m.height, m.width, m.channels);
      scope.postMessage({ id: m.id, ok: true, values }, [values.buffer]);
    }
  } catch (err) {
    const pe = err instanceof PictureError ? err : new PictureError('corrupt');
    scope.postMessage({ id: m.id, ok: false, code: pe.code, detail: pe.detail });
  }
};
