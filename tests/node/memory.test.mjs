// Leaks: the wasm heap in use does not grow over 10,000 forward/backward/step calls nor over
// thousands of failed calls (errors must not leak their messages or arguments). A few bytes of
// allocator noise are allowed; a leak of even one byte per call would be thousands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicScene, loadModule, loadOnnxModule } from './support.mjs';

const allocatorNoise = 256;
const assertNoGrowth = (after, before) =>
  assert.ok(after <= before + allocatorNoise, `heap in use grew from ${before} to ${after} bytes`);

test('10,000 forward, backward and step calls leak nothing', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    model.train(10_001); // fills the bounded loss history to its steady size
    const before = lens.heapInUse();
    for (let k = 0; k < 10_000; k++) {
      model.forward();
      model.backward();
      model.step();
    }
    assertNoGrowth(lens.heapInUse(), before);
  } finally {
    model.delete();
  }
});

test('failed calls and deleted models leak nothing', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const before = lens.heapInUse();
    for (let k = 0; k < 2_000; k++) {
      assert.throws(() => model.setParamElement(0, 'a parameter name long enough to need the heap', 0, 1));
      assert.throws(() => model.setTarget('[1, 2, 3]'));
      assert.throws(() => new lens.Model('{"input": {"shape": [1, 6, 6]}}'));
      new lens.Model(classicScene()).delete();
    }
    assertNoGrowth(lens.heapInUse(), before);
  } finally {
    model.delete();
  }
});

// A failed call throws a JS Error from inside the wasm frames, which leaves them without giving
// back their wasm stack; bindings/stack_guard.js puts the stack pointer back. Before it, some
// 50,000 failed trainBatch calls ran the stack into the heap ("memory access out of bounds").
test('failed calls give the wasm stack back', async () => {
  const lens = await loadModule();
  const onnx = await loadOnnxModule();
  const model = new lens.Model(classicScene());
  try {
    const notFinite = new Float32Array(36).fill(NaN);
    const target = new Float32Array(2);
    const top = lens.stackSave();
    const onnxTop = onnx.stackSave();
    for (let k = 0; k < 100; k++) {
      assert.throws(() => model.trainBatch(notFinite, target), { code: 'not_finite' }); // the fast lane
      assert.throws(() => model.trainBatch('not numbers', target)); // the Embind way
      assert.throws(() => model.predict(notFinite), { code: 'not_finite' });
      assert.throws(() => model.setTarget('[1, 2, 3]'));
      assert.throws(() => new lens.Model('{"input": {"shape": [1, 6, 6]}}'));
      assert.throws(() => onnx.importOnnx(new Uint8Array([1, 2, 3, 4])));
    }
    assert.equal(lens.stackSave(), top, "the main module's stack pointer moved");
    assert.equal(onnx.stackSave(), onnxTop, "the ONNX module's stack pointer moved");
    // the same model trains on
    assert.ok(Number.isFinite(model.trainBatch(new Float32Array(36).fill(0.5), target)));
    assert.ok(new lens.Model(classicScene()) instanceof lens.Model);
  } finally {
    model.delete();
  }
});
