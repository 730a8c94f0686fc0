// Download of a data set's subset (tools/prepare-digits.mjs and prepare-fashion.mjs write them to
// web/public/FOLDER/, Vite copies them to dist/FOLDER/). Runs inside the training worker, so
// neither the download nor the megabytes of pixels ever touch the page's main thread; once per
// worker (the HTTP cache keeps the files).
import type { LabelledSet } from './protocol';

export interface TrainTest { train: LabelledSet; test: LabelledSet }

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

async function set(base: string, kind: 'train' | 'test', pixels: number, classes: number): Promise<LabelledSet> {
  const [images, labels] = await Promise.all([bytes(base, `${kind}-images.u8`), bytes(base, `${kind}-labels.u8`)]);
  if (images.length !== labels.length * pixels || labels.length === 0) throw new Error(`${kind}: ${labels.length} labels for ${images.length} pixels`);
  if (labels.some((l) => l >= classes)) throw new Error(`${kind}: a label beyond the ${classes} classes`);
  return { images, labels };
}

/** The training and test images from the folder `base` (an absolute URL ending in "/"), `pixels` each. */
export async function loadTrainTest(base: string, pixels: number, classes: number): Promise<TrainTest> {
  const [train, test] = await Promise.all([set(base, 'train', pixels, classes), set(base, 'test', pixels, classes)]);
  return { train, test };
}

/** The first `perClass` samples of each class in `set`, class by class. */
export function gallery(set: LabelledSet, pixels: number, classes: number, perClass: number): LabelledSet {
  const picked: number[][] = Array.from({ length: classes }, () => []);
  for (let k = 0; k < set.labels.length; k++) if (picked[set.labels[k]].length < perClass) picked[set.labels[k]].push(k);
  const order = picked.flat();
  const images = new Uint8Array(order.length * pixels);
  order.forEach((k, i) => images.set(set.images.subarray(k * pixels, (k + 1) * pixels), i * pixels));
  return { images, labels: Uint8Array.from(order, (k) => set.labels[k]) };
}
