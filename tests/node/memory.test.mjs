// Leaks: the wasm heap in use does not grow over 10,000 forward/backward/step calls nor over
// thousands of failed calls (errors must not leak their messages or arguments). A few bytes of
// allocator noise are allowed; a leak of even one byte per call would be thousands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicScene, loadModule } from './support.mjs';

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
