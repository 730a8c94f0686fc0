// Hover and keyboard focus on a cell of a graph node's detail explain it in the Inspector with
// the numbers of the core's own record (Model.explainCell): batch norm in train and eval mode,
// a parameter's gradient, add's gradient copied to both branches, depthwise and transposed
// convolution, dropout, padding modes, concat and its gradient's split, global average and max
// pooling; and the Chinese page words it without English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h.close(); });

async function openExample(page, id) {
  await page.getByTestId('preset-select').selectOption(id);
  await page.getByTestId('overview').waitFor();
}

async function openNode(page, id, how = 'click') {
  const button = page.locator('[data-testid="ov-nodes"]').getByTestId(`ov-node-${id}`);
  if (how === 'click') await button.click();
  else { await button.focus(); await page.keyboard.press('Enter'); }
  await page.getByTestId('node-detail').waitFor();
}

/** The core's record of a cell, by node id (its index in nodeIds()). */
const record = (page, id, tensor, sample, index) => page.evaluate(({ id, tensor, sample, index }) => {
  const m = window.cnnlens.model;
  return m.explainCell(m.nodeIds().indexOf(id), tensor, sample, index, 12);
}, { id, tensor, sample, index });

/** The explanation's headings and lines, one per line (numbers never run together). */
const explainText = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid="explain"] h3, [data-testid="explain"] p')].map((e) => e.textContent).join('\n'));

/** Every number written in a text (U+2212 minus, e-notation). */
function numbersIn(text) {
  return (text.replace(/\u2212/g, '-').match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g) ?? []).map(Number);
}

/** `v` is written in the text, to the page's 3 significant digits (2 in e-notation). */
function shows(text, v, what) {
  const tol = v === 0 ? 1e-12 : Math.abs(v) < 1e-3 ? 0.06 * Math.abs(v) : 0.006 * Math.abs(v) + 1e-9;
  const found = numbersIn(text).some((n) => Math.abs(n - v) <= tol);
  assert.ok(found, `${what} = ${v} is not in: ${text}`);
}

async function hover(page, testid, i) {
  await page.locator(`[data-testid="${testid}"] .cell`).nth(i).hover();
}

/** Waits until the explanation names this cell (heading "node · tensor [...]"). */
async function explained(page, id) {
  await page.waitForFunction((id) => document.querySelector('[data-testid="explain"] h3')?.textContent.startsWith(`${id} · `), id);
  return explainText(page);
}

test('batch norm: train mode uses this batch\'s statistics, eval the running ones; a sample is chosen', async () => {
  const page = await h.open();
  await openExample(page, 'batchnorm');
  await openNode(page, 'bn');
  // output [2,2,2] per sample: channel 1, cell 3 -> flat 7
  await hover(page, 'node-bn-output-1', 3);
  let text = await explained(page, 'bn');
  let r = await record(page, 'bn', 'output', 0, 7);
  assert.equal(r.formula, 'batchnorm.forward');
  assert.equal(r.statistics, 'batch');
  for (const k of ['x', 'mean', 'var', 'gamma', 'beta', 'value']) shows(text, r[k], `train ${k}`);
  assert.match(text, /train/);
  assert.match(text, new RegExp(`ch 2's batch mean and variance over ${r.count} values`));

  // the third sample: same channel statistics, its own x
  await page.getByTestId('sample-select').selectOption({ value: '2' });
  await hover(page, 'node-bn-output-1', 2);
  await hover(page, 'node-bn-output-1', 3);
  await page.waitForFunction(() => document.querySelector('[data-testid="explain"] h3')?.textContent.endsWith('Sample 3'));
  text = await explainText(page);
  r = await record(page, 'bn', 'output', 2, 7);
  for (const k of ['x', 'mean', 'var', 'value']) shows(text, r[k], `sample 3 ${k}`);

  await page.getByTestId('scene-mode').selectOption('eval');
  await hover(page, 'node-bn-output-0', 0);
  text = await explained(page, 'bn');
  r = await record(page, 'bn', 'output', 2, 0);
  assert.equal(r.statistics, 'running');
  assert.match(text, /eval: ch 1's running mean and variance/);
  for (const k of ['x', 'mean', 'var', 'eps', 'gamma', 'beta', 'value']) shows(text, r[k], `eval ${k}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a parameter\'s gradient by keyboard: dL/dγ of channel 2 as Σ dL/dy × x̂, and batch norm\'s dL/dx', async () => {
  const page = await h.open();
  await openExample(page, 'batchnorm');
  await openNode(page, 'bn', 'keyboard');
  await page.getByTestId('mode-gradients').click();
  await page.locator('[data-testid="node-bn-weight.grad-0"] .cell').first().focus();
  await page.keyboard.press('ArrowRight');
  let text = await explained(page, 'bn');
  let r = await record(page, 'bn', 'weight.grad', 0, 1);
  assert.equal(r.formula, 'batchnorm.weight_grad');
  assert.match(text, /dL\/dγ of ch 2 = Σ dL\/dy × x̂/);
  for (const t of r.terms) { shows(text, t.a, 'dL/dy'); shows(text, t.b, 'x̂'); }
  shows(text, r.value, 'dL/dγ');
  if (r.omitted_terms) assert.match(text, new RegExp(`\\+ ${r.omitted_terms} more`));

  await hover(page, 'node-bn-grad_input-1', 3);
  text = await explained(page, 'bn');
  r = await record(page, 'bn', 'grad_input', 0, 7);
  assert.equal(r.formula, 'batchnorm.grad_input');
  for (const p of r.paths) shows(text, p.value, `path ${p.label}`);
  for (const k of ['gamma', 'inv_std', 'grad_output', 'sum_grad', 'sum_grad_xhat', 'value']) shows(text, r[k], k);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('add: dL/dy is copied unchanged to both branches', async () => {
  const page = await h.open();
  await openExample(page, 'residual');
  await openNode(page, 'sum');
  await page.getByTestId('mode-gradients').click();
  const grad = await record(page, 'sum', 'grad_output', 0, 6);
  for (const tensor of ['grad_input', 'grad_input.1']) {
    await hover(page, `node-sum-${tensor}-0`, 6);
    await page.waitForFunction((want) => document.querySelector('[data-testid="explain"] h3')?.textContent.includes(want), tensor === 'grad_input' ? 'dL/d input [' : 'dL/d input 2 [');
    const text = await explainText(page);
    let r = await record(page, 'sum', tensor, 0, 6);
    if (tensor === 'grad_input') {
      // r0 is read by c1 and sum: its gradient is the sum of both parts, sum's own part first
      assert.equal(r.formula, 'edge.readers');
      assert.match(text, /r0 · dL\/d output/);
      for (const x of r.readers) shows(text, x.value, `${x.node_id}'s part`);
      shows(text, r.value, 'r0 gradient');
      r = r.part;
    }
    assert.equal(r.formula, 'add.grad_input');
    assert.equal(r.value, grad.value, 'the same number on both branches');
    shows(text, r.value, `${tensor} value`);
    assert.match(text, /copied unchanged to all 2 branches \(r0, c2\)/);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('depthwise convolution: one channel\'s window; transposed convolution: the scatter read back', async () => {
  const page = await h.open();
  await openExample(page, 'depthwise');
  await openNode(page, 'dw');
  await hover(page, 'node-dw-output-1', 5);
  let text = await explained(page, 'dw');
  const size = (await page.locator('[data-testid="node-dw-output-1"] .cell').count());
  let r = await record(page, 'dw', 'output', 0, size + 5);
  assert.equal(r.formula, 'conv.forward');
  assert.equal(r.group.depthwise, true);
  assert.match(text, /depthwise: out ch 2 reads only in ch 2/);
  for (const t of r.terms) shows(text, t.a, 'term a');
  shows(text, r.value, 'dw output');

  await openExample(page, 'conv-transpose');
  await openNode(page, 'up');
  await hover(page, 'node-up-output-0', 4);
  text = await explained(page, 'up');
  r = await record(page, 'up', 'output', 0, 4);
  assert.equal(r.formula, 'conv_transpose.forward');
  assert.match(text, /scatter/);
  for (const t of r.terms) { shows(text, t.a, 'input cell'); shows(text, t.b, 'weight'); }
  if (r.constant) shows(text, r.constant.value, 'bias');
  shows(text, r.value, 'output');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('dropout: x × mask × 1/(1 − p) in train mode, unchanged in eval', async () => {
  const page = await h.open();
  const ok = await page.evaluate(() => window.cnnlens.loadScene({
    version: 2, title: 'Dropout', input: { shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    nodes: [{ id: 'drop', type: 'dropout', p: 0.5 }, { id: 'flat', type: 'flatten' }, { id: 'fc', type: 'dense', out_features: 2 }],
    loss: 'mse', target: [[1, 0]], optimizer: { type: 'sgd', lr: 0.1 }, mode: 'train', seed: 4,
  }).ok);
  assert.ok(ok);
  await page.getByTestId('overview').waitFor();
  await openNode(page, 'drop');
  for (let i = 0; i < 9; i++) {
    await hover(page, 'node-drop-output-0', i);
    const text = await explained(page, 'drop');
    const r = await record(page, 'drop', 'output', 0, i);
    assert.equal(r.formula, 'dropout.forward');
    for (const k of ['x', 'mask', 'scale', 'p', 'value']) shows(text, r[k], `cell ${i} ${k}`);
    await page.mouse.move(0, 0);
  }
  await page.getByTestId('scene-mode').selectOption('eval');
  await hover(page, 'node-drop-output-0', 2);
  await page.waitForFunction(() => /eval: dropout/.test(document.querySelector('[data-testid="explain"]')?.textContent ?? ''));
  const r = await record(page, 'drop', 'output', 0, 2);
  assert.equal(r.formula, 'dropout.identity');
  shows(await explainText(page), r.value, 'eval value');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('padding modes, concat, global average and max pooling: each cell says where its number came from', async () => {
  const page = await h.open();
  // two pads of one picture (reflected, replicated), concatenated, then both global poolings
  const ok = await page.evaluate(() => window.cnnlens.loadScene({
    version: 2, title: 'Pads, concat, global pooling',
    input: { shape: [2, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 0.5, 2, 3, -2, 1, 0, 4, -3] },
    nodes: [
      { id: 'refl', type: 'pad2d', padding: 1, mode: 'reflect', inputs: ['input'] },
      { id: 'repl', type: 'pad2d', padding: 1, mode: 'replicate', inputs: ['input'] },
      { id: 'cat', type: 'concat', inputs: ['refl', 'repl'] },
      { id: 'gap', type: 'global_avgpool2d', inputs: ['cat'] },
      { id: 'gmp', type: 'global_maxpool2d', inputs: ['cat'] },
      { id: 'both', type: 'concat', inputs: ['gap', 'gmp'] },
      { id: 'flat', type: 'flatten' },
      { id: 'fc', type: 'dense', out_features: 2 },
    ],
    loss: 'mse', target: [1, 0], optimizer: { type: 'sgd', lr: 0.1 }, seed: 7,
  }).ok);
  assert.ok(ok);
  await page.getByTestId('overview').waitFor();
  // from one node's detail back to the overview, then into the next
  const reopen = async (id) => { await page.getByTestId('node-back').click(); await openNode(page, id); };

  // reflect: the corner (0, 0) of the padded map copies input (1, 1), i.e. the value 5
  await openNode(page, 'refl');
  await hover(page, 'node-refl-output-0', 0);
  let text = await explained(page, 'refl');
  let r = await record(page, 'refl', 'output', 0, 0);
  assert.equal(r.formula, 'pad.forward');
  assert.deepEqual(r.source_cell, [0, 1, 1]);
  assert.equal(r.value, 5);
  assert.match(text, /reflected pad: copies input \(ch 1, 2, 2\)/);
  shows(text, r.value, 'reflected corner');
  // replicate: the same corner copies input (0, 0), the value 1
  await reopen('repl');
  await hover(page, 'node-repl-output-0', 0);
  text = await explained(page, 'repl');
  r = await record(page, 'repl', 'output', 0, 0);
  assert.deepEqual(r.source_cell, [0, 0, 0]);
  assert.equal(r.value, 1);
  assert.match(text, /replicated pad: copies input \(ch 1, 1, 1\)/);

  // concat: channel 3 of cat is channel 1 of its second input (repl); cell 7 is repl's cell 7
  await reopen('cat');
  await hover(page, 'node-cat-output-2', 7);
  text = await explained(page, 'cat');
  r = await record(page, 'cat', 'output', 0, 2 * 25 + 7);
  assert.equal(r.formula, 'concat.forward');
  const repl = await page.evaluate(() => { const m = window.cnnlens.model; return Array.from(m.nodeView('repl', 'output')); });
  assert.equal(r.value, repl[7]);
  assert.match(text, /input 2 \(repl\), its ch 1 → ch 3/);
  shows(text, r.value, 'concatenated cell');
  // and its gradient: the split back to that input's channel
  await page.getByTestId('mode-gradients').click();
  await hover(page, 'node-cat-grad_input.1-0', 7);
  await page.waitForFunction(() => /split: dL\/dy ch 3/.test(document.querySelector('[data-testid="explain"]')?.textContent ?? ''));
  r = await record(page, 'cat', 'grad_input.1', 0, 7);
  assert.equal(r.formula, 'concat.grad_input');
  shows(await explainText(page), r.value, 'split gradient');
  await page.getByTestId('mode-values').click();

  // global average pooling: the channel's 25 cells summed and divided; max pooling: the largest
  const cat = await page.evaluate(() => { const m = window.cnnlens.model; return Array.from(m.nodeView('cat', 'output')); });
  for (const [id, channel] of [['gap', 1], ['gmp', 3]]) {
    await reopen(id);
    const cells = page.locator(`[data-testid^="node-${id}-output"] .cell`);
    await cells.nth(channel).hover();
    text = await explained(page, id);
    r = await record(page, id, 'output', 0, channel);
    const values = cat.slice(channel * 25, channel * 25 + 25);
    if (id === 'gap') {
      assert.equal(r.formula, 'global_avgpool.forward');
      assert.ok(Math.abs(r.value - values.reduce((a, b) => a + b, 0) / 25) < 1e-5, 'the mean of the channel');
      assert.match(text, /mean of the channel's 25 cells/);
    } else {
      assert.equal(r.formula, 'global_maxpool.forward');
      assert.equal(r.value, Math.max(...values));
      assert.match(text, /max\(/);
    }
    shows(text, r.value, `${id} of channel ${channel + 1}`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Chinese: a batch-norm cell is explained without English words', async () => {
  const page = await h.open({ path: '?lang=zh', consoleErrors: false });
  await openExample(page, 'batchnorm');
  await openNode(page, 'bn');
  await hover(page, 'node-bn-output-1', 3);
  const text = await explained(page, 'bn');
  const r = await record(page, 'bn', 'output', 0, 7);
  for (const k of ['x', 'mean', 'var', 'value']) shows(text, r[k], k);
  assert.match(text, /训练/);
  // the node's id is the scene's own name, not page wording
  const words = text.replace(/^bn · /, '').match(/[A-Za-z]{2,}/g);
  assert.equal(words, null, `English in: ${text}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
