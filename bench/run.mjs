// Speed of our wasm core against TensorFlow.js (cpu and wasm backends) and ConvNetJS, all in this
// Node process, on three nets (A: the classic 6x6 example, B: an MNIST-sized LeNet, C: 64x64x3),
// in four sections:
//   fixed   one sample trained in a loop: train(n), step() and forward() on the scene's own sample
//   stream  per-sample streaming training: every step trains on the next sample of a 64-sample pool
//   batch   batch-32 training on a pool of 8 batches (B and C)
//   infer   inference, batch 1 and batch 32, a new sample (batch) every call
// Also measures the machine's wasm SIMD128 peak with a register-resident loop compiled into our
// module, reports our GFLOP/s against it, and ends with one verdict per speed goal.
// Usage: node bench/run.mjs [--quick] [--only=fixed,stream,batch,infer] [--reps=N] [--json=PATH]
//                           [--module=PATH]
// (--module: another build of our module, e.g. an older commit's, to compare builds on one machine)
// See bench/README.md for what is measured and how.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// ------------------------------------------------------------------ options

const SECTION_NAMES = ['fixed', 'stream', 'batch', 'infer'];
const USAGE = 'usage: node bench/run.mjs [--quick] [--only=fixed,stream,batch,infer] [--reps=N] [--json=PATH] [--module=PATH]';

function parseOptions(argv) {
  const given = new Map();
  for (const arg of argv) {
    const [key, value = ''] = arg.split(/=(.*)/s);
    if (!['--quick', '--only', '--reps', '--json', '--module'].includes(key)) usage(`unknown option ${arg}`);
    given.set(key, value);
  }
  const quick = given.has('--quick');
  const only = given.has('--only') ? [...new Set(given.get('--only').split(','))] : SECTION_NAMES;
  const unknown = only.filter((s) => !SECTION_NAMES.includes(s));
  if (unknown.length) usage(`unknown section ${unknown.join(', ')}`);
  const reps = given.has('--reps') ? Number(given.get('--reps')) : quick ? 3 : 7;
  if (!Number.isInteger(reps) || reps < 1) usage('--reps takes a whole number ≥ 1');
  return { quick, only, reps, json: given.get('--json') || null, module: given.get('--module') || null };
}

function usage(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const OPTIONS = parseOptions(process.argv.slice(2));
const REPS = OPTIONS.reps;                  // repetitions per measurement (tables show medians)
const TARGET_MS = OPTIONS.quick ? 60 : 150; // wall time of one repetition
// One iteration longer than this (TF.js cpu on C, ConvNetJS at batch 32 on C) is timed alone,
// and only SLOW_REPS times: the run would otherwise take many minutes.
const SLOW_MS = 4 * TARGET_MS;
const SLOW_REPS = Math.min(REPS, 3);
const POOL = 64;    // distinct samples of the per-sample sections
const BATCH = 32;
const BATCHES = 8;  // distinct batches of the batch-32 sections

// ------------------------------------------------------------------ the nets

function pseudoRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const classic = JSON.parse(readFileSync(join(root, 'examples/classic.json'), 'utf8'));

// The same input, target and learning rate go to every library. lr is small for B and C so the
// loss of the single memorised sample stays far from 0 during the timed steps: near 0, gradients
// become float32 denormals, which are ~100x slower on x86 and wasm has no flush-to-zero mode.
function imageNet(name, [c, h, w], convs, lr) {
  const rnd = pseudoRandom(42);
  return {
    name,
    inputShape: [c, h, w],
    input: Float32Array.from({ length: c * h * w }, () => rnd()),
    convs,        // [{filters, k, pad}], each followed by relu and 2x2 max-pool
    classes: 10,
    target: 3,
    loss: 'cross_entropy',
    lr,
  };
}

const NETS = [
  {
    name: 'A',
    title: 'A: classic 6x6x1, conv 3x3x2, maxpool 2, dense 2, sigmoid, mse',
    inputShape: [1, 6, 6],
    input: Float32Array.from(classic.input.data),
    convs: [{ filters: 2, k: 3, pad: 0, relu: false }],
    classes: 2,
    target: classic.target,
    loss: 'mse',
    lr: classic.optimizer.lr,
    scene: JSON.stringify(classic),
  },
  {
    ...imageNet('B', [1, 28, 28], [{ filters: 8, k: 5, pad: 2, relu: true }, { filters: 16, k: 5, pad: 0, relu: true }], 0.001),
    title: 'B: 28x28x1, conv 5x5x8 pad 2, relu, pool, conv 5x5x16, relu, pool, dense 10, cross-entropy',
  },
  {
    ...imageNet('C', [3, 64, 64], [{ filters: 16, k: 3, pad: 1, relu: true }, { filters: 32, k: 3, pad: 1, relu: true }], 0.001),
    title: 'C: 64x64x3, conv 3x3x16 pad 1, relu, pool, conv 3x3x32 pad 1, relu, pool, dense 10, cross-entropy',
  },
];

function sceneOf(net) {
  if (net.scene) return net.scene;
  const layers = [];
  for (const c of net.convs) {
    layers.push({ type: 'conv2d', out_channels: c.filters, kernel_size: c.k, padding: c.pad });
    if (c.relu) layers.push({ type: 'relu' });
    layers.push({ type: 'maxpool2d', kernel_size: 2 });
  }
  layers.push({ type: 'flatten' }, { type: 'dense', out_features: net.classes });
  net.scene = JSON.stringify({
    version: 1,
    input: { shape: net.inputShape, data: Array.from(net.input) },
    layers,
    loss: net.loss,
    target: net.target,
    optimizer: { type: 'sgd', lr: net.lr, momentum: 0 },
    seed: 1,
  });
  return net.scene;
}

// Floating-point operations of one training step as our core runs it: conv and dense forward,
// weight gradient, and input gradient of every layer but the first (a training step never
// computes dL/d(input): only the page's display pass does). Pooling, activations and the update
// are not counted. The fixed-sample table's `step()` figure counts the same.
function stepFlops(net) {
  let [c, h, w] = net.inputShape;
  let forward = 0, first = 0;
  for (const conv of net.convs) {
    const oh = h + 2 * conv.pad - conv.k + 1, ow = w + 2 * conv.pad - conv.k + 1;
    const flops = 2 * conv.filters * c * conv.k * conv.k * oh * ow;
    if (forward === 0) first = flops;
    forward += flops;
    [c, h, w] = [conv.filters, Math.floor(oh / 2), Math.floor(ow / 2)];
  }
  forward += 2 * c * h * w * net.classes;
  return { forward, step: 3 * forward - first };
}

// ------------------------------------------------------------------ the samples

// Targets as trainBatch() takes them: class indices for cross-entropy, target vectors for mse.
function targetsOf(net, values) {
  return net.loss === 'mse' ? Float32Array.from(values) : Int32Array.from(values);
}

// A batch as every library receives it before conversion: n samples back to back in [C, H, W]
// order, and their targets.
function randomBatch(net, rnd, n) {
  const [c, h, w] = net.inputShape;
  return {
    n,
    x: Float32Array.from({ length: n * c * h * w }, () => rnd()),
    t: targetsOf(net, net.loss === 'mse'
      ? Array.from({ length: n * net.classes }, () => rnd())
      : Array.from({ length: n }, () => Math.floor(rnd() * net.classes))),
  };
}

// `fixed`: the scene's own sample alone; `stream`: POOL samples of one; `batches`: BATCHES of
// BATCH samples. Deterministic, so every library and every run sees the same data.
function poolsOf(net) {
  const rnd = pseudoRandom(1000 + net.name.charCodeAt(0));
  return {
    fixed: [{ n: 1, x: net.input, t: targetsOf(net, [net.target].flat()) }],
    stream: Array.from({ length: POOL }, () => randomBatch(net, rnd, 1)),
    batches: Array.from({ length: BATCHES }, () => randomBatch(net, rnd, BATCH)),
  };
}

// ------------------------------------------------------------------ timing

const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

// How many iterations make a repetition of about TARGET_MS (timed(n): ms for n iterations). An
// iteration slower than SLOW_MS is timed alone, and only SLOW_REPS times.
function calibrate(timed) {
  for (let n = 1; ; n *= 4) {
    const dt = timed(n);
    if (n === 1 && dt > SLOW_MS) return { n: 1, reps: SLOW_REPS };
    if (dt > TARGET_MS / 4 || n >= 1 << 22) return { n: Math.max(1, Math.round((n * TARGET_MS) / Math.max(dt, 1e-3))), reps: REPS };
  }
}

function withModel(make, use) {
  const model = make();
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

// Measures specs {key, make, run, check?}: make() builds a fresh model, run(model, n) does n
// iterations, check(model) proves the work is real before any timing (and warms up). Every timed
// repetition starts from a fresh model: a net trained for thousands of steps memorises its
// samples, its gradients shrink to float32 denormals and every float32 library slows down by an
// order of magnitude. Repetitions are interleaved across the specs, so a busy moment of the
// machine hits all libraries alike. A spec that throws is reported with its error, not timed.
function measureAll(specs) {
  const runs = specs.map((spec) => {
    const timed = (n) => withModel(spec.make, (model) => {
      const t = now();
      spec.run(model, n);
      return now() - t;
    });
    try {
      const check = withModel(spec.make, (model) => (spec.check ? spec.check(model) : (spec.run(model, 1), null)));
      return { spec, timed, check, times: [], ...calibrate(timed) };
    } catch (error) {
      return { spec, error: error?.message ?? String(error), times: [] };
    }
  });
  for (let r = 0; r < REPS; r++) {
    for (const run of runs) if (!run.error && r < run.reps) run.times.push(run.timed(run.n) / run.n);
  }
  // times: ms per iteration, one per repetition, in the order they ran.
  return runs.map(({ spec, check = null, error = null, n = 0, times }) => ({
    ...spec.key, check, error, iterationsPerRep: n, times,
    median: times.length ? median(times) : null,
    min: times.length ? Math.min(...times) : null,
    max: times.length ? Math.max(...times) : null,
  }));
}

// run(model, n) for a spec: n calls of act(model, item), cycling through items (a new sample or
// batch every call; the cycle continues across repetitions).
function cycle(items, act) {
  let next = 0;
  return (model, n) => {
    for (let i = 0; i < n; i++) act(model, items[next++ % items.length]);
  };
}

// `passes` passes over items; the mean loss of the last pass must be below the first's.
function lossCheck(items, passes) {
  return (model) => {
    const losses = [];
    for (let p = 0; p < passes; p++) for (const item of items) losses.push(model.trainOn(item));
    const first = mean(losses.slice(0, items.length)), last = mean(losses.slice(-items.length));
    return { ok: last < first, text: `${first.toPrecision(4)} → ${last.toPrecision(4)}`, losses };
  };
}

function outputCheck(item, size) {
  return (model) => {
    const out = model.predictOn(item);
    const ok = out.length === size && Array.prototype.every.call(out, Number.isFinite);
    return { ok, text: ok ? `${size} values` : `got ${out.length} values, expected ${size}` };
  };
}

// ------------------------------------------------------------------ the libraries

// Every library: items(pool) converts a pool's batches into the library's own form once, outside
// the timing; make(batchSize) builds a fresh model with the net's initial weights, whose
// trainOn(item) does one optimizer step on the item's samples and returns the loss read back,
// and predictOn(item) returns every sample's outputs; release() frees the converted pools.
function library(name, { prepare, make, release = () => {}, ours = false }) {
  const cache = new Map();
  return {
    name, ours, make,
    items: (pool) => {
      if (!cache.has(pool)) cache.set(pool, pool.map(prepare));
      return cache.get(pool);
    },
    release: () => release([...cache.values()].flat()),
  };
}

const OURS = 'CNN Lens (wasm)';

async function loadOurs() {
  const path = OPTIONS.module ? resolve(OPTIONS.module) : join(root, 'build/wasm/bindings/cnnlens.mjs');
  const createCnnLens = (await import(path)).default;
  return createCnnLens();
}

// Our public calls, one per step or inference: trainBatch(x, targets) and predict(x) take whole
// samples back to back. `model` is there for the fixed-sample section's scene calls.
function oursLibrary(lens, net) {
  return library(OURS, {
    ours: true,
    prepare: (batch) => batch,
    make: () => {
      const model = new lens.Model(sceneOf(net));
      return {
        model,
        trainOn: (b) => model.trainBatch(b.x, b.t),
        predictOn: (b) => model.predict(b.x),
        dispose: () => model.delete(),
      };
    },
  });
}

function measurePeak(lens) {
  const [peak] = measureAll([{ key: {}, make: () => ({ dispose() {} }), run: (_, n) => lens.simdPeak(n) }]);
  const toGflops = (ms) => lens.simdPeakFlopsPerIteration() / ms / 1e6;
  return { gflops: toGflops(peak.median), repetitions: peak.times.map(toGflops) };
}

// ------------------------------------------------------------------ TensorFlow.js

// TF.js 4.22's wasm backend has no Conv2DBackpropFilter kernel, so it cannot train a conv net as
// shipped. This one is built from the backend's own kernels: dW[kh, kw, ci, co] is the
// convolution of the input, channels moved to the batch axis, with dy as the filter:
//   conv2d(x^T [ci, H, W, N], dy^T [H', W', N, co], pad as the forward pass) -> [ci, kh, kw, co].
// Stride 1 and dilation 1 only (all three nets).
function registerWasmConv2DBackpropFilter(tf) {
  const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc;
  const conv2d = tf.getKernel('Conv2D', 'wasm').kernelFunc;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dilations, dataFormat, filterShape } = attrs;
      const ones = (v) => v == null || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));
      if (!ones(strides) || !ones(dilations) || (dataFormat && dataFormat !== 'NHWC')) {
        throw new Error('bench Conv2DBackpropFilter: only stride 1, dilation 1, NHWC');
      }
      const [kh, kw] = filterShape;
      let padding = pad;
      if (pad === 'same') {
        padding = [[0, 0], [Math.floor((kh - 1) / 2), Math.ceil((kh - 1) / 2)],
                   [Math.floor((kw - 1) / 2), Math.ceil((kw - 1) / 2)], [0, 0]];
      } else if (pad === 'valid') {
        padding = 0;
      }
      const xt = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyt = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const out = conv2d({
        inputs: { x: xt, filter: dyt }, backend,
        attrs: { strides: 1, pad: padding, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined },
      });
      const dw = transpose({ inputs: { x: out }, backend, attrs: { perm: [1, 2, 0, 3] } });
      for (const t of [xt, dyt, out]) backend.disposeData(t.dataId);
      return dw;
    },
  });
}

async function loadTf() {
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  // The optimizers' gradients: tfjs-core's own register_all_gradients.js (see tfjs-esm-resolve.mjs).
  register(new URL('./tfjs-esm-resolve.mjs', import.meta.url));
  await import(join(root, 'node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js'));
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  // Silence the "install tfjs-node" banner, which the cpu backend prints on its first tensor.
  const [log, warn] = [console.log, console.warn];
  console.log = console.warn = () => {};
  const dist = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': dist + 'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm': dist + 'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm': dist + 'tfjs-backend-wasm-threaded-simd.wasm',
  });
  // Single-threaded SIMD build, like our core (one core each).
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  await tf.setBackend('wasm');
  await tf.ready();
  await tf.setBackend('cpu');
  tf.dispose(tf.tensor([0]));
  [console.log, console.warn] = [log, warn];
  registerWasmConv2DBackpropFilter(tf);
  return tf;
}

// Items are tensors made in advance on the library's backend: x NHWC [n, H, W, C], targets
// one-hot [n, classes] (or the mse target vectors).
function tfLibrary(tf, backend, net) {
  const [C, H, W] = net.inputShape;
  return library(backend === 'wasm' ? 'TF.js wasm*' : 'TF.js cpu', {
    prepare: (b) => {
      tf.setBackend(backend);
      return tf.tidy(() => ({
        x: tf.transpose(tf.tensor(b.x, [b.n, C, H, W]), [0, 2, 3, 1]),
        t: net.loss === 'mse' ? tf.tensor2d(b.t, [b.n, net.classes]) : tf.cast(tf.oneHot(tf.tensor1d(b.t, 'int32'), net.classes), 'float32'),
      }));
    },
    make: () => tfModel(tf, backend, net),
    release: (items) => tf.dispose(items.flatMap((item) => [item.x, item.t])),
  });
}

// The net with tfjs-core ops (NHWC), trained by tf.train.sgd; every step reads its loss back,
// as our trainBatch() returns it.
function tfModel(tf, backend, net) {
  // Made right before it is used (timed or checked), so switching here keeps the backend
  // switch, which sets up every kernel, out of the timing.
  tf.setBackend(backend);
  const rnd = pseudoRandom(7);
  const variable = (shape, scale) =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (rnd() * 2 - 1) * scale), shape));
  let [c, h, w] = net.inputShape;
  const params = [];
  for (const conv of net.convs) {
    params.push({ conv, w: variable([conv.k, conv.k, c, conv.filters], Math.sqrt(2 / (c * conv.k * conv.k))), b: variable([conv.filters], 0.01) });
    const oh = h + 2 * conv.pad - conv.k + 1, ow = w + 2 * conv.pad - conv.k + 1;
    [c, h, w] = [conv.filters, Math.floor(oh / 2), Math.floor(ow / 2)];
  }
  const flat = c * h * w;
  const dw = variable([flat, net.classes], Math.sqrt(6 / (flat + net.classes)));
  const db = variable([net.classes], 0.01);
  const predict = (x) => {
    let y = x;
    for (const p of params) {
      y = tf.add(tf.conv2d(y, p.w, 1, p.conv.pad), p.b);
      if (p.conv.relu) y = tf.relu(y);
      y = tf.maxPool(y, 2, 2, 'valid');
    }
    y = tf.add(tf.matMul(tf.reshape(y, [-1, flat]), dw), db);
    return net.loss === 'mse' ? tf.sigmoid(y) : y;
  };
  const lossOf = ({ x, t }) => {
    const y = predict(x);
    return net.loss === 'mse' ? tf.mean(tf.square(tf.sub(y, t))) : tf.losses.softmaxCrossEntropy(t, y);
  };
  const optimizer = tf.train.sgd(net.lr);
  return {
    trainOn: (item) => {
      const loss = optimizer.minimize(() => lossOf(item), true);
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    predictOn: (item) => {
      const y = tf.tidy(() => predict(item.x));
      const values = y.dataSync();
      y.dispose();
      return values;
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([dw, db, ...params.flatMap((p) => [p.w, p.b])]);
    },
  };
}

// ------------------------------------------------------------------ ConvNetJS

function convnetLibrary(convnetjs, net) {
  const [C, H, W] = net.inputShape;
  const size = C * H * W;
  const volOf = (x, offset) => {
    const vol = new convnetjs.Vol(W, H, C, 0.0);
    for (let ch = 0; ch < C; ch++) {
      for (let y = 0; y < H; y++) for (let x0 = 0; x0 < W; x0++) vol.set(x0, y, ch, x[offset + (ch * H + y) * W + x0]);
    }
    return vol;
  };
  return library('ConvNetJS', {
    // A regression target must be a plain Array for ConvNetJS (it tests instanceof Array).
    prepare: (b) => ({
      vols: Array.from({ length: b.n }, (_, i) => volOf(b.x, i * size)),
      targets: Array.from({ length: b.n }, (_, i) =>
        net.loss === 'mse' ? Array.from(b.t.subarray(i * net.classes, (i + 1) * net.classes)) : b.t[i]),
    }),
    make: (batchSize) => convnetModel(convnetjs, net, batchSize),
  });
}

// Layers built one by one (ConvNetJS's makeLayers would add an fc before the regression layer).
// Its Trainer sums the gradients of batchSize train() calls and updates once, with their mean.
function convnetModel(convnetjs, net, batchSize) {
  let [c, h, w] = net.inputShape;
  const layers = [];
  const add = (Kind, opt) => {
    const layer = new Kind({ ...opt, in_sx: w, in_sy: h, in_depth: c });
    layers.push(layer);
    [c, h, w] = [layer.out_depth, layer.out_sy, layer.out_sx];
  };
  add(convnetjs.InputLayer, { out_sx: w, out_sy: h, out_depth: c });
  for (const conv of net.convs) {
    add(convnetjs.ConvLayer, { sx: conv.k, filters: conv.filters, stride: 1, pad: conv.pad, bias_pref: conv.relu ? 0.1 : 0 });
    if (conv.relu) add(convnetjs.ReluLayer, {});
    add(convnetjs.PoolLayer, { sx: 2, stride: 2 });
  }
  add(convnetjs.FullyConnLayer, { num_neurons: net.classes });
  if (net.loss === 'mse') {
    add(convnetjs.SigmoidLayer, {});
    add(convnetjs.RegressionLayer, { num_neurons: net.classes });
  } else {
    add(convnetjs.SoftmaxLayer, { num_classes: net.classes });
  }
  const model = new convnetjs.Net();
  model.layers = layers;
  const trainer = new convnetjs.Trainer(model, { method: 'sgd', learning_rate: net.lr, momentum: 0, batch_size: batchSize, l2_decay: 0 });
  return {
    trainOn: ({ vols, targets }) => {
      let loss = 0;
      for (let i = 0; i < vols.length; i++) loss += trainer.train(vols[i], targets[i]).loss;
      return loss / vols.length;
    },
    predictOn: ({ vols }) => {
      const out = new Float32Array(vols.length * net.classes);
      for (let i = 0; i < vols.length; i++) out.set(model.forward(vols[i], false).w, i * net.classes);
      return out;
    },
    dispose: () => {},
  };
}

// ------------------------------------------------------------------ the sections

// Measurements left out, and why (printed under their tables).
const SKIPPED = [
  { section: 'stream', net: 'C', lib: 'TF.js cpu', why: 'about 2 s per step, see the fixed-sample table' },
  { section: 'batch', lib: 'TF.js cpu', why: 'tens to hundreds of times slower per sample than its wasm backend; seconds per step' },
  { section: 'batch', net: 'C', lib: 'ConvNetJS', why: 'its batch is 32 of its per-sample steps, about 3 s per step' },
];
const skipped = (section, net, lib) =>
  SKIPPED.some((s) => s.section === section && (!s.net || s.net === net.name) && s.lib === lib.name);

const spec = (lib, figure, batch, make, run, check) =>
  ({ key: { lib: lib.name, ours: lib.ours, figure, batch }, make, run, check });
const train = (model, item) => model.trainOn(item);
const predict = (model, item) => model.predictOn(item);
const trainSpec = (lib, items, batch, checkItems, passes) =>
  spec(lib, 'train', batch, () => lib.make(batch), cycle(items, train), lossCheck(items.slice(0, checkItems), passes));
const inferSpec = (net, lib, items, batch) =>
  spec(lib, 'predict', batch, () => lib.make(batch), cycle(items, predict), outputCheck(items[0], batch * net.classes));

// Each section: the nets it runs on, and its specs for one net. The loss checks: 5 steps on the
// one sample; 3 passes over the pool's first 4 samples; 2 steps on one batch.
const SECTIONS = {
  fixed: {
    nets: ['A', 'B', 'C'],
    specs: (net, libs, pools) => libs.flatMap((lib) => {
      const [item] = lib.items(pools.fixed);
      const make = () => lib.make(1);
      const falls = lossCheck([item], 5);
      if (!lib.ours) {
        return [spec(lib, 'step', 1, make, cycle([item], train), falls), spec(lib, 'forward', 1, make, cycle([item], predict))];
      }
      // Ours on the scene's own sample: train(n) in one call, and step()/forward() called per step.
      const each = (call) => (m, n) => { for (let i = 0; i < n; i++) call(m.model); };
      return [
        spec(lib, 'train', 1, make, (m, n) => m.model.train(n)),
        spec(lib, 'step', 1, make, each((model) => model.step()), falls),
        spec(lib, 'forward', 1, make, each((model) => model.forward())),
      ];
    }),
  },
  stream: {
    nets: ['A', 'B', 'C'],
    specs: (net, libs, pools) => libs.map((lib) => trainSpec(lib, lib.items(pools.stream), 1, 4, 3)),
  },
  batch: {
    nets: ['B', 'C'],
    specs: (net, libs, pools) => libs.map((lib) => trainSpec(lib, lib.items(pools.batches), BATCH, 1, 2)),
  },
  infer: {
    nets: ['A', 'B', 'C'],
    specs: (net, libs, pools) => libs.flatMap((lib) =>
      [inferSpec(net, lib, lib.items(pools.stream), 1), inferSpec(net, lib, lib.items(pools.batches), BATCH)]),
  },
};

// ------------------------------------------------------------------ report

function fmt(ms) {
  if (ms == null) return '—';
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}
const fmtRange = (r) => (r.median == null ? '—' : `${fmt(r.min)} – ${fmt(r.max)}`);
const fmtRatio = (x) => `${x.toFixed(x < 10 ? 2 : 1)}x`;
const fmtRate = (r) => (r.median == null ? '—' : Math.round((r.batch * 1000) / r.median).toLocaleString('en-US'));
const loads = (l) => l.map((x) => x.toFixed(1)).join(' ');

// A Markdown table; a heading ending in ':' is a right-aligned column.
function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head.map((h) => h.replace(/:$/, ''))), line(head.map((h) => (h.endsWith(':') ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

const pick = (results, query) => results.filter((r) => Object.entries(query).every(([k, v]) => r[k] === v));

// Ours against every peer measured alike: time per iteration of the peer ÷ ours (= our samples/s
// ÷ the peer's), with the range over the repetitions, which ran interleaved in pairs.
function versus(ours, peer) {
  if (ours?.median == null || peer?.median == null) return null;
  const paired = peer.times.slice(0, ours.times.length).map((t, r) => t / ours.times[r]);
  return { lib: peer.lib, ms: peer.median, ratio: peer.median / ours.median, min: Math.min(...paired), max: Math.max(...paired) };
}

function bestPeer(rows) {
  const ours = rows.find((r) => r.ours);
  const peers = rows.filter((r) => !r.ours && r.median != null);
  if (!peers.length) return null;
  return versus(ours, peers.reduce((a, b) => (b.median < a.median ? b : a)));
}

function checkText(r) {
  if (r.error) return `ERROR: ${r.error}`;
  return r.check ? `${r.check.ok ? 'yes' : 'NO'} ${r.check.text}` : '';
}

const netNamed = (name) => NETS.find((net) => net.name === name);

// Floating-point operations of one call of a record: training steps or forward passes, batch of them.
function callFlops(net, r) {
  const flops = stepFlops(net);
  return (r.figure === 'forward' || r.figure === 'predict' ? flops.forward : flops.step) * r.batch;
}
const gflops = (net, r) => callFlops(net, r) / r.median / 1e6;
const percentOfPeak = (net, r, peak) => (100 * gflops(net, r)) / peak;
const peakText = (net, r, peak) => `${gflops(net, r).toFixed(1)} GFLOP/s = ${percentOfPeak(net, r, peak).toFixed(0)}% of peak`;

function fixedReport(results, peak) {
  const rows = [], lines = [];
  for (const net of NETS) {
    const mine = pick(results, { section: 'fixed', net: net.name });
    if (!mine.length) continue;
    const of = (lib, figure) => mine.find((r) => r.lib === lib && r.figure === figure) ?? {};
    const ourTrain = of(OURS, 'train').median, ourForward = of(OURS, 'forward').median;
    for (const lib of new Set(mine.map((r) => r.lib))) {
      const step = of(lib, 'step'), forward = of(lib, 'forward');
      const ratio = (r, ours) => (lib === OURS ? '1' : r.median == null ? '—' : `${(r.median / ours).toFixed(1)}x`);
      rows.push([net.name, lib, fmt(of(lib, 'train').median), fmt(step.median), fmt(forward.median),
                 ratio(step, ourTrain), ratio(forward, ourForward), checkText(step)]);
    }
    const ours = of(OURS, 'train');
    const fastest = bestPeer([ours, ...mine.filter((r) => r.figure === 'step' && !r.ours)]);
    if (!fastest) continue;
    lines.push(`${net.name}: fastest peer ${fastest.lib} ${fmt(fastest.ms)}, us ${fmt(ours.median)} ` +
               `(per call ${fmt(of(OURS, 'step').median)}) → ${fastest.ratio.toFixed(1)}x; ` +
               `${(stepFlops(net).step / 1e6).toFixed(2)} MFLOP/step → ${peakText(net, ours, peak)}`);
  }
  if (!rows.length) return [];
  return [
    '## Fixed sample: one sample trained in a loop (batch 1)\n',
    table(['net', 'library', 'train step (train(n)/n):', 'train step (one call each):', 'forward:', 'peer ÷ us (step):',
           'peer ÷ us (forward):', 'loss falls (5 steps)'], rows),
    '\nRatios use our train(n)/n figure; "one call each" is step() called from JS once per step.',
    ...lines,
  ];
}

// The stream, batch and infer tables: one row per net, batch and library.
function timesReport(results, section, title, checkTitle) {
  const mine = pick(results, { section });
  if (!mine.length) return [];
  const rows = [], best = [];
  for (const net of NETS) {
    for (const batch of [1, BATCH]) {
      const group = pick(mine, { net: net.name, batch });
      if (!group.length) continue;
      const ours = group.find((r) => r.ours);
      for (const r of group) {
        const ratio = r.ours ? null : versus(ours, r)?.ratio;
        rows.push([net.name, String(batch), r.lib, fmt(r.median), fmtRange(r), fmtRate(r),
                   r.ours ? '1' : ratio == null ? '—' : fmtRatio(ratio), checkText(r)]);
      }
      const b = bestPeer(group);
      if (b) best.push(`${net.name} batch ${batch}: ${fmtRatio(b.ratio)} ${b.lib} (repetitions ${fmtRatio(b.min)} – ${fmtRatio(b.max)})`);
    }
  }
  const notes = SKIPPED.filter((s) => s.section === section).map((s) => `Not measured: ${s.lib}${s.net ? ` on ${s.net}` : ''} (${s.why}).`);
  return [
    `\n## ${title}\n`,
    table(['net', 'batch', 'library', 'per call (median):', 'range (min – max):', 'samples/s:', 'ours ÷ peer (samples/s):', checkTitle], rows),
    `\nOurs ÷ the fastest peer: ${best.join('; ')}`,
    ...notes,
  ];
}

function peakReport(results, peak) {
  const net = netNamed('C');
  const figures = [
    ['per-sample training', { section: 'stream', figure: 'train', batch: 1 }],
    ['batch-32 training', { section: 'batch', figure: 'train', batch: BATCH }],
    ['inference, batch 1', { section: 'infer', figure: 'predict', batch: 1 }],
    ['inference, batch 32', { section: 'infer', figure: 'predict', batch: BATCH }],
  ];
  const lines = [];
  for (const [label, query] of figures) {
    const [r] = pick(results, { ...query, net: 'C', ours: true });
    if (r?.median == null) continue;
    lines.push(`C ${label}: ${(callFlops(net, r) / 1e6).toFixed(1)} MFLOP per call → ${peakText(net, r, peak)}`);
  }
  return lines.length ? ['\n## C against the SIMD128 peak\n', ...lines] : [];
}

// The speed goals: ours ÷ the fastest peer measured alike (its name is printed), or % of the peak.
const GOALS = [
  ...['A', 'B', 'C'].map((net) => ({ label: `per-sample streaming training, ${net}`, query: { section: 'stream', net, batch: 1 }, min: net === 'A' ? 5 : 4 })),
  ...['B', 'C'].map((net) => ({ label: `batch-32 training samples/s, ${net}`, query: { section: 'batch', net, batch: BATCH }, min: 4 })),
  ...['B', 'C'].flatMap((net) => [1, BATCH].map((batch) =>
    ({ label: `inference batch ${batch}, ${net}`, query: { section: 'infer', net, batch }, min: net === 'B' ? 1.2 : 1.0, showPeak: net === 'C' }))),
  { label: 'per-sample training, C, of the SIMD128 peak', query: { section: 'stream', net: 'C', batch: 1 }, minPercent: 50 },
];

function verdicts(results, peak) {
  return GOALS.flatMap((goal) => {
    const group = pick(results, goal.query);
    if (!group.length) return [];
    const net = netNamed(goal.query.net);
    const ours = group.find((r) => r.ours);
    const percent = ours?.median == null ? null : percentOfPeak(net, ours, peak);
    const best = bestPeer(group);
    let v;
    if (goal.minPercent ? percent == null : best == null) {
      v = { met: false, text: `not measured: ${ours?.error ?? 'no peer'}` };
    } else if (goal.minPercent) {
      v = { met: percent >= goal.minPercent, value: percent, unit: '% of peak',
            text: `${percent.toFixed(0)}% of the peak (${gflops(net, ours).toFixed(1)} of ${peak.toFixed(1)} GFLOP/s), goal ≥ ${goal.minPercent}%` };
    } else {
      v = { met: best.ratio >= goal.min, value: best.ratio, unit: 'x', peer: best.lib, range: [best.min, best.max],
            text: `${fmtRatio(best.ratio)} ${best.lib} (repetitions ${fmtRatio(best.min)} – ${fmtRatio(best.max)}), goal ≥ ${goal.min}x` +
                  (goal.showPeak && percent != null ? `; ${percent.toFixed(0)}% of the peak` : '') };
    }
    return [{ goal: goal.label, ...v, line: `${v.met ? '✓' : '✗'} ${goal.label}: ${v.text}` }];
  });
}

// ------------------------------------------------------------------ run

async function main() {
  const started = now();
  const loadStart = os.loadavg();
  const date = new Date().toISOString();
  const lens = await loadOurs();
  const tf = await loadTf();
  const convnetjs = require('convnetjs');
  const progress = (text) => process.stderr.write(text);

  const peaks = [measurePeak(lens)];
  const results = [];
  for (const net of NETS) {
    const sections = OPTIONS.only.filter((s) => SECTIONS[s].nets.includes(net.name));
    if (!sections.length) continue;
    const pools = poolsOf(net);
    const libs = [oursLibrary(lens, net), tfLibrary(tf, 'wasm', net), tfLibrary(tf, 'cpu', net), convnetLibrary(convnetjs, net)];
    for (const section of sections) {
      progress(`${section} ${net.name}… `);
      const specs = SECTIONS[section].specs(net, libs.filter((lib) => !skipped(section, net, lib)), pools);
      results.push(...measureAll(specs).map((r) => ({ section, net: net.name, ...r })));
    }
    for (const lib of libs) lib.release();
    peaks.push(measurePeak(lens));
  }
  progress('\n');
  const peak = median(peaks.map((p) => p.gflops));
  const loadEnd = os.loadavg();
  const seconds = (now() - started) / 1000;

  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown CPU', cpus: os.cpus().length, node: process.version, loadStart, loadEnd, date };
  const convnetVersion = require('convnetjs/package.json').version;
  const goals = verdicts(results, peak);
  const peakValues = peaks.map((p) => p.gflops);
  const lines = [
    `# CNN Lens bench — ${machine.cpu}, ${machine.cpus} logical CPUs, Node ${machine.node}, ${date}`,
    `load average at start ${loads(loadStart)}, at end ${loads(loadEnd)}; total ${seconds.toFixed(0)} s`,
    `TF.js ${tf.version_core} (wasm backend single-threaded SIMD; Conv2DBackpropFilter registered by this bench, marked *), ` +
      `ConvNetJS ${convnetVersion}; ${REPS} repetitions, medians (at most ${SLOW_REPS}, of one iteration each, ` +
      `where an iteration takes over ${SLOW_MS} ms); every timed repetition from a fresh model`,
    `wasm SIMD128 peak (12 independent f32x4 mul+add chains, one core): ${peak.toFixed(1)} GFLOP/s ` +
      `(range ${Math.min(...peakValues).toFixed(1)} – ${Math.max(...peakValues).toFixed(1)}; ` +
      `measured before the nets and after each: ${peakValues.map((g) => g.toFixed(1)).join(', ')})\n`,
    ...fixedReport(results, peak),
    ...timesReport(results, 'stream', `Per-sample streaming training: trainBatch of the next of ${POOL} samples, one step per call`,
                   'loss falls (3 passes over 4 samples)'),
    ...timesReport(results, 'batch', `Batch-32 training: one step per batch of 32, ${BATCHES} batches`, 'loss falls (2 steps on one batch)'),
    ...timesReport(results, 'infer', `Inference: predict of the next sample (batch 1) or batch of 32`, 'output'),
    ...peakReport(results, peak),
    ...(goals.length ? ['\n## Verdicts\n', ...goals.map((g) => g.line)] : []),
  ];
  console.log(lines.join('\n'));

  if (OPTIONS.json) {
    const report = {
      machine, options: { ...OPTIONS, targetMs: TARGET_MS, slowMs: SLOW_MS, slowReps: SLOW_REPS },
      libraries: { tfjs: tf.version_core, convnetjs: convnetVersion },
      peak: { gflops: peak, measurements: peaks }, seconds,
      // Times in ms per call (a call: one step, or one inference, of `batch` samples).
      results: results.map((r) => ({
        ...r, samplesPerSecond: r.median && (r.batch * 1000) / r.median,
        gflops: r.ours && r.median != null ? gflops(netNamed(r.net), r) : undefined,
      })),
      verdicts: goals.map(({ line, ...g }) => g),
    };
    writeFileSync(OPTIONS.json, JSON.stringify(report, null, 2) + '\n');
  }
  const failed = results.filter((r) => r.error || (r.check && !r.check.ok));
  if (failed.length) {
    console.error(`\n${failed.length} measurement(s) failed (an error, or a loss that did not fall: no backward pass):\n` +
                  failed.map((r) => `  ${r.section} ${r.net} ${r.lib} ${r.figure} batch ${r.batch}: ${checkText(r)}`).join('\n'));
    process.exitCode = 1;
  }
}

await main();
