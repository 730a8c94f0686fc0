// Speed of one training step (forward + backward + SGD update, batch 1) and of one forward pass:
// our wasm core against TensorFlow.js (cpu and wasm backends) and ConvNetJS, all in this Node
// process, on three nets (A: the classic 6x6 example, B: an MNIST-sized LeNet, C: 64x64x3).
// Also measures the machine's wasm SIMD128 peak with a register-resident loop compiled into our
// module, and reports our GFLOP/s against it. Usage: node bench/run.mjs [--quick] [--module=PATH]
// (--module: another build of our module, e.g. an older commit's, to compare builds on one machine)
// See bench/README.md for what is measured and how.
import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const modulePath = process.argv.find((a) => a.startsWith('--module='))?.slice('--module='.length);
const REPS = quick ? 3 : 7;         // repetitions per measurement (the table shows medians)
const TARGET_MS = quick ? 60 : 150; // wall time of one repetition

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
  return JSON.stringify({
    version: 1,
    input: { shape: net.inputShape, data: Array.from(net.input) },
    layers,
    loss: net.loss,
    target: net.target,
    optimizer: { type: 'sgd', lr: net.lr, momentum: 0 },
    seed: 1,
  });
}

// Floating-point operations of one training step as our core runs it: conv and dense forward,
// weight gradient and input gradient (the core computes dL/dinput of every layer, the first
// included, because the page shows it). Pooling, activations and the update are not counted.
function stepFlops(net) {
  let [c, h, w] = net.inputShape;
  let forward = 0;
  for (const conv of net.convs) {
    const oh = h + 2 * conv.pad - conv.k + 1, ow = w + 2 * conv.pad - conv.k + 1;
    forward += 2 * conv.filters * c * conv.k * conv.k * oh * ow;
    [c, h, w] = [conv.filters, Math.floor(oh / 2), Math.floor(ow / 2)];
  }
  forward += 2 * c * h * w * net.classes;
  return { forward, step: 3 * forward };
}

// ------------------------------------------------------------------ timing helpers

const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A measurement: `run(n)` does n iterations. Calibrated once, then timed REPS times, interleaved
// with the other libraries' measurements by the caller; returns ms per iteration.
function calibrate(run) {
  let n = 1;
  for (;;) {
    const t = now();
    run(n);
    const dt = now() - t;
    if (dt > TARGET_MS / 4 || n >= 1 << 22) return Math.max(1, Math.round((n * TARGET_MS) / Math.max(dt, 1e-3)));
    n *= 4;
  }
}

// The same for a function that times itself (returns ms for n iterations, setup excluded).
function calibrateTimed(run, fixed) {
  if (fixed) return fixed;
  let n = 1;
  for (;;) {
    const dt = run(n);
    if (dt > TARGET_MS / 4 || n >= 1 << 22) return Math.max(1, Math.round((n * TARGET_MS) / Math.max(dt, 1e-3)));
    n *= 4;
  }
}

function timeOnce(run, n) {
  const t = now();
  run(n);
  return (now() - t) / n;
}

// ------------------------------------------------------------------ our core

async function loadOurs() {
  const path = modulePath ? resolve(modulePath) : join(root, 'build/wasm/bindings/cnnlens.mjs');
  const createCnnLens = (await import(path)).default;
  return createCnnLens();
}

function oursFor(lens, net) {
  const model = new lens.Model(sceneOf(net));
  return {
    losses: (steps) => Array.from(model.train(steps)),
    trainMany: (n) => model.train(n),       // one JS->wasm call for n steps
    stepCalls: (n) => { for (let i = 0; i < n; i++) model.step(); },
    forward: (n) => { for (let i = 0; i < n; i++) model.forward(); },
    dispose: () => model.delete(),
  };
}

function measurePeak(lens) {
  const perIteration = lens.simdPeakFlopsPerIteration();
  const run = (n) => lens.simdPeak(n);
  const n = calibrate(run);
  const times = [];
  for (let r = 0; r < REPS; r++) times.push(timeOnce(run, n));
  return perIteration / median(times) / 1e6; // GFLOP/s (ms per iteration)
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
  const log = console.log; // silence the "install tfjs-node" banner
  console.log = () => {};
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
  console.log = log;
  registerWasmConv2DBackpropFilter(tf);
  return tf;
}

// The net with tfjs-core ops (NHWC), trained by tf.train.sgd; every step reads its loss back,
// as our train() returns every loss.
function tfFor(tf, backend, net) {
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
  // [C, H, W] -> NHWC
  const x = tf.tidy(() => tf.reshape(tf.transpose(tf.tensor(net.input, net.inputShape), [1, 2, 0]), [1, net.inputShape[1], net.inputShape[2], net.inputShape[0]]));
  const target = net.loss === 'mse' ? tf.tensor2d([net.target]) : tf.oneHot(tf.tensor1d([net.target], 'int32'), net.classes);
  const predict = () => {
    let y = x;
    for (const p of params) {
      y = tf.add(tf.conv2d(y, p.w, 1, p.conv.pad), p.b);
      if (p.conv.relu) y = tf.relu(y);
      y = tf.maxPool(y, 2, 2, 'valid');
    }
    y = tf.add(tf.matMul(tf.reshape(y, [1, flat]), dw), db);
    return net.loss === 'mse' ? tf.sigmoid(y) : y;
  };
  const lossOf = () => {
    const y = predict();
    return net.loss === 'mse' ? tf.mean(tf.square(tf.sub(y, target))) : tf.losses.softmaxCrossEntropy(target, y);
  };
  const optimizer = tf.train.sgd(net.lr);
  const step = () => {
    const loss = optimizer.minimize(lossOf, true);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };
  return {
    losses: (steps) => { tf.setBackend(backend); return Array.from({ length: steps }, step); },
    stepCalls: (n) => { tf.setBackend(backend); for (let i = 0; i < n; i++) step(); },
    forward: (n) => {
      tf.setBackend(backend);
      for (let i = 0; i < n; i++) {
        const y = tf.tidy(predict);
        y.dataSync();
        y.dispose();
      }
    },
    dispose: () => {
      tf.setBackend(backend);
      optimizer.dispose();
      tf.dispose([x, target, dw, db, ...params.flatMap((p) => [p.w, p.b])]);
    },
  };
}

// ------------------------------------------------------------------ ConvNetJS

// Layers built one by one (ConvNetJS's makeLayers would add an fc before the regression layer).
function convnetFor(convnetjs, net) {
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
  const [C, H, W] = net.inputShape;
  const vol = new convnetjs.Vol(W, H, C, 0.0);
  for (let ch = 0; ch < C; ch++) {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) vol.set(x, y, ch, net.input[(ch * H + y) * W + x]);
  }
  const trainer = new convnetjs.Trainer(model, { method: 'sgd', learning_rate: net.lr, momentum: 0, batch_size: 1, l2_decay: 0 });
  const target = net.loss === 'mse' ? net.target : net.target;
  const step = () => trainer.train(vol, target).loss;
  return {
    losses: (steps) => Array.from({ length: steps }, step),
    stepCalls: (n) => { for (let i = 0; i < n; i++) step(); },
    forward: (n) => { for (let i = 0; i < n; i++) model.forward(vol, false); },
    dispose: () => {},
  };
}

// ------------------------------------------------------------------ run

function fmt(ms) {
  if (ms == null) return '—';
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

async function main() {
  const started = now();
  const lens = await loadOurs();
  const tf = await loadTf();
  const convnetjs = require('convnetjs');
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`# CNN Lens bench — ${cpuModel}, ${os.cpus().length} logical CPUs, Node ${process.version}, ` +
              `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`TF.js ${tf.version_core} (wasm backend single-threaded SIMD; Conv2DBackpropFilter registered by this bench), ` +
              `ConvNetJS 0.3.0; ${REPS} repetitions, medians\n`);

  const peaks = [measurePeak(lens)];
  const results = [];
  let failed = false;
  for (const net of NETS) {
    // tfjs-cpu on C takes about a second per step: fewer repetitions there.
    const libs = [
      { name: 'CNN Lens (wasm)', make: () => oursFor(lens, net), ours: true },
      { name: 'TF.js wasm*', make: () => tfFor(tf, 'wasm', net) },
      { name: 'TF.js cpu', make: () => tfFor(tf, 'cpu', net), slow: net.name === 'C' },
      { name: 'ConvNetJS', make: () => convnetFor(convnetjs, net) },
    ];
    // Every timed repetition of a training measurement starts from a fresh model (the initial
    // weights): trained for thousands of steps on one sample, a net memorises it, its gradients
    // shrink to float32 denormals and every float32 library slows down by an order of magnitude.
    const runs = libs.map((lib) => {
      const probe = lib.make();
      const losses = probe.losses(5);      // also the warm-up
      probe.dispose();
      const falls = losses[4] < losses[0];
      if (!falls) failed = true;
      const kinds = ['step', 'forward'];
      if (lib.ours) kinds.unshift('train');
      const fresh = (kind) => (n) => {
        const impl = lib.make();
        const run = { train: impl.trainMany, step: impl.stepCalls, forward: impl.forward }[kind];
        const t = now();
        run(n);
        const dt = now() - t;
        impl.dispose();
        return dt;
      };
      const measures = Object.fromEntries(kinds.map((k) => [k, fresh(k)]));
      const counts = Object.fromEntries(kinds.map((k) => [k, calibrateTimed(measures[k], lib.slow ? 1 : 0)]));
      return { lib, losses, falls, measures, counts, times: Object.fromEntries(kinds.map((k) => [k, []])) };
    });
    for (let r = 0; r < REPS; r++) {
      for (const run of runs) {
        if (run.lib.slow && r >= 3) continue;
        for (const [k, fn] of Object.entries(run.measures)) run.times[k].push(fn(run.counts[k]) / run.counts[k]);
      }
    }
    peaks.push(measurePeak(lens));
    for (const run of runs) {
      results.push({
        net: net.name, lib: run.lib.name, ours: !!run.lib.ours,
        train: run.times.train ? median(run.times.train) : null,
        step: median(run.times.step), forward: median(run.times.forward),
        losses: run.losses, falls: run.falls,
      });
    }
  }
  const peak = median(peaks);

  console.log(`wasm SIMD128 peak (12 independent f32x4 mul+add chains, one core): ${peak.toFixed(1)} GFLOP/s ` +
              `(samples ${peaks.map((p) => p.toFixed(1)).join(', ')})\n`);
  console.log('| net | library | train step (train(n)/n) | train step (one call each) | forward | peer ÷ us (step) | peer ÷ us (forward) | loss falls (5 steps) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  const verdicts = [];
  for (const net of NETS) {
    const rows = results.filter((r) => r.net === net.name);
    const us = rows.find((r) => r.ours);
    const ourStep = us.train;
    for (const r of rows) {
      const ratioStep = r.ours ? '1' : `${(r.step / ourStep).toFixed(1)}x`;
      const ratioFwd = r.ours ? '1' : `${(r.forward / us.forward).toFixed(1)}x`;
      console.log(`| ${net.name} | ${r.lib} | ${fmt(r.train)} | ${fmt(r.step)} | ${fmt(r.forward)} | ${ratioStep} | ${ratioFwd} | ` +
                  `${r.falls ? 'yes' : 'NO'} ${r.losses[0].toPrecision(4)} → ${r.losses[4].toPrecision(4)} |`);
    }
    const peers = rows.filter((r) => !r.ours);
    const fastest = peers.reduce((a, b) => (b.step < a.step ? b : a));
    const flops = stepFlops(net);
    const gflops = flops.step / ourStep / 1e6;
    const need = { A: 5, B: 2, C: 1 }[net.name];
    verdicts.push(`${net.name}: fastest peer ${fastest.lib} ${fmt(fastest.step)}, us ${fmt(ourStep)} (per call ${fmt(us.step)}) → ` +
                  `${(fastest.step / ourStep).toFixed(1)}x (target ≥ ${need}x); ${(flops.step / 1e6).toFixed(2)} MFLOP/step → ` +
                  `${gflops.toFixed(1)} GFLOP/s = ${((100 * gflops) / peak).toFixed(0)}% of peak`);
  }
  console.log('\n* TF.js 4.22 wasm ships no Conv2DBackpropFilter kernel; this bench registers one built from the backend\'s ' +
              'own Transpose and Conv2D kernels so the conv nets can train.');
  console.log('Ratios use our train(n)/n figure; "one call each" is step() called from JS once per step.\n');
  for (const v of verdicts) console.log(v);
  console.log(`\ntotal ${((now() - started) / 1000).toFixed(0)} s`);
  if (failed) {
    console.error('a library\'s loss did not fall over 5 steps: its backward pass is not running');
    process.exitCode = 1;
  }
}

await main();
