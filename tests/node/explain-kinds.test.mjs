// Model.explainCell for the graph kinds through the wasm module: batch norm (train and eval),
// the transposed conv's scatter, reflect padding, dropout masks and an edge read by two nodes.
// Numbers are checked against the tensors the module shows (nodeCopy), batch 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule } from './support.mjs';

const close = (a, b, tol = 1e-5) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

// Deterministic inputs without the core's generator: a small linear congruential sequence.
function values(count, seed) {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

const N = 3;
const scene = (mode) => ({
  version: 2,
  input: { shape: [N, 2, 4, 4], data: values(N * 2 * 4 * 4, 7) },
  nodes: [
    { id: 'c1', type: 'conv2d', out_channels: 3, kernel_size: 3, padding: 1 },
    { id: 'bn', type: 'batchnorm2d', running_mean: [0.1, -0.1, 0.2], running_var: [0.5, 1.5, 2.0] },
    { id: 'r', type: 'relu' },
    { id: 'dw', type: 'conv2d', out_channels: 3, kernel_size: 3, padding: 1, groups: 3 },
    { id: 'res', type: 'add', inputs: ['dw', 'r'] },
    { id: 'pad', type: 'pad2d', padding: [1, 1, 0, 0], mode: 'reflect' },
    { id: 'up', type: 'conv_transpose2d', out_channels: 2, kernel_size: 3, stride: 2, padding: 1 },
    { id: 'g', type: 'global_avgpool2d' },
    { id: 'f', type: 'flatten' },
    { id: 'drop', type: 'dropout', p: 0.5 },
    { id: 'fc', type: 'dense', out_features: 2 },
  ],
  loss: 'cross_entropy', target: [0, 1, 1], mode, seed: 11,
});

async function withModel(mode, body) {
  const lens = await loadModule();
  const model = new lens.Model(JSON.stringify(scene(mode)));
  try {
    const ids = model.nodeIds();
    const at = (id) => ids.indexOf(id);
    const tensor = (id, name) => ({
      shape: model.nodeTensors(id).find((t) => t.name === name).shape,
      data: Float32Array.from(model.nodeCopy(id, name)),
    });
    await body(model, at, tensor);
  } finally {
    model.delete();
  }
}

test('batch norm in train mode: this channel’s batch statistics, and dL/dx as three paths', async () => {
  await withModel('train', (model, at, tensor) => {
    const x = tensor('bn', 'input'), y = tensor('bn', 'output'), gx = tensor('bn', 'grad_input');
    const [, C, H, W] = x.shape, S = H * W;
    for (const [sample, channel, pos] of [[0, 0, 0], [2, 1, 5], [1, 2, 15]]) {
      let mean = 0, vr = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) mean += x.data[(n * C + channel) * S + i] / (N * S);
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) vr += (x.data[(n * C + channel) * S + i] - mean) ** 2 / (N * S);
      const index = channel * S + pos, flat = sample * C * S + index;
      const r = model.explainCell(at('bn'), 'output', sample, index, 12);
      assert.equal(r.kind, 'normalize');
      assert.equal(r.statistics, 'batch');
      assert.deepEqual(r.cell, { node: at('bn'), tensor: 'output', sample, index });
      assert.ok(close(r.mean, mean, 1e-6) && close(r.var, vr, 1e-6), `${r.mean} ${r.var} vs ${mean} ${vr}`);
      assert.ok(close(r.total, y.data[flat], 1e-5));
      const g = model.explainCell(at('bn'), 'grad_input', sample, index, 12);
      assert.equal(g.kind, 'normalize_grad');
      assert.ok(close(g.paths.reduce((s, p) => s + p.value, 0), gx.data[flat], 1e-4));
      assert.ok(close(g.sum_grad, tensor('bn', 'bias.grad').data[channel], 1e-5));
    }
    // dL/dgamma sums over every sample and position of the channel
    const w = model.explainCell(at('bn'), 'weight.grad', 0, 1, 100);
    assert.equal(w.term_count, N * S);
    assert.deepEqual([...new Set(w.terms.map((t) => t.a_ref.sample))].sort(), [0, 1, 2]);
  });
});

test('batch norm and dropout in eval mode: running statistics, and the identity', async () => {
  await withModel('eval', (model, at, tensor) => {
    const r = model.explainCell(at('bn'), 'output', 1, 16 + 3, 12);
    assert.equal(r.statistics, 'running');
    assert.ok(close(r.mean, -0.1, 1e-7) && close(r.var, 1.5, 1e-7));
    const g = model.explainCell(at('bn'), 'grad_input', 1, 16 + 3, 12);
    assert.equal(g.formula, 'batchnorm.grad_input_eval');
    assert.ok(close(g.grad_output * g.slope, g.value, 1e-5));
    const d = model.explainCell(at('drop'), 'output', 2, 1, 12);
    assert.equal(d.formula, 'dropout.identity');
    assert.equal(d.value, tensor('drop', 'input').data[2 * 2 + 1]);
  });
});

test('dropout in train mode: the mask and the scale 1/(1 − p), forward and backward', async () => {
  await withModel('train', (model, at, tensor) => {
    const mask = tensor('drop', 'mask').data;
    const kept = [...mask].filter((m) => m === 1).length;
    assert.ok(kept > 0 && kept < mask.length, `mask ${[...mask]}`);
    for (let k = 0; k < mask.length; k++) {
      const [s, i] = [Math.floor(k / 2), k % 2];
      const f = model.explainCell(at('drop'), 'output', s, i, 12);
      const b = model.explainCell(at('drop'), 'grad_input', s, i, 12);
      assert.equal(f.mask, mask[k]);
      assert.equal(f.scale, 2);
      assert.ok(close(f.x * f.mask * f.scale, f.value, 1e-6));
      assert.ok(close(b.grad_output * b.mask * b.scale, b.value, 1e-6));
    }
  });
});

test('an edge read by two nodes sums both parts; the add copies its gradient to each branch', async () => {
  await withModel('train', (model, at, tensor) => {
    const gr = tensor('r', 'grad_output').data, gres = tensor('res', 'grad_output').data;
    const r = model.explainCell(at('r'), 'grad_output', 1, 20, 12);
    assert.equal(r.kind, 'readers');
    assert.deepEqual(r.readers.map((x) => x.node_id), ['dw', 'res']);
    assert.ok(close(r.readers[0].value + r.readers[1].value, gr[48 + 20], 1e-5));
    assert.equal(r.readers[1].value, gres[48 + 20]);
    const part = model.explainCell(at('dw'), 'grad_input', 1, 20, 12).part;
    assert.equal(part.formula, 'conv.grad_input');
    assert.equal(part.group.depthwise, true);
    assert.ok(close(part.total, r.readers[0].value, 1e-12));
  });
});

test('transposed conv: each term is an input cell times a weight whose scatter lands on the cell', async () => {
  await withModel('train', (model, at, tensor) => {
    const x = tensor('up', 'input'), y = tensor('up', 'output');
    const [, C, H, W] = x.shape, [, O, OH, OW] = y.shape;
    for (const [o, row, col] of [[0, 0, 0], [1, 3, 4], [1, OH - 1, OW - 1]]) {
      const index = (o * OH + row) * OW + col;
      const r = model.explainCell(at('up'), 'output', 2, index, 1000);
      let expected = 0;
      for (let c = 0; c < C; c++) for (let u = 0; u < H; u++) for (let v = 0; v < W; v++)
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (u * 2 - 1 + i === row && v * 2 - 1 + j === col) expected++;
      assert.equal(r.term_count, expected);
      for (const t of r.terms) {
        const k = t.a_ref.index, u = Math.floor(k / W) % H, v = k % W;
        const wk = t.b_ref.index, i = Math.floor(wk / 3) % 3, j = wk % 3;
        assert.equal(u * 2 - 1 + i, row);
        assert.equal(v * 2 - 1 + j, col);
        assert.equal(t.a, x.data[2 * C * H * W + k]);
      }
      assert.ok(close(r.total, y.data[2 * O * OH * OW + index], 1e-5));
    }
  });
});

test('reflect padding: a pad cell copies its mirror, and the mirror sums the copies’ gradients', async () => {
  await withModel('train', (model, at, tensor) => {
    const gx = tensor('pad', 'grad_input');
    const [, C, H, W] = gx.shape;  // 3 x 4 x 4, padded to 3 x 5 x 5 (top 1, left 1)
    const top = model.explainCell(at('pad'), 'output', 0, 0 * 25 + 0 * 5 + 3, 12);  // padded row -1 copies row 1
    assert.deepEqual(top.source_cell, [0, 1, 2]);
    assert.equal(top.padded, true);
    const g = model.explainCell(at('pad'), 'grad_input', 2, 1 * 16 + 1 * 4 + 1, 12);  // (1, 1): itself, row -1, col -1, both
    assert.equal(g.term_count, 4);
    assert.ok(close(g.total, gx.data[2 * C * H * W + 16 + 5], 1e-5));
    assert.equal(g.terms.filter((t) => t.position).length, 3);
  });
});
