// The page loads cleanly, shows the classic example's numbers, every preset loads, and an
// edit redraws well within a frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, cells, lossValue, photoExampleShown } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('loads with no console errors or page errors', async () => {
  const page = await h.open();
  await page.getByTestId('layer-card-0').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('classic example: 4x4 conv maps and pooled maps have the right numbers', async () => {
  const page = await h.open();
  assert.deepEqual(await cells(page, 'matrix-0-output-0'), [3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1]);
  assert.deepEqual(await cells(page, 'matrix-0-output-1'), [-1, -1, -1, -1, -1, -1, -2, 1, -1, -1, -2, 1, -1, 0, -4, 3]);
  assert.deepEqual(await cells(page, 'matrix-1-output-0'), [3, 0, 3, 1]);
  assert.deepEqual(await cells(page, 'matrix-1-output-1'), [-1, 1, 0, 3]);
  assert.equal((await cells(page, 'matrix-input-0')).length, 36);
  assert.deepEqual(await cells(page, 'matrix-0-weight-0'), [1, -1, -1, -1, 1, -1, -1, -1, 1]);
  assert.match(await page.getByTestId('shape-0').textContent(), /2×4×4/);
  assert.ok(Number.isFinite(await lossValue(page)));
  await page.context().close();
});

test('every preset loads without errors and draws its layers', async () => {
  const page = await h.open();
  const ids = await page.getByTestId('preset-select').locator('option:not([disabled]):not([data-hosted])').evaluateAll((os) => os.map((o) => o.value));
  const graphs = ['residual', 'batchnorm', 'depthwise', 'conv-transpose', 'resnet8'];
  assert.deepEqual(ids, ['classic', 'edge-blur-sharpen', 'multichannel', 'deep', 'digits', 'fashion', ...graphs, 'photo-kernels', 'teach']);
  for (const id of ids) {
    await page.getByTestId('preset-select').selectOption(id);
    // built when chosen (web/src/teach): its dashboard shows once the scene is open
    if (id === 'teach') await page.waitForSelector('[data-testid="teach-dashboard"]:not([hidden])');
    if (id === 'photo-kernels') {
      // its photo is fetched when chosen; forward only: no loss and no gradient views
      await photoExampleShown(page);
      assert.equal(await page.getByTestId('mode-gradients').isDisabled(), true);
      assert.notEqual(await page.getByTestId('scene-desc').textContent(), '', id);
      continue;
    }
    if (graphs.includes(id)) {
      // graph scenes are drawn as the overview: one column per node after the network input
      const nodes = await page.evaluate(() => window.cnnlens.model.nodeIds().length);
      assert.equal(await page.locator('[data-testid="ov-nodes"] > li').count(), nodes + 1, id);
      assert.notEqual(await page.getByTestId('scene-desc').textContent(), '', id);
      for (const mode of ['gradients', 'both', 'values']) await page.getByTestId(`mode-${mode}`).click();
      continue;
    }
    const layers = await page.evaluate(() => window.cnnlens.model.layerCount());
    // a big network's cards are built a few per frame (views/pipeline.ts): wait for the last one
    await page.getByTestId(`layer-card-${layers - 1}`).waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-testid^="layer-card-"]').count(), layers, id);
    assert.ok(Number.isFinite(await lossValue(page)), id);
    assert.notEqual(await page.getByTestId('scene-desc').textContent(), '', id);
    for (const mode of ['gradients', 'both', 'values']) await page.getByTestId(`mode-${mode}`).click();
  }
  // the multi-channel example's 3 input channels and the deeper net's heatmap-free small maps
  await page.getByTestId('preset-select').selectOption('multichannel');
  assert.equal(await page.locator('[data-testid^="matrix-input-"] .grid').count(), 3);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every number fits its cell, in every example and view, before and after training', async () => {
  const page = await h.open();
  // cells do not clip (a clip per cell made compositing ten times dearer), so text must fit
  const spills = () => page.evaluate(() => [...document.querySelectorAll('.cell')]
    .filter((c) => c.scrollWidth > c.clientWidth + 1)
    .map((c) => `${c.closest('[data-testid^="matrix-"]')?.dataset.testid}: "${c.textContent}" ${c.scrollWidth}>${c.clientWidth}`));
  let checked = 0;
  for (const id of ['classic', 'edge-blur-sharpen', 'multichannel', 'deep', 'digits', 'fashion']) {
    await page.getByTestId('preset-select').selectOption(id);
    for (const steps of [0, 25]) {
      for (let k = 0; k < steps; k++) await page.evaluate(() => window.cnnlens.model.step());
      await page.evaluate(() => window.cnnlens.refresh());
      for (const mode of ['values', 'both']) {
        await page.getByTestId(`mode-${mode}`).click();
        assert.deepEqual(await spills(), [], `${id}, ${steps} steps, ${mode}`);
        checked += await page.locator('.cell').count();
      }
    }
  }
  assert.ok(checked > 3000, `checked ${checked} cells`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an edit on the classic example redraws in well under 16 ms', async () => {
  const page = await h.open();
  const times = await page.evaluate(() => {
    const out = [];
    for (let i = 0; i < 20; i++) {
      window.cnnlens.model.setInputCell(0, 0, 1, i % 2);
      window.cnnlens.refresh();
      out.push(window.cnnlens.lastRenderMs);
    }
    return out.sort((a, b) => a - b);
  });
  assert.ok(times[10] < 16, `median redraw ${times[10]} ms`);
  await page.context().close();
});

test('window.cnnlens: edits through the model show after refresh()', async () => {
  const page = await h.open();
  await page.evaluate(() => { window.cnnlens.model.setParamElement(0, 'weight', 0, 2); window.cnnlens.refresh(); });
  assert.equal((await cells(page, 'matrix-0-output-0'))[0], 4);
  const r = await page.evaluate(() => window.cnnlens.loadScene('{"bad": 1}'));
  assert.equal(r.ok, false);
  assert.equal((await cells(page, 'matrix-0-output-0'))[0], 4, 'a rejected scene keeps the network');
  await page.context().close();
});

test('narrow screens stack vertically without horizontal page scroll', async () => {
  const page = await h.open({ width: 400, height: 900 });
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client + 1, `page scrolls sideways: ${scroll} > ${client}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
