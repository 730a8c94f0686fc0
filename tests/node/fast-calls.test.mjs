// trainBatch and predict's fast lane (bindings/fast_calls.js: typed arrays written straight into
// the wasm heap) against the general Embind path, which arrays from another JS realm take (they
// are typed arrays to ArrayBuffer.isView but not instances of this realm's classes). Both must
// give bit-identical results, the same errors, and leave the model unchanged when they refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { loadModule, readText } from './support.mjs';

const otherRealm = vm.runInNewContext('({ Float32Array, Int32Array, Uint8Array })');
const classicScene = readText('examples/classic.json');
const digitsScene = readText('examples/digits.json');

function pseudoRandom(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

// A model of each scene given, passed to `use`, deleted afterwards whatever happens.
function withModels(lens, scenes, use) {
  const models = scenes.map((scene) => new lens.Model(scene));
  try {
    return use(...models);
  } finally {
    for (const model of models) model.delete();
  }
}

// `count` samples of `size` values in [0, 1), in this realm and copied into the other one.
function samples(count, size, seed) {
  const rnd = pseudoRandom(seed);
  const here = Float32Array.from({ length: count * size }, rnd);
  return { here, there: new otherRealm.Float32Array(here) };
}

test('fast lane: streaming trainBatch gives the same losses and weights as the Embind path', async () => {
  const lens = await loadModule();
  // installed (Embind's own methods are named after the class, e.g. Model$stepsTaken)
  assert.equal(lens.Model.prototype.trainBatch.name, 'trainBatch');
  assert.equal(lens.Model.prototype.predict.name, 'predict');
  for (const [name, scene, targetOf] of [
    ['classic (mse)', classicScene, (k) => Float32Array.from([k % 2, 1 - (k % 2)])],
    ['digits (cross_entropy)', digitsScene, (k) => Int32Array.from([k % 10])],
  ]) {
    withModels(lens, [scene, scene], (fast, general) => {
      const size = fast.inputShape().reduce((a, b) => a * b, 1);
      for (let k = 0; k < 6; k++) {
        const x = samples(1, size, 100 + k);
        const t = targetOf(k);
        const there = t instanceof Int32Array ? new otherRealm.Int32Array(t) : new otherRealm.Float32Array(t);
        assert.equal(fast.trainBatch(x.here, t), general.trainBatch(x.there, there), `${name}: loss of step ${k}`);
      }
      assert.equal(fast.stepsTaken(), 6);
      assert.equal(fast.trace(), general.trace(), `${name}: every tensor after 6 steps`);
    });
  }
});

test('fast lane: bytes are scaled by 1/255 in float32 and plain arrays are read as numbers', async () => {
  const lens = await loadModule();
  withModels(lens, [digitsScene, digitsScene], (a, b) => {
    const rnd = pseudoRandom(7);
    const pixels = Uint8Array.from({ length: 784 }, () => Math.floor(rnd() * 256));
    // what the core computes: float(p) * float(1/255), rounded to float32
    const scaled = Float32Array.from(pixels, (p) => Math.fround(p * Math.fround(1 / 255)));
    assert.equal(a.trainBatch(pixels, [3]), b.trainBatch(new otherRealm.Float32Array(scaled), new otherRealm.Int32Array([3])));
    assert.deepEqual(a.predict(pixels), b.predict(new otherRealm.Float32Array(scaled)));
    assert.deepEqual(a.predict(new Uint8ClampedArray(pixels)), a.predict(scaled));
    assert.deepEqual(a.predict(Array.from(pixels, (p) => p / 255)), a.predict(Float32Array.from(pixels, (p) => p / 255)));
  });
});

test('predict takes any whole number of samples, in chunks, across heap growth, and changes nothing', async () => {
  const lens = await loadModule();
  const model = new lens.Model(digitsScene);
  try {
    const before = model.trace();
    const count = 3000; // 9.4 MB of samples: the staging area grows the 16 MB heap
    const x = samples(count, 784, 11).here;
    const all = model.predict(x);
    assert.equal(all.length, count * 10);
    for (const k of [0, 1, 63, 64, 65, 1999, count - 1]) {
      assert.deepEqual(all.subarray(k * 10, k * 10 + 10), model.predict(x.subarray(k * 784, (k + 1) * 784)), `sample ${k}`);
    }
    const evaluation = model.evaluate(x.subarray(0, 100 * 784));
    for (let k = 0; k < 100; k++) {
      const logits = all.subarray(k * 10, k * 10 + 10);
      assert.equal(evaluation.predictions[k], logits.indexOf(Math.max(...logits)), `argmax of sample ${k}`);
    }
    assert.equal(model.trace(), before, 'the tensors shown still describe the scene');
  } finally {
    model.delete();
  }
});

test('fast lane: refused calls say why, as the Embind path does, and change nothing', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene);
  try {
    const before = model.trace();
    const cases = [
      [() => model.trainBatch(new Float32Array(35), new Float32Array(2)), /inputs: got 35 values, expected a whole number of samples of 36/],
      [() => model.trainBatch(new Float32Array(36), new Float32Array(3)), /targets: got 3 values, expected 2 per sample/],
      [() => model.trainBatch(Float32Array.from({ length: 36 }, (_, k) => (k === 5 ? NaN : 0)), new Float32Array(2)), /input value 5 of sample 0 is not a finite number/],
      [() => model.trainBatch(new Float32Array(36), [0, Infinity]), /every target value must be a finite number/],
      [() => model.trainBatch(['a', ...new Array(35).fill(0)], [0, 1]), /input value 0 of sample 0 is not a finite number/],
      [() => model.predict(new Float32Array(0)), /inputs: got 0 values/],
      [() => model.predict('abc'), /inputs must be a typed array or an array of numbers/],
      [() => model.trainBatch(new Float32Array(36)), /./],
    ];
    for (const [call, message] of cases) {
      assert.throws(call, (e) => e instanceof Error && message.test(e.message), String(call));
      assert.equal(model.stepsTaken(), 0);
    }
    assert.equal(model.trace(), before);
  } finally {
    model.delete();
  }
});

// A batch runs in cache-sized chunks unless a node mixes samples in training (docs/api.md). A
// dropout node with p = 0 changes no value but makes the batch run as one pass: the two models
// must take exactly the same step.
test('a batch trained in chunks takes exactly the step one pass takes', async () => {
  const lens = await loadModule();
  for (const [name, shape, filters] of [['12x12, chunks of several samples', [1, 12, 12], 4], ['28x28, one sample a chunk', [1, 28, 28], 8]]) {
    const sceneWith = (extra) => {
      const chain = [
        { type: 'conv2d', out_channels: filters, kernel_size: 3, padding: 1 }, { type: 'relu' },
        { type: 'maxpool2d', kernel_size: 2 }, { type: 'flatten' }, ...extra, { type: 'dense', out_features: 10 },
      ];
      const nodes = chain.map((node, k) => ({ id: `n${k}`, inputs: [k === 0 ? 'input' : `n${k - 1}`], ...node }));
      return JSON.stringify({
        version: 2, input: { shape, data: new Array(shape[1] * shape[2]).fill(0.5) }, nodes,
        loss: 'cross_entropy', target: 1, optimizer: { type: 'adam', lr: 0.01 }, mode: 'train', seed: 3,
      });
    };
    withModels(lens, [sceneWith([]), sceneWith([{ type: 'dropout', p: 0 }])], (chunked, whole) => {
      const x = samples(32, shape[1] * shape[2], 5).here;
      const labels = Int32Array.from({ length: 32 }, (_, k) => (k * 7) % 10);
      for (let step = 0; step < 3; step++) {
        assert.equal(chunked.trainBatch(x, labels), whole.trainBatch(x, labels), `${name}: loss of step ${step}`);
      }
      assert.deepEqual(chunked.trainBatches(x, labels, 16), whole.trainBatches(x, labels, 16), `${name}: trainBatches`);
      for (const [id, wholeId] of [['n0', 'n0'], ['n4', 'n5']]) {
        for (const param of ['weight', 'bias']) {
          assert.deepEqual(chunked.nodeCopy(id, param), whole.nodeCopy(wholeId, param), `${name}: ${id} ${param}`);
        }
      }
    });
  }
});
