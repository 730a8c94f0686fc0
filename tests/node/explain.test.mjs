// The gradient sums behind the page's explanations, read through the wasm module's fast path
// (terms copied from the core's structs in one call): every term must name the right cells and
// carry their exact values, and the terms must add up to the layer's own gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule, readText } from './support.mjs';

// stride [2,1], padding [1,2], dilation 2, 3 input channels: every index path is exercised
const scene = () => JSON.parse(readText('tests/fixtures/reference/conv_all_options.json')).scene;

const tensor = (model, layer, name) => {
  const info = model.layerTensors(layer).find((t) => t.name === name);
  return { shape: info.shape, data: Float32Array.from(model.view(layer, name)) };
};
const at3 = (t, c, r, k) => t.data[(c * t.shape[1] + r) * t.shape[2] + k];

test('every conv weight gradient is the sum of its terms, each naming the right cells', async () => {
  const lens = await loadModule();
  const model = new lens.Model(JSON.stringify(scene()));
  try {
    const input = tensor(model, 0, 'input');
    const upstream = tensor(model, 0, 'grad_output');
    const grad = tensor(model, 0, 'weight.grad');
    const [outC, inC, kh, kw] = grad.shape;
    let checked = 0;
    for (let o = 0; o < outC; o++) for (let c = 0; c < inC; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const w = model.explainConvWeightGrad(0, o, c, i, j);
      assert.ok(w.terms.length > 0);
      let sum = 0;
      for (const t of w.terms) {
        // the same geometry as the layer: input cell = output cell * stride - padding + tap * dilation
        assert.equal(t.input_row, t.row * 2 - 1 + i * 2);
        assert.equal(t.input_col, t.col * 1 - 2 + j * 2);
        assert.equal(t.input, at3(input, c, t.input_row, t.input_col));
        assert.equal(t.grad_output, at3(upstream, o, t.row, t.col));
        sum += t.input * t.grad_output;
      }
      assert.equal(w.grad, grad.data[((o * inC + c) * kh + i) * kw + j]);
      assert.ok(Math.abs(sum - w.sum) <= 1e-9 * Math.max(1, Math.abs(sum)), `sum ${sum} vs ${w.sum}`);
      assert.ok(Math.abs(w.sum - w.grad) <= 1e-5 + 1e-4 * Math.abs(w.grad), `sum ${w.sum} vs grad ${w.grad}`);
      checked++;
    }
    assert.equal(checked, outC * inC * kh * kw);
  } finally {
    model.delete();
  }
});

test('every conv input gradient is the sum of its terms, each naming the right weight and cell', async () => {
  const lens = await loadModule();
  const model = new lens.Model(JSON.stringify(scene()));
  try {
    const weight = tensor(model, 0, 'weight');
    const upstream = tensor(model, 0, 'grad_output');
    const gradInput = tensor(model, 0, 'grad_input');
    const [, inC, kh, kw] = weight.shape;
    const [, h, w] = gradInput.shape;
    for (let c = 0; c < inC; c++) for (let u = 0; u < h; u++) for (let v = 0; v < w; v++) {
      const g = model.explainConvInputGrad(0, c, u, v);
      let sum = 0;
      for (const t of g.terms) {
        assert.equal(t.row * 2 - 1 + t.kernel_row * 2, u);
        assert.equal(t.col * 1 - 2 + t.kernel_col * 2, v);
        assert.equal(t.weight, weight.data[((t.out_channel * inC + c) * kh + t.kernel_row) * kw + t.kernel_col]);
        assert.equal(t.grad_output, at3(upstream, t.out_channel, t.row, t.col));
        sum += t.weight * t.grad_output;
      }
      assert.equal(g.grad, at3(gradInput, c, u, v));
      assert.ok(Math.abs(g.sum - g.grad) <= 1e-5 + 1e-4 * Math.abs(g.grad), `(${c},${u},${v}): ${g.sum} vs ${g.grad}`);
      assert.ok(Math.abs(sum - g.sum) <= 1e-9 * Math.max(1, Math.abs(sum)));
    }
    assert.throws(() => model.explainConvInputGrad(0, inC, 0, 0), /outside/);
  } finally {
    model.delete();
  }
});
