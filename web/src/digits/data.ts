// Lazy download of the digits subset (tools/prepare-digits.mjs writes it to web/public/digits/,
// Vite copies it to dist/digits/). Fetched only when the Digits example opens, once per page.
import { PIXELS, type DigitSet } from './protocol';

export interface Digits { train: DigitSet; test: DigitSet }

let cached: Promise<Digits> | null = null;

async function bytes(name: string): Promise<Uint8Array> {
  const url = new URL(`digits/${name}`, document.baseURI);
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    throw new Error(`could not fetch ${url.pathname.split('/').slice(-2).join('/')}`);
  }
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function set(kind: 'train' | 'test'): Promise<DigitSet> {
  const [images, labels] = await Promise.all([bytes(`${kind}-images.u8`), bytes(`${kind}-labels.u8`)]);
  if (images.length !== labels.length * PIXELS || labels.length === 0) throw new Error(`${kind}: ${labels.length} labels for ${images.length} pixels`);
  return { images, labels };
}

/** The training and test digits; a failed download may be retried by calling again. */
export function loadDigits(): Promise<Digits> {
  cached ??= Promise.all([set('train'), set('test')]).then(([train, test]) => ({ train, test }));
  cached.catch(() => { cached = null; });
  return cached;
}
