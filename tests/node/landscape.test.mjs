// The loss landscape computed in the core equals a brute-force search of the same grid done
// through the public setters, and leaves the model unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicScene, loadModule } from './support.mjs';

test('landscape over two dense weights matches a brute-force grid search', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const before = model.trace();
    const resolution = 9;
    const grid = model.lossLandscape(3, 'weight', 0, 3, 'bias', 1, 2, resolution);
    assert.equal(model.trace(), before, 'the landscape leaves the model as it was');
    assert.equal(grid.loss.length, resolution * resolution);

    let best = { loss: Infinity, row: -1, col: -1 };
    const weights = model.copy(3, 'weight');
    const biases = model.copy(3, 'bias');
    for (let r = 0; r < resolution; r++) {
      for (let c = 0; c < resolution; c++) {
        model.setParamElement(3, 'weight', 0, grid.aValues[c]);
        model.setParamElement(3, 'bias', 1, grid.bValues[r]);
        const loss = model.loss();
        assert.ok(Math.abs(loss - grid.loss[r * resolution + c]) <= 1e-6 * Math.max(1, loss), `cell ${r},${c}`);
        if (loss < best.loss) best = { loss, row: r, col: c };
      }
    }
    assert.deepEqual([grid.minRow, grid.minCol], [best.row, best.col]);
    model.setParam(3, 'weight', weights);
    model.setParam(3, 'bias', biases);
    assert.equal(model.trace(), before);
  } finally {
    model.delete();
  }
});

test('landscape arguments are checked', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    assert.throws(() => model.lossLandscape(3, 'weight', 0, 3, 'weight', 0, 1, 9), /two different parameters/);
    assert.throws(() => model.lossLandscape(1, 'weight', 0, 3, 'bias', 0, 1, 9), /no parameter "weight"/);
    assert.throws(() => model.lossLandscape(3, 'weight', 0, 3, 'bias', 0, 1, 1000), /resolution/);
    assert.throws(() => model.lossLandscape(3, 'weight', 0, 3, 'bias', 0, NaN, 9), /half width/);
  } finally {
    model.delete();
  }
});
