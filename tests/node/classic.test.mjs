// The classic 6x6 example through the wasm module: maps, pooling, arithmetic, training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicScene, loadModule } from './support.mjs';

const filter1Map = [3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1];
const filter2Map = [-1, -1, -1, -1, -1, -1, -2, 1, -1, -1, -2, 1, -1, 0, -4, 3];

test('the conv layer gives the two 4x4 maps of the classic story', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    assert.deepEqual(model.layerTensors(0).find((t) => t.name === 'output').shape, [2, 4, 4]);
    assert.deepEqual(Array.from(model.view(0, 'output')), [...filter1Map, ...filter2Map]);
    assert.deepEqual(Array.from(model.view(1, 'output')), [3, 0, 3, 1, -1, 1, 0, 3]);
  } finally {
    model.delete();
  }
});

test('the first output cell is written out as 1*1 + (-1)*0 + ... = 3', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const cell = model.explainConv(0, 0, 0, 0);
    assert.equal(cell.terms.length, 9);
    assert.deepEqual(cell.terms.map((t) => t.input * t.weight), [1, -0, -0, -0, 1, -0, -0, -0, 1]);
    assert.equal(cell.sum, 3);
    assert.equal(cell.output, 3);
    const pool = model.explainPool(1, 1, 1, 1);
    assert.equal(pool.kind, 'max');
    assert.equal(pool.window[pool.winner].value, 3);
  } finally {
    model.delete();
  }
});

test('training lowers the loss and reports each step', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const before = model.loss();
    const losses = model.train(30);
    assert.equal(losses.length, 30);
    assert.equal(losses[0], Math.fround(before));
    assert.ok(model.loss() < before, `loss ${model.loss()} should be below ${before}`);
    assert.equal(model.stepsTaken(), 30);
    const names = model.layerTensors(0).map((t) => t.name);
    assert.ok(names.includes('weight.delta'), 'optimizer state is listed after a step');
  } finally {
    model.delete();
  }
});
