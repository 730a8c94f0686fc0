// How long the wasm module takes to write a photo-sized scene as JSON: what the page's undo
// history does after every edit of "Kernels on a photo" (Model.toJSON(), 196,608 input values
// plus a few weights, about 2 MB of text).
//
// The input holds pixel values k/255, as a photo's do; the graph is small, so nearly all the time
// is the input's numbers. Prints the median, fastest and slowest of 30 calls after 3 warm-ups.
//
//   node bench/to-json.mjs [path to cnnlens.mjs]   (default build/wasm/bindings/cnnlens.mjs)
// A/B: copy an older build's cnnlens.mjs aside and alternate the two paths, a run each.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const modulePath = resolve(process.argv[2] ?? `${root}/build/wasm/bindings/cnnlens.mjs`);
const lens = await (await import(pathToFileURL(modulePath).href)).default();

const SIZE = 3 * 256 * 256;
let seed = 7;
const nextByte = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed >>> 24;
};
const scene = {
  version: 1,
  input: { shape: [3, 256, 256], data: Array.from({ length: SIZE }, () => nextByte() / 255) },
  layers: [
    { type: 'conv2d', out_channels: 4, kernel_size: 3, stride: 2, padding: 1 },
    { type: 'relu' },
    { type: 'global_avgpool2d' },
    { type: 'flatten' },
    { type: 'dense', out_features: 3 },
  ],
  loss: 'cross_entropy',
  target: 1,
  optimizer: { type: 'sgd', lr: 0.1 },
  seed: 1,
};

const model = new lens.Model(JSON.stringify(scene));
try {
  let length = 0;
  for (let k = 0; k < 3; k++) length = model.toJSON().length;
  const times = [];
  for (let k = 0; k < 30; k++) {
    const start = performance.now();
    model.toJSON();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const ms = (t) => `${t.toFixed(2)} ms`;
  console.log(`toJSON of a 3x256x256 scene (${length.toLocaleString('en')} chars), 30 calls: median ${ms(times[15])}, fastest ${ms(times[0])}, slowest ${ms(times[29])}  [${modulePath}]`);
} finally {
  model.delete();
}
