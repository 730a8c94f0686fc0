// The overview of a graph scene (web/src/views/overview), used as a person would: open the
// residual example from the menu, walk the nodes with the keyboard, open one with Enter and
// another with a click, read its numbers against the core's trace, switch values/gradients,
// edit a parameter, and come back to the place one left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, cells } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h.close(); });

/** The core's own numbers: a node's tensor from Model.trace() ({ data, shape }). */
const traced = (page, id, name) => page.evaluate(({ id, name }) => {
  const node = JSON.parse(window.cnnlens.model.trace()).nodes.find((n) => n.id === id);
  const [base, part] = name.split('.'); // 'weight.grad': the parameter's grad
  if (part === 'grad' && node.params?.[base]) return node.params[base].grad;
  return (node[name] ?? node.params?.[name] ?? node.buffers?.[name]).data;
}, { id, name });

/** Cells show up to 3 significant digits (fewer when the cell is narrow). */
function near(shown, exact, what) {
  assert.equal(shown.length, exact.length, `${what}: cell count`);
  shown.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) <= 0.01 * Math.max(1, Math.abs(exact[i])), `${what}[${i}]: shown ${v}, core ${exact[i]}`));
}

async function openExample(page, id) {
  await page.getByTestId('preset-select').selectOption(id);
  await page.getByTestId('overview').waitFor();
}

test('the residual example opens as an overview: every node a button in order, branches drawn as arcs', async () => {
  const page = await h.open();
  await openExample(page, 'residual');
  assert.equal(await page.getByTestId('pipeline').isVisible(), false, 'the chain of cards is not shown for a graph');
  const ids = await page.locator('[data-testid="ov-nodes"] > li > button').evaluateAll((bs) => bs.map((b) => b.dataset.testid.replace('ov-node-', '')));
  const core = await page.evaluate(() => window.cnnlens.model.nodeIds());
  assert.deepEqual(ids, ['input', ...core], 'the network input, then the nodes in execution order');
  assert.ok(await page.locator('.ov-edges .ov-arc').count() >= 1, 'the skip connection is an arc');
  assert.equal(await page.locator('[data-testid="ov-node-c0"] canvas').count(), 2, 'one thumbnail per channel');
  assert.match(await page.getByTestId('ov-node-sum').getAttribute('title'), /sum: .*reads r0, c2/);
  const name = await page.getByRole('button', { name: /^sum Add/ }).getAttribute('data-testid');
  assert.equal(name, 'ov-node-sum', 'the button is named by its visible words');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Enter on a node opens its detail; its numbers are the core\'s; Back returns to the node', async () => {
  const page = await h.open();
  await openExample(page, 'residual');
  await page.getByTestId('ov-node-r0').focus();
  await page.keyboard.press('Tab'); // the next node in execution order
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'ov-node-c1');
  await page.getByTestId('ov-node-sum').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('node-detail').waitFor();
  assert.equal(await page.getByTestId('overview').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'node-title', 'focus moves to the detail heading');
  assert.match(await page.getByTestId('node-title').textContent(), /^sum — /);
  // every tensor the core lists for the node in the values view: both inputs and the output
  const roles = await page.locator('[data-testid="node-detail"] .block').evaluateAll((bs) => bs.map((b) => b.dataset.testid));
  assert.deepEqual(roles, ['block-node-sum-input', 'block-node-sum-input.1', 'block-node-sum-output']);
  const out = await traced(page, 'sum', 'output');
  near([...await cells(page, 'node-sum-output-0'), ...await cells(page, 'node-sum-output-1')], out, 'sum output');
  // y = r0 + c2, cell by cell
  const a = await cells(page, 'node-sum-input-0');
  const b = await cells(page, 'node-sum-input.1-0');
  const y = await cells(page, 'node-sum-output-0');
  y.forEach((v, i) => assert.ok(Math.abs(v - (a[i] + b[i])) < 0.02, `sum cell ${i}`));
  await page.getByTestId('node-back').click();
  await page.getByTestId('overview').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'ov-node-sum', 'focus back on the node');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a click opens a node with parameters; the gradients view shows its gradients; an edited weight reaches the core', async () => {
  const page = await h.open();
  await openExample(page, 'residual');
  await page.getByTestId('ov-node-c2').click();
  await page.getByTestId('node-detail').waitFor();
  near(await cells(page, 'node-c2-weight-0'), (await traced(page, 'c2', 'weight')).slice(0, 9), 'c2 weight, filter 1 channel 1');
  near(await cells(page, 'node-c2-bias-0'), await traced(page, 'c2', 'bias'), 'c2 bias');
  await page.getByTestId('mode-gradients').click();
  await page.getByTestId('block-node-c2-grad_output').waitFor();
  assert.equal(await page.getByTestId('block-node-c2-output').count(), 0, 'values leave the gradients view');
  near(await cells(page, 'node-c2-grad_output-0'), (await traced(page, 'c2', 'grad_output')).slice(0, 25), 'dL/d output of c2');
  near(await cells(page, 'node-c2-weight.grad-0'), (await traced(page, 'c2', 'weight.grad')).slice(0, 9), 'dL/d weight of c2');
  await page.getByTestId('mode-values').click();
  // edit the first weight through the page's cell editor
  await page.locator('[data-testid="node-c2-weight-0"] .cell').first().click();
  await page.getByTestId('cell-editor').fill('0.5');
  await page.getByTestId('cell-editor').press('Enter'); // commits and moves the editor to the next cell
  await page.getByTestId('cell-editor').press('Escape');
  assert.equal(await page.evaluate(() => window.cnnlens.model.nodeCopy('c2', 'weight')[0]), 0.5);
  near(await cells(page, 'node-c2-weight-0'), (await traced(page, 'c2', 'weight')).slice(0, 9), 'edited weight');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the gradients view draws each node\'s dL/d output in the overview', async () => {
  const page = await h.open();
  await openExample(page, 'residual');
  const pixels = () => page.locator('[data-testid="ov-node-c1"] canvas').first().evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(','));
  const values = await pixels();
  await page.getByTestId('mode-gradients').click();
  assert.match(await page.getByTestId('ov-head').textContent(), /gradient/);
  assert.notEqual(await pixels(), values, 'the thumbnails now show the gradient');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a wide network scrolls sideways, and Back keeps the place', async () => {
  const page = await h.open({ width: 390, height: 844 });
  await openExample(page, 'resnet8');
  const scroller = page.locator('.ov-scroll');
  assert.ok(await scroller.evaluate((s) => s.scrollWidth > s.clientWidth * 4), 'wider than the phone');
  assert.ok(await page.locator('[data-testid="ov-node-s3_conv1"] .ov-more').textContent().then((t) => /\+52/.test(t)), '64 channels: 12 drawn, +52 more');
  await page.getByTestId('ov-node-s2_add').scrollIntoViewIfNeeded();
  const left = await scroller.evaluate((s) => s.scrollLeft);
  assert.ok(left > 0);
  await page.getByTestId('ov-node-s2_add').click();
  await page.getByTestId('node-detail').waitFor();
  await page.getByTestId('node-back').click();
  assert.equal(await scroller.evaluate((s) => s.scrollLeft), left, 'sideways scroll kept');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'ov-node-s2_add');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('batch norm: train mode uses the batch statistics, eval mode the running ones; each sample can be shown', async () => {
  const page = await h.open();
  await openExample(page, 'batchnorm');
  await page.getByTestId('ov-node-bn').press('Enter');
  await page.getByTestId('node-detail').waitFor();
  for (const name of ['running_mean', 'running_var', 'batch_mean', 'batch_var', 'weight', 'bias']) {
    assert.equal(await page.getByTestId(`block-node-bn-${name}`).count(), 1, `${name} is drawn`);
  }
  const stats = async (name) => cells(page, `node-bn-${name}-0`);
  const y = (x, m, v) => (x - m) / Math.sqrt(v + 1e-5);
  const check = async (mean, vari, what) => {
    const x = await cells(page, 'node-bn-input-0');
    const out = await cells(page, 'node-bn-output-0');
    out.forEach((o, i) => assert.ok(Math.abs(o - y(x[i], mean[0], vari[0])) < 0.03, `${what} cell ${i}: ${o}`));
  };
  await check(await stats('batch_mean'), await stats('batch_var'), 'train');
  await page.getByTestId('sample-select').selectOption({ label: '3' });
  await check(await stats('batch_mean'), await stats('batch_var'), 'train, sample 3');
  await page.getByTestId('scene-mode').selectOption('eval');
  await page.getByTestId('node-detail').waitFor();
  await check(await stats('running_mean'), await stats('running_var'), 'eval');
  assert.equal(await page.evaluate(() => JSON.parse(window.cnnlens.sceneJSON()).mode), 'eval');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every new example opens in the overview, in English and Chinese', async () => {
  for (const lang of ['en', 'zh']) {
    const page = await h.open();
    if (lang === 'zh') {
      await page.goto(`${h.server.url}?lang=zh`);
      await page.waitForSelector('body[data-ready="true"]');
    }
    for (const id of ['residual', 'batchnorm', 'depthwise', 'conv-transpose', 'resnet8']) {
      await openExample(page, id);
      assert.ok(await page.locator('[data-testid="ov-nodes"] > li').count() >= 2, id);
      assert.ok((await page.getByTestId('scene-desc').textContent()).length > 40, `${id} has a description`);
    }
    if (lang === 'zh') assert.match(await page.getByTestId('ov-node-input').textContent(), /网络输入/);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('the PyTorch button says a graph is saved as ONNX or JSON instead (no broken script)', async () => {
  const page = await h.open();
  await openExample(page, 'residual');
  await page.getByTestId('export-code').click();
  await page.getByTestId('notice-text').filter({ hasText: 'chains of the classic layers' }).waitFor();
  assert.equal(await page.getByTestId('code-dialog').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an edited graph is kept across a reload and a share link opens it in the overview', async () => {
  const page = await h.open();
  await openExample(page, 'batchnorm');
  await page.getByTestId('scene-mode').selectOption('eval');
  await page.waitForFunction(() => (localStorage.getItem('cnnlens:work') ?? '').includes('eval'));
  const link = await page.evaluate(() => window.cnnlens.shareLink());
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByTestId('overview').waitFor();
  assert.equal(await page.getByTestId('scene-mode').inputValue(), 'eval', 'the saved work came back');
  const other = await h.open();
  await other.goto(link);
  await other.waitForSelector('body[data-ready="true"]');
  await other.getByTestId('overview').waitFor();
  assert.equal(await other.evaluate(() => JSON.parse(window.cnnlens.sceneJSON()).mode), 'eval');
  assert.deepEqual([...page.problems, ...other.problems], []);
  await other.context().close();
  await page.context().close();
});
