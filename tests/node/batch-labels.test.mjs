// Class labels given to trainBatch/trainBatches (cross_entropy scenes) and to evaluate: one
// integer class index per sample, checked the same way by every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule, readText } from './support.mjs';

const scene = () => JSON.stringify(JSON.parse(readText('tests/fixtures/reference/dense_only_ce.json')).scene);
const inputs = (samples) => Float32Array.from({ length: samples * 10 }, (_, k) => Math.sin(k));

test('labels: one integer class index per sample, in trainBatch, trainBatches and evaluate', async () => {
  const lens = await loadModule();
  const model = new lens.Model(scene());
  try {
    const calls = {
      trainBatch: (labels) => model.trainBatch(inputs(2), labels),
      trainBatches: (labels) => model.trainBatches(inputs(2), labels, 1),
      evaluate: (labels) => model.evaluate(inputs(2), labels),
    };
    for (const [name, call] of Object.entries(calls)) {
      assert.throws(() => call([1]), { message: 'labels: got 1, expected one per sample (2)' }, name);
      assert.throws(() => call([0, 1.5]), { message: 'labels: value 1 is not a class index' }, name);
      assert.throws(() => call([-1, 0]), { message: 'labels: value 0 is not a class index' }, name);
      assert.throws(() => call(new Float32Array([0, NaN])), { message: 'labels: value 1 is not a class index' }, name);
    }
    assert.ok(Number.isFinite(model.trainBatch(inputs(2), new Int32Array([0, 2]))));
    const scored = model.evaluate(inputs(2), [0, 2]);
    assert.equal(scored.predictions.length, 2);
    assert.equal(scored.correct, [0, 2].filter((c, k) => scored.predictions[k] === c).length);
    assert.equal(model.evaluate(inputs(2)).accuracy, null, 'no labels: predictions only');
  } finally {
    model.delete();
  }
});
