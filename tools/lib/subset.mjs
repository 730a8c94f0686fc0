// What tools/prepare-digits.mjs and tools/prepare-fashion.mjs share: a deterministic shuffle, and
// writing a labelled subset as the page reads it (web/src/digits/data.ts): NAME-images.u8 (uint8
// pixels, samples back to back, row-major, 0 = background) and NAME-labels.u8 (uint8 classes).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './mulberry32.mjs';

/** Fisher-Yates with mulberry32 from `seed`: every build ships the same subset in the same order. */
export function shuffled(items, seed) {
  const next = mulberry32(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** `samples`: { label, pixels: Uint8Array } each, written in their order. */
export function writeSubset(outDir, name, samples) {
  const size = samples[0].pixels.length;
  const images = new Uint8Array(samples.length * size);
  const labels = new Uint8Array(samples.length);
  samples.forEach(({ label, pixels }, k) => {
    labels[k] = label;
    images.set(pixels, k * size);
  });
  writeFileSync(join(outDir, `${name}-images.u8`), images);
  writeFileSync(join(outDir, `${name}-labels.u8`), labels);
}

/** Whether `outDir` already holds the subset whose README.txt says `signature`. */
export function upToDate(outDir, signature) {
  const marker = join(outDir, 'README.txt');
  return existsSync(marker) && readFileSync(marker, 'utf8').includes(signature);
}
