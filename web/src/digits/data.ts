// Download of the digits subset (tools/prepare-digits.mjs writes it to web/public/digits/, Vite
// copies it to dist/digits/). Runs inside the training worker, so neither the download nor the
// 4 MB of pixels ever touch the page's main thread; once per worker (the HTTP cache keeps the files).
import { PIXELS, type DigitSet } from './protocol';

export interface Digits { train: DigitSet; test: DigitSet }

async function bytes(base: string, name: string): Promise<Uint8Array> {
  const url = new URL(name, base);
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    throw new Error(`could not fetch ${url.pathname.split('/').slice(-2).join('/')}`);
  }
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function set(base: string, kind: 'train' | 'test'): Promise<DigitSet> {
  const [images, labels] = await Promise.all([bytes(base, `${kind}-images.u8`), bytes(base, `${kind}-labels.u8`)]);
  if (images.length !== labels.length * PIXELS || labels.length === 0) throw new Error(`${kind}: ${labels.length} labels for ${images.length} pixels`);
  return { images, labels };
}

/** The training and test digits from the folder `base` (an absolute URL ending in "/"). */
export async function loadDigits(base: string): Promise<Digits> {
  const [train, test] = await Promise.all([set(base, 'train'), set(base, 'test')]);
  return { train, test };
}
