// Native/wasm parity: on every committed reference scene the wasm trace equals the native CLI's
// trace, and both equal PyTorch's, within float32 tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTracesClose, loadModule, nativeTrace, referenceFixtures } from './support.mjs';

const fixtures = referenceFixtures();

test('there are reference fixtures to compare', () => {
  assert.ok(fixtures.length >= 20, `found ${fixtures.length} fixtures`);
});

for (const fixture of fixtures) {
  test(`wasm matches native and PyTorch: ${fixture.name}`, async () => {
    const lens = await loadModule();
    const model = new lens.Model(JSON.stringify(fixture.scene));
    try {
      model.train(fixture.steps);
      const wasm = JSON.parse(model.trace());
      assertTracesClose(wasm, nativeTrace(fixture.scene, fixture.steps), `${fixture.name} (native)`);
      assertTracesClose(wasm, fixture.trace, `${fixture.name} (PyTorch)`);
    } finally {
      model.delete();
    }
  });
}
