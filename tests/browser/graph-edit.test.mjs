// Editing a graph scene from its node's detail (web/src/views/overview/editPanel.ts), as a person
// would: insert blocks after a node, rewire an input, remove a node whose readers re-link, change
// a setting; a refused edit is explained next to its control and the network stays; Undo restores.
// Every new network is checked against the core: the same scene loaded directly gives the same output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

let h;
before(async () => { h = await setup(); });
after(async () => { await h.close(); });

async function openResidual(page) {
  await page.getByTestId('preset-select').selectOption('residual');
  await page.getByTestId('overview').waitFor();
}

async function openNode(page, id) {
  await page.getByTestId(`ov-node-${id}`).click();
  await page.getByTestId('node-edit').waitFor();
}

/** The live scene's nodes, without their numbers: { id: { type, inputs, ...settings } }. */
const nodes = (page) => page.evaluate(() => Object.fromEntries(JSON.parse(window.cnnlens.sceneJSON()).nodes.map((n) => {
  const { weight: _w, bias: _b, running_mean: _m, running_var: _v, ...rest } = n;
  return [n.id, rest];
})));
const order = (page) => page.evaluate(() => window.cnnlens.model.nodeIds());

/** The last node's output of the live model and of a new Model built from its scene: equal. */
async function sameAsCore(page) {
  const { live, fresh } = await page.evaluate(() => {
    const m = window.cnnlens.model;
    const last = m.nodeIds().at(-1);
    const live = Array.from(m.nodeCopy(last, 'output'));
    const other = new window.cnnlens.module.Model(window.cnnlens.sceneJSON());
    const fresh = Array.from(other.nodeCopy(last, 'output'));
    other.delete();
    return { live, fresh };
  });
  assert.ok(live.length > 0);
  assert.deepEqual(live, fresh, 'the page shows what the core computes for the scene');
}

test('a residual block inserted after r0: new nodes wired around the skip, r0\'s readers re-linked; Undo restores', async () => {
  const page = await h.open();
  await openResidual(page);
  const before = await page.evaluate(() => window.cnnlens.sceneJSON());
  await openNode(page, 'r0');
  // the kind menu comes from the registry: every one-input kind, then the blocks
  const options = await page.getByTestId('edit-insert-kind').locator('option').evaluateAll((os) => os.map((o) => o.value));
  const registry = await page.evaluate(() => window.cnnlens.module.layerKinds().filter((k) => k.max_inputs === 1).map((k) => `kind:${k.type}`));
  assert.deepEqual(options, [...registry, 'block:residual', 'block:concat', 'block:separable']);
  await page.getByTestId('edit-insert-kind').selectOption('block:residual');
  await page.getByTestId('edit-insert-button').click();
  await page.getByTestId('overview').waitFor();
  assert.match(await page.getByTestId('graph-edit-status').textContent(), /Inserted conv1, relu1, conv2, add1 after r0/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'ov-node-conv1', 'focus on the first new node');
  assert.deepEqual(await order(page), ['c0', 'r0', 'conv1', 'relu1', 'conv2', 'add1', 'c1', 'r1', 'c2', 'sum', 'out', 'gap', 'flat', 'fc']);
  const n = await nodes(page);
  assert.deepEqual(n.conv1.inputs, ['r0']);
  assert.equal(n.conv1.out_channels, 2, 'as many channels as r0 has');
  assert.deepEqual(n.relu1.inputs, ['conv1']);
  assert.deepEqual(n.conv2.inputs, ['relu1']);
  assert.deepEqual(n.add1.inputs, ['r0', 'conv2'], 'the skip and the branch');
  assert.deepEqual(n.c1.inputs, ['add1'], 'what read r0 reads the block');
  assert.deepEqual(n.sum.inputs, ['add1', 'c2']);
  await sameAsCore(page);
  // the parameters already there are kept
  const kept = await page.evaluate(([a]) => JSON.stringify(JSON.parse(a).nodes.find((x) => x.id === 'c1').weight) ===
    JSON.stringify(JSON.parse(window.cnnlens.sceneJSON()).nodes.find((x) => x.id === 'c1').weight), [before]);
  assert.ok(kept, 'c1 keeps its weights');
  assert.equal(await page.locator('[data-testid="ov-nodes"] > li').count(), 15);
  await page.getByTestId('btn-undo').click();
  await page.waitForFunction((b) => window.cnnlens.sceneJSON() === b, before);
  assert.equal(await page.locator('[data-testid="ov-nodes"] > li').count(), 11);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('concat branch and depthwise-separable pair: wired and computed as the core does', async () => {
  const page = await h.open();
  await openResidual(page);
  await openNode(page, 'c0');
  await page.getByTestId('edit-insert-kind').selectOption('block:concat');
  await page.getByTestId('edit-insert-button').click();
  let n = await nodes(page);
  assert.deepEqual(n.concat1.inputs, ['conv1', 'conv2']);
  assert.deepEqual([n.conv1.inputs, n.conv2.inputs], [['c0'], ['c0']]);
  assert.equal(n.conv1.out_channels + n.conv2.out_channels, 2, 'half the channels each: the shape stays');
  assert.deepEqual(n.r0.inputs, ['concat1']);
  await sameAsCore(page);
  await openNode(page, 'c2');
  await page.getByTestId('edit-insert-kind').selectOption('block:separable');
  await page.getByTestId('edit-insert-button').click();
  n = await nodes(page);
  assert.equal(n.conv3.groups, 2, 'depthwise: one group per channel');
  assert.deepEqual(n.conv3.inputs, ['c2']);
  assert.deepEqual(n.conv4.inputs, ['conv3']);
  assert.equal(n.conv4.kernel_size, 1);
  assert.deepEqual(n.sum.inputs, ['r0', 'conv4']);
  await sameAsCore(page);
  // one layer from the registry: a kind without required fields keeps the shape
  await openNode(page, 'out');
  await page.getByTestId('edit-insert-kind').selectOption('kind:batchnorm2d');
  await page.getByTestId('edit-insert-button').click();
  n = await nodes(page);
  assert.deepEqual(n.batchnorm1.inputs, ['out']);
  assert.deepEqual(n.gap.inputs, ['batchnorm1']);
  await sameAsCore(page);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('rewire an input, remove a node whose readers re-link, change a setting', async () => {
  const page = await h.open();
  await openResidual(page);
  await openNode(page, 'c1');
  await page.getByTestId('edit-input-0').focus(); // as the keyboard would: selectOption alone does not focus
  await page.getByTestId('edit-input-0').selectOption('c0');
  assert.deepEqual((await nodes(page)).c1.inputs, ['c0']);
  assert.equal(await page.getByTestId('node-detail').isVisible(), true, 'the detail stays open');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'edit-input-0', 'focus stays on the menu');
  await sameAsCore(page);
  // remove r1: c2 reads c1 instead
  await openNodeFromDetail(page, 'r1');
  await page.getByTestId('edit-remove').click();
  await page.getByTestId('overview').waitFor();
  const n = await nodes(page);
  assert.equal(n.r1, undefined);
  assert.deepEqual(n.c2.inputs, ['c1']);
  assert.match(await page.getByTestId('graph-edit-status').textContent(), /Removed r1; its readers now read c1/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'ov-node-c1');
  await sameAsCore(page);
  // a setting from the registry's fields: c1 gets 3 filters; c1's and c2's weights are drawn afresh
  await openNode(page, 'c1');
  assert.match(await page.getByTestId('edit-field-stride').getAttribute('title'), /1 to 512; default 1/, 'limits and default from the registry');
  await page.getByTestId('edit-field-out_channels').fill('3');
  await page.getByTestId('edit-field-out_channels').press('Enter');
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).nodes.find((x) => x.id === 'c1').out_channels === 3);
  const c2 = await page.evaluate(() => JSON.parse(window.cnnlens.sceneJSON()).nodes.find((x) => x.id === 'c2').weight);
  assert.equal(c2.length, 2 * 3 * 3 * 3, 'c2 reads 3 channels now');
  await sameAsCore(page);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

async function openNodeFromDetail(page, id) {
  await page.getByTestId('node-back').click();
  await openNode(page, id);
}

test('refused edits are explained in place and the last valid network stays', async () => {
  const page = await h.open();
  await openResidual(page);
  const before = await page.evaluate(() => window.cnnlens.sceneJSON());
  const undoLabel = () => page.evaluate(() => window.cnnlens.state.history.undoLabel);
  const label = await undoLabel();
  await openNode(page, 'sum');
  // the add's second input from the 1-channel network input: shapes differ
  await page.getByTestId('edit-input-1').selectOption('input');
  const msg = page.getByTestId('edit-inputs-message');
  await msg.waitFor();
  assert.match(await msg.textContent(), /^Not changed: node “sum” \(Add\): .*1×5×5.*2×5×5.*\. The last valid network stays\.$/);
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before, 'scene unchanged');
  assert.equal(await page.getByTestId('edit-input-1').inputValue(), 'c2', 'the menu shows what sum still reads');
  // removing sum would leave c2 read by nothing
  await page.getByTestId('edit-remove').click();
  assert.match(await page.getByTestId('edit-remove-message').textContent(), /^Not changed: node “c2” \(Convolution\): nothing reads its output/);
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before);
  // a setting that breaks the add (c2 with 3 filters) and one that is not a number
  await openNodeFromDetail(page, 'c2');
  await page.getByTestId('edit-field-out_channels').fill('3');
  await page.getByTestId('edit-field-out_channels').press('Enter');
  assert.match(await page.getByTestId('edit-settings-message').textContent(), /sum.*3×5×5/);
  assert.equal(await page.getByTestId('edit-field-out_channels').inputValue(), '3', 'the typed value stays in its box');
  await page.getByTestId('edit-field-stride').fill('two');
  await page.getByTestId('edit-field-stride').press('Enter');
  assert.match(await page.getByTestId('edit-settings-message').textContent(), /“two” is not a value stride can take/);
  assert.equal(await page.getByTestId('edit-field-stride').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before);
  assert.equal(await undoLabel(), label, 'nothing was recorded');
  // the panel with its messages: no serious or critical axe violations
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document.querySelector('[data-testid="node-edit"]'), { resultTypes: ['violations'] }))
    .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`));
  assert.deepEqual(violations, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('in Chinese: the panel and the core\'s reason are worded in Chinese', async () => {
  const page = await h.open({ path: '?lang=zh', consoleErrors: false });
  await openResidual(page);
  await openNode(page, 'sum');
  assert.equal(await page.locator('.ge-title').textContent(), '修改网络');
  await page.getByTestId('edit-input-1').selectOption('input');
  const text = await page.getByTestId('edit-inputs-message').textContent();
  assert.match(text, /^未修改：节点“sum”（相加）：/);
  assert.match(text, /[\u4e00-\u9fff].*1×5×5|1×5×5.*[\u4e00-\u9fff]/, 'the core\'s reason in Chinese, with its shapes');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
