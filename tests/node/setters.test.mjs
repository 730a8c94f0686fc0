// Every setter of the JS Model: it changes what it should, re-runs the network, and a bad
// argument throws an Error with a message while leaving the state exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicScene, loadModule } from './support.mjs';

async function withClassic(body) {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    await body(model, lens);
  } finally {
    model.delete();
  }
}

/** Runs `call`, expects an Error whose message matches, and checks nothing changed. */
function assertRejected(model, call, pattern) {
  const before = model.trace();
  const sceneBefore = model.toJSON();
  assert.throws(call, (e) => e instanceof Error && pattern.test(e.message), `expected an Error matching ${pattern}`);
  assert.equal(model.trace(), before, 'trace unchanged after a failed call');
  assert.equal(model.toJSON(), sceneBefore, 'scene unchanged after a failed call');
}

test('setInputCell changes one cell and the maps downstream', () =>
  withClassic((model) => {
    model.setInputCell(0, 0, 1, 1); // the window of output (0,0) now reads a 1 where weight is -1
    assert.equal(model.view(0, 'output')[0], 2);
    assert.equal(model.inputView()[1], 1);
    assertRejected(model, () => model.setInputCell(0, 6, 0, 1), /outside the input 1x6x6/);
    assertRejected(model, () => model.setInputCell(0, 0, 0, NaN), /finite/);
    assertRejected(model, () => model.setInputCell(0, 0, 0, Infinity), /finite/);
  }));

test('setInput replaces the whole input', () =>
  withClassic((model) => {
    model.setInput(new Array(36).fill(0));
    assert.deepEqual(Array.from(model.view(0, 'output')), new Array(32).fill(0));
    assertRejected(model, () => model.setInput([1, 2, 3]), /got 3 values, expected 36/);
    assertRejected(model, () => model.setInput(new Array(36).fill('x')), /finite/);
    assertRejected(model, () => model.setInput('not an array'), /array of numbers/);
  }));

test('setParam and setParamElement edit kernels and biases', () =>
  withClassic((model) => {
    model.setParamElement(0, 'bias', 0, 1);
    assert.equal(model.view(0, 'output')[0], 4);
    model.setParamElement(0, 'weight', 0, 0); // filter 1's top-left tap no longer counts the 1 under it
    assert.equal(model.view(0, 'output')[0], 3);
    model.setParam(0, 'bias', [0, 0]);
    assert.equal(model.view(0, 'output')[0], 2);
    assertRejected(model, () => model.setParam(0, 'bias', [1, 2, 3]), /needs 2 values/);
    assertRejected(model, () => model.setParamElement(0, 'weight', 18, 1), /out of range/);
    assertRejected(model, () => model.setParamElement(0, 'kernel', 0, 1), /no parameter "kernel"/);
    assertRejected(model, () => model.setParamElement(1, 'weight', 0, 1), /no parameter "weight"/);
    assertRejected(model, () => model.setParamElement(9, 'weight', 0, 1), /layer 9 does not exist/);
    assertRejected(model, () => model.setParamElement(-1, 'weight', 0, 1), /negative/);
    assertRejected(model, () => model.setParamElement(0, 'weight', 0, NaN), /finite/);
  }));

test('setTarget changes the loss and checks the size', () =>
  withClassic((model) => {
    const before = model.loss();
    model.setTarget('[0, 1]');
    assert.notEqual(model.loss(), before);
    assert.deepEqual(Array.from(model.targetView()), [0, 1]);
    assertRejected(model, () => model.setTarget('[1, 2, 3]'), /target has 3 values/);
    assertRejected(model, () => model.setTarget('[1, '), /not valid JSON/);
    assertRejected(model, () => model.setTarget('[1, "a"]'), /number/);
  }));

test('setOptimizer switches to Adam and validates its settings', () =>
  withClassic((model) => {
    model.setOptimizer('{"type": "adam", "lr": 0.01}');
    assert.equal(model.optimizer().type, 'adam');
    model.step();
    assert.ok(model.layerTensors(0).some((t) => t.name === 'weight.velocity'), 'Adam v is listed');
    assertRejected(model, () => model.setOptimizer('{"type": "rmsprop"}'), /unknown optimizer type/);
    assertRejected(model, () => model.setOptimizer('{"type": "sgd", "lr": -1}'), /lr/);
    assertRejected(model, () => model.setOptimizer('{"type": "sgd", "momentum": 1}'), /momentum/);
  }));

test('a bad scene becomes an Error, and views and copies read the same numbers', async () => {
  const lens = await loadModule();
  assert.throws(() => new lens.Model('{'), (e) => e instanceof Error && /not valid JSON/.test(e.message));
  assert.throws(() => new lens.Model(42), (e) => e instanceof Error && /JSON string/.test(e.message));
  const bad = JSON.parse(classicScene());
  bad.layers[0].kernel_size = 7;
  assert.throws(
    () => new lens.Model(JSON.stringify(bad)),
    (e) => e instanceof Error && e.message.startsWith('layer 1 (conv2d): kernel_size 7x7 is larger') && e.code === 'kernel_too_large',
  );
  await withClassic((model) => {
    const copy = model.copy(0, 'weight.grad');
    assert.deepEqual(Array.from(model.view(0, 'weight.grad')), Array.from(copy));
    assert.throws(() => model.view(0, 'nope'), /no tensor "nope"/);
  });
});

test('toJSON round-trips the current state, training included', () =>
  withClassic(async (model, lens) => {
    model.train(5);
    const again = new lens.Model(model.toJSON());
    try {
      assert.deepEqual(Array.from(again.view(3, 'weight')), Array.from(model.view(3, 'weight')));
      assert.equal(again.loss(), model.loss());
    } finally {
      again.delete();
    }
  }));
