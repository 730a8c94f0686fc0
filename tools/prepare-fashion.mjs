// Prepares the Fashion-MNIST subset the page trains on (the "Fashion" example), from Debian's
// package `dataset-fashion-mnist` (Zalando's Fashion-MNIST, MIT): a balanced 1,000 training and
// 100 test images of each of the 10 classes, shuffled with a fixed seed, in the digits' format
// (28x28 uint8 pixels, row-major, 0 = background; uint8 labels). Written to web/public/fashion/
// (not committed); the page fetches them only when "Fashion" opens.
//
// Why 10,000 + 1,000: the example promises 85% test accuracy within 30 s of training in the page
// on a 2-core machine. In a Node run on the same kind of machine, the digits' LeNet-like net on
// 5,000 of these images (the digits' size) stayed between 82% and 84.5% over five epochs; the
// example's net (3x3 convolutions, 12 and 24 channels) on 10,000 passed 85% within one epoch
// (~7 MB to download, once, when the example is opened). The test set stays at 1,000, like the
// digits', so the confusion matrix counts 100 per class.
//
// Where the files come from, without root: the package's files when it is installed
// (/usr/share/datasets/fashion-mnist), else `apt-get download` of the package into
// build/datasets/ and `dpkg-deb -x` there (a cache: later builds reuse it).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { debianPackageRoot } from './lib/debian-package.mjs';
import { shuffled, upToDate, writeSubset } from './lib/subset.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = 'dataset-fashion-mnist';
const DATA = 'usr/share/datasets/fashion-mnist';
/** the package's copyright file: the MIT (Expat) notice travels with the images (web/dist/fashion/COPYRIGHT.txt) */
const COPYRIGHT = `usr/share/doc/${PACKAGE}/copyright`;
const cacheDir = join(root, 'build/datasets');
const outDir = join(root, 'web/public/fashion');
const trainPerClass = 1000;
const testPerClass = 100;
/** Fashion-MNIST's class names, by label (the examples/fashion.json scene carries the same `labels`). */
const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const signature = `train ${trainPerClass * 10}, test ${testPerClass * 10}`;

/** Where the package's files are (its root: '/' when installed): installed, cached, or downloaded now. */
function packageRoot() {
  return debianPackageRoot(PACKAGE, FILES.map((f) => join(DATA, f)), cacheDir, (m) => console.log(`fashion: ${m}`));
}

/** An IDX file (gzipped): its dimensions and its uint8 payload. */
function readIdx(path, expectedMagic) {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expectedMagic) throw new Error(`${path}: magic ${magic}, expected ${expectedMagic}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${path}: ${data.length} bytes for dimensions ${dims}`);
  return { dims, data };
}

/** The first `perClass` samples of each class, in the file's order. */
function balanced(dir, prefix, perClass) {
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte.gz`), 0x803);
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte.gz`), 0x801);
  const [count, rows, cols] = images.dims;
  if (rows !== 28 || cols !== 28 || labels.dims[0] !== count) throw new Error(`${prefix}: ${count}x${rows}x${cols} images, ${labels.dims[0]} labels`);
  const size = rows * cols;
  const taken = new Array(CLASS_NAMES.length).fill(0);
  const out = [];
  for (let k = 0; k < count && out.length < perClass * CLASS_NAMES.length; k++) {
    const label = labels.data[k];
    if (taken[label] >= perClass) continue;
    taken[label]++;
    out.push({ label, pixels: images.data.slice(k * size, (k + 1) * size) });
  }
  if (out.length < perClass * CLASS_NAMES.length) throw new Error(`${prefix}: fewer than ${perClass} images of some class (${taken})`);
  return out;
}

if (upToDate(outDir, signature)) {
  console.log('fashion: already prepared');
  process.exit(0);
}
const pkg = packageRoot();
const dir = join(pkg, DATA);
mkdirSync(outDir, { recursive: true });
if (!existsSync(join(pkg, COPYRIGHT))) throw new Error(`no ${join(pkg, COPYRIGHT)}: the images must travel with their licence`);
copyFileSync(join(pkg, COPYRIGHT), join(outDir, 'COPYRIGHT.txt'));
const train = balanced(dir, 'train', trainPerClass);
const test = balanced(dir, 't10k', testPerClass);
writeSubset(outDir, 'train', shuffled(train, 3));
writeSubset(outDir, 'test', shuffled(test, 4));
writeFileSync(join(outDir, 'README.txt'),
  `Fashion-MNIST subset (Copyright 2017 Zalando SE, MIT licence: COPYRIGHT.txt) from Debian's ${PACKAGE}, made by tools/prepare-fashion.mjs.\n` +
  `${signature}; images 28x28 uint8 row-major, labels uint8.\n` +
  `classes: ${CLASS_NAMES.map((n, k) => `${k} ${n}`).join(', ')}\n`);
console.log(`fashion: wrote ${train.length} training and ${test.length} test images to ${outDir}`);
