// Model.explainCell through the wasm module: the core's typed records arrive as plain JS objects,
// their numbers reproduce the tensors the module shows, long sums are capped with the rest
// counted, and bad cells throw Errors with a code. The gradient check names the classic tie.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule, classicScene } from './support.mjs';

const close = (a, b, tol = 1e-5) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

function checkRecord(r) {
  assert.equal(typeof r.kind, 'string');
  assert.equal(typeof r.formula, 'string');
  assert.equal(typeof r.cell.node, 'number');
  if (r.total !== undefined) assert.ok(close(r.total, r.value, 1e-4), `${r.formula}: total ${r.total} vs ${r.value}`);
  if (!r.terms) return;
  let shown = r.constant ? r.constant.value : 0;
  let zeroSeen = false;
  for (const t of r.terms) {
    shown += t.product;
    if (t.product === 0) zeroSeen = true;
    else assert.ok(!zeroSeen, 'non-zero terms come first');
    for (const ref of [t.a_ref, t.b_ref]) if (ref) assert.deepEqual(Object.keys(ref).filter((k) => !['node', 'tensor', 'sample', 'index'].includes(k)), []);
  }
  assert.ok(close(shown, r.shown_total, 1e-9));
  assert.equal(r.terms.length + r.omitted_zero_terms + r.omitted_terms, r.term_count);
}

test('every gradient cell of the classic example is explained, reproducing the module’s tensors', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const formulas = new Set();
    for (let layer = 0; layer < model.layerCount(); layer++) {
      for (const name of ['output', 'grad_output', 'grad_input', 'weight.grad', 'bias.grad']) {
        const info = model.layerTensors(layer).find((t) => t.name === name);
        if (!info) continue;
        const values = Float32Array.from(model.view(layer, name));
        for (let i = 0; i < values.length; i++) {
          const r = model.explainCell(layer, name, 0, i, 12);
          assert.ok(close(r.value, values[i], 1e-7), `${layer} ${name}[${i}]`);
          checkRecord(r);
          formulas.add(r.formula);
        }
      }
    }
    for (const f of ['loss.mse', 'activation.grad', 'dense.grad_input', 'dense.weight_grad', 'dense.bias_grad',
      'flatten.grad_input', 'maxpool.grad_input', 'conv.weight_grad', 'conv.bias_grad']) {
      assert.ok(formulas.has(f), f);
    }
  } finally {
    model.delete();
  }
});

test('the sigmoid step of the chain rule carries its factors: dL/dy × y × (1 − y)', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const r = model.explainCell(3, 'grad_output', 0, 0, 12);
    assert.equal(r.kind, 'chain');
    assert.equal(r.type, 'sigmoid');
    assert.deepEqual(r.same_as, { node: 4, tensor: 'grad_input', sample: 0, index: 0 });
    const [y, oneMinusY] = r.slope_factors.map((f) => f.value);
    assert.ok(close(r.grad_output * y * oneMinusY, r.value));
    assert.deepEqual(r.grad_output_ref, { node: 4, tensor: 'grad_output', sample: 0, index: 0 });
  } finally {
    model.delete();
  }
});

test('a long weight-gradient sum keeps maxTerms non-zero terms and counts the rest', async () => {
  const lens = await loadModule();
  const image = new Array(28 * 28).fill(0);
  for (let k = 0; k < 28; k++) image[k * 28 + k] = 1;
  const scene = {
    input: { shape: [1, 28, 28], data: image },
    layers: [{ type: 'conv2d', out_channels: 2, kernel_size: 3 }, { type: 'flatten' }, { type: 'dense', out_features: 3 }],
    loss: 'cross_entropy', target: 1, seed: 2,
  };
  const model = new lens.Model(JSON.stringify(scene));
  try {
    const start = performance.now();
    const r = model.explainCell(0, 'weight.grad', 0, 4, 5);
    const ms = performance.now() - start;
    checkRecord(r);
    assert.equal(r.term_count, 26 * 26);
    assert.equal(r.terms.length, 5);
    assert.equal(r.omitted_terms, 26 - 5);
    assert.equal(r.omitted_zero_terms, 26 * 26 - 26);
    assert.ok(close(r.shown_total + r.omitted_sum, r.value, 1e-4));
    assert.ok(ms < 50, `${ms} ms`);
  } finally {
    model.delete();
  }
});

test('bad cells throw Errors with a code', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    assert.throws(() => model.explainCell(0, 'nonsense', 0, 0, 12), (e) => e instanceof Error && e.code === 'unknown_tensor');
    assert.throws(() => model.explainCell(0, 'output', 0, 999, 12), (e) => e instanceof Error && e.code === 'cell_out_of_range');
    assert.throws(() => model.explainCell(42, 'output', 0, 0, 12), (e) => e instanceof Error);
    assert.throws(() => model.explainCell(0, 'output', -1, 0, 12), (e) => e instanceof Error);
  } finally {
    model.delete();
  }
});

test('the gradient check names the classic example’s max-pool tie, with its cells', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    const rows = model.gradientCheck().results;
    const bad = rows.filter((r) => r.max_rel_error >= 1e-2);
    assert.ok(bad.length > 0);
    for (const r of bad) {
      assert.ok(r.causes.length > 0, JSON.stringify(r));
      const c = r.causes[0];
      assert.equal(c.kind, 'maxpool_tie');
      assert.equal(c.node, 1);
      assert.ok(c.cells.length >= 2);
      assert.equal(c.input_width, 4);
    }
    for (const r of rows.filter((x) => x.max_rel_error < 1e-2)) assert.equal(r.causes, undefined);
  } finally {
    model.delete();
  }
});
