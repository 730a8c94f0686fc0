// A long run: 100,000 training steps through the JS API, one call per step as the page makes
// them. The wasm heap in use and the JS heap (after garbage collection) must stay flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { classicScene, loadModule } from './support.mjs';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

function jsHeapAfterGc() {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

test('100,000 steps keep the wasm heap and the JS heap flat', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    model.train(10_001); // reach the steady size of the bounded loss history
    const wasmBefore = lens.heapInUse();
    const jsBefore = jsHeapAfterGc();
    const started = performance.now();
    for (let k = 0; k < 100_000; k++) {
      model.step();
      if (k % 1000 === 0) model.view(0, 'output'); // views are created and dropped too
    }
    const seconds = (performance.now() - started) / 1000;
    const wasmGrowth = lens.heapInUse() - wasmBefore;
    const jsGrowth = jsHeapAfterGc() - jsBefore;
    console.log(`# long run: 100000 steps in ${seconds.toFixed(2)} s; wasm heap in use ${wasmBefore} -> ` +
      `${wasmBefore + wasmGrowth} bytes; JS heap growth ${(jsGrowth / 1024).toFixed(1)} KiB`);
    assert.ok(wasmGrowth <= 256, `wasm heap grew by ${wasmGrowth} bytes`);
    assert.ok(jsGrowth <= 1024 * 1024, `JS heap grew by ${jsGrowth} bytes`);
    assert.ok(Number.isFinite(model.loss()));
  } finally {
    model.delete();
  }
});
