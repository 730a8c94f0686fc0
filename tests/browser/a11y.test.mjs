// Accessibility (WCAG 2.1 AA): an axe-core audit of every view in both themes, a keyboard-only
// walkthrough, screen-reader names of cells, and a phone-sized touch viewport.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setup, cells, lossValue } from './harness.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

/** A fresh page in a theme/language/device. */
function open({ theme = 'light', lang = 'en', width = 1280, height = 900, touch = false, search = '' } = {}) {
  return h.open({
    width, height, colorScheme: theme, reducedMotion: 'reduce', path: `?lang=${lang}${search}`,
    ...(touch ? { hasTouch: true, isMobile: true, deviceScaleFactor: 2 } : {}),
  });
}

/** Serious and critical axe violations of the whole page, as short strings. */
async function audit(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return res;
}

const VIEWS = [
  ['values', async () => {}],
  ['gradients', async (p) => p.getByTestId('mode-gradients').click()],
  ['side by side', async (p) => p.getByTestId('mode-both').click()],
  ['explain with a selection', async (p) => { await p.locator('[data-testid="matrix-0-output-0"] .cell').nth(5).focus(); await p.getByTestId('explain-formula').first().waitFor(); }],
  ['lesson open', async (p) => { await p.getByTestId('btn-lesson').click(); await p.getByTestId('lesson-panel').waitFor(); }],
  ['legend open, trained, gradient check', async (p) => {
    await p.getByTestId('legend').locator('summary').click();
    for (let i = 0; i < 3; i++) await p.getByTestId('btn-step').click();
    await p.getByTestId('btn-gradcheck').click();
  }],
  ['fashion: gallery, a picked image, the confusion matrix', async (p) => {
    await p.getByTestId('preset-select').selectOption('fashion');
    await p.waitForFunction(() => document.querySelector('[data-testid="fashion-dashboard"]')?.dataset.testAccuracy, null, { timeout: 30000 });
    await p.locator('[data-testid="fashion-gallery-item"]').nth(4).click();
  }],
];

for (const theme of ['light', 'dark']) {
  test(`axe: no serious or critical violations in any view (${theme} theme)`, async () => {
    const report = {};
    const page = await open({ theme });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
    for (const [name, act] of VIEWS) {
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await act(page);
      report[name] = await audit(page);
    }
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const presets = await page.getByTestId('preset-select').locator('option:not([disabled]):not([data-hosted])').evaluateAll((os) => os.map((o) => o.value));
    for (const id of presets) {
      await page.getByTestId('preset-select').selectOption(id);
      // (the photo example is built when chosen: wait until it is the one shown)
      await page.waitForFunction((want) => window.cnnlens.state.presetId === want, id, { timeout: 30000 });
      await page.waitForTimeout(100);
      report[`preset ${id}`] = await audit(page);
      // a forward-only scene has no gradient views (their buttons are disabled)
      if (await page.getByTestId('mode-both').isDisabled()) continue;
      await page.getByTestId('mode-both').click();
      report[`preset ${id}, side by side`] = await audit(page);
      await page.getByTestId('mode-values').click();
    }
    const counts = Object.fromEntries(Object.entries(report).map(([k, v]) => [k, v.length]));
    console.log(`axe serious+critical violations per view (${theme}):`, JSON.stringify(counts));
    for (const [name, v] of Object.entries(report)) assert.deepEqual(v, [], `${theme} / ${name}`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('axe: the Chinese interface and the phone layout are clean too', async () => {
  for (const [opts, label] of [[{ lang: 'zh', theme: 'dark' }, 'zh dark'], [{ lang: 'zh', width: 375, height: 812, touch: true }, 'zh phone'], [{ width: 375, height: 812, touch: true, theme: 'dark' }, 'en phone dark']]) {
    const page = await open(opts);
    assert.deepEqual(await audit(page), [], label);
    await page.getByTestId('mode-both').click();
    assert.deepEqual(await audit(page), [], `${label}, side by side`);
    await page.context().close();
  }
});

test('keyboard only: Tab to a kernel cell, arrows, Enter, type, Enter; Tab to Step, Space; the loss changes', async () => {
  const page = await open();
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return { testid: a?.dataset?.testid ?? '', matrix: a?.closest?.('.matrix')?.dataset?.testid ?? '', index: a?.dataset?.index ?? '' };
  });
  let tabs = 0;
  while ((await active()).matrix !== 'matrix-0-weight-0' && tabs < 120) { await page.keyboard.press('Tab'); tabs++; }
  assert.equal((await active()).matrix, 'matrix-0-weight-0', 'a kernel cell is reachable with Tab');
  assert.equal((await active()).index, '0');
  // the focused cell's accessible name says where it is and what it holds
  const label = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
  assert.match(label, /1\. Convolution, Weights, filter 1, row 1, column 1, value 1/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.equal((await active()).index, '4');
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /row 2, column 2, value 1$/);
  // focus is visible (an outline)
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  const before = await lossValue(page);
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('cell-editor').count(), 1);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('-2');
  await page.keyboard.press('Enter'); // commits and opens the next cell, spreadsheet style
  await page.keyboard.press('Escape');
  assert.equal((await cells(page, 'matrix-0-weight-0'))[4], -2);
  const edited = await lossValue(page);
  assert.notEqual(edited, before, 'the edit changed the loss');
  tabs = 0;
  while ((await active()).testid !== 'btn-step' && tabs < 200) { await page.keyboard.press('Tab'); tabs++; }
  assert.equal((await active()).testid, 'btn-step', 'Step is reachable with Tab');
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  assert.match(await page.getByTestId('train-status').textContent(), /^2 steps/);
  assert.notEqual(await lossValue(page), edited, 'training steps changed the loss');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('heatmaps: focusable, arrow keys read the value aloud in the block readout, hovering keeps the layout', async () => {
  const page = await open();
  // the digits net: 16 pooled 5x5 maps are heatmaps sharing one readout line
  await page.evaluate((scene) => window.cnnlens.loadScene(scene), readFileSync(new URL('../../examples/digits.json', import.meta.url), 'utf8'));
  const block = page.getByTestId('block-matrix-5-output');
  const readout = block.locator('.block-readout');
  assert.equal(await readout.getAttribute('aria-live'), 'polite');
  assert.equal(await readout.textContent(), '', 'empty until a heatmap is pointed at');
  const layout = () => page.evaluate(() => {
    const b = document.querySelector('[data-testid="block-matrix-5-output"]').getBoundingClientRect();
    const c = document.querySelector('[data-testid="matrix-5-output-15"] canvas').getBoundingClientRect();
    return [b.width, b.height, c.x - b.x, c.y - b.y, c.width, c.height].map(Math.round);
  });
  const before = await layout();
  const heat = page.locator('[data-testid="matrix-5-output-3"] canvas');
  await heat.focus();
  await page.keyboard.press('ArrowRight');
  const text = await readout.textContent();
  assert.match(text, /^channel 4, row 1, column 2, value /);
  const shown = Number(text.split('value ')[1].replace('\u2212', '-'));
  const actual = await page.evaluate(() => window.cnnlens.model.view(5, 'output')[3 * 25 + 1]);
  assert.ok(Math.abs(shown - actual) <= 0.01 * Math.max(1, Math.abs(actual)), `${shown} vs ${actual}`);
  assert.deepEqual(await layout(), before, 'the readout never resizes the block or moves the maps');
  const box = await page.locator('[data-testid="matrix-5-output-15"] canvas').boundingBox();
  await page.mouse.move(box.x + box.width - 2, box.y + box.height - 2);
  assert.match(await readout.textContent(), /^channel 16, row 5, column 5, value /);
  assert.deepEqual(await layout(), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every number cell names its sign (colour is never the only cue)', async () => {
  const page = await open();
  const texts = await page.locator('[data-testid="matrix-0-weight-0"] .cell').allTextContents();
  assert.ok(texts.some((t) => t.startsWith('\u2212')), 'negatives carry the minus sign');
  await page.context().close();
});

test('reduced motion: Slide does not animate by itself', async () => {
  const page = await open();
  await page.getByTestId('slide-0').click();
  const f1 = await page.getByTestId('explain-formula').first().textContent();
  await page.waitForTimeout(1200);
  assert.equal(await page.getByTestId('explain-formula').first().textContent(), f1);
  await page.getByTestId('slide-next').click();
  assert.notEqual(await page.getByTestId('explain-formula').first().textContent(), f1);
  await page.context().close();
});

test('phone 375x812 with touch: tap selects, the Edit button edits, no sideways page scroll', async () => {
  const page = await open({ width: 375, height: 812, touch: true });
  const noSideScroll = async (what) => {
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client + 1, `${what}: page scrolls sideways: ${scroll} > ${client}`);
  };
  await noSideScroll('values');
  const cell = page.locator('[data-testid="matrix-0-weight-0"] .cell').nth(4);
  await cell.scrollIntoViewIfNeeded();
  await cell.tap();
  assert.equal(await page.getByTestId('cell-editor').count(), 0, 'a tap selects, it does not open the editor');
  assert.match(await page.getByTestId('explain').textContent(), /tap \(2, 2\)/, 'the tap shows the explanation');
  const edit = page.getByTestId('edit-matrix-0-weight-0');
  assert.ok(await edit.isVisible(), 'the Edit button shows on touch screens');
  await edit.tap();
  const editor = page.getByTestId('cell-editor');
  assert.equal(await editor.count(), 1);
  await editor.fill('5');
  await editor.press('Enter');
  await page.keyboard.press('Escape');
  assert.equal((await cells(page, 'matrix-0-weight-0'))[4], 5);
  for (const m of ['gradients', 'both']) { await page.getByTestId(`mode-${m}`).tap(); await noSideScroll(m); }
  await page.getByTestId('btn-lesson').tap();
  await noSideScroll('lesson');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('phone: a tapped cell explains itself in a bottom sheet that keeps the cell in view and closes with ×', async () => {
  const page = await open({ width: 375, height: 812, touch: true });
  const sheet = page.getByTestId('inspector');
  const boxOf = (loc) => loc.evaluate((e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, position: getComputedStyle(e).position }; });
  assert.equal((await boxOf(sheet)).position, 'static', 'no selection: the panel stays in the page flow');
  assert.equal(await page.getByTestId('explain-close').isVisible(), false);
  // a cell low on the screen: the sheet must not end up covering it
  const cell = page.locator('[data-testid="matrix-0-output-0"] .cell').nth(12);
  await cell.evaluate((e) => e.scrollIntoView({ block: 'end' }));
  await cell.tap();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('[data-testid="inspector"]')).position === 'fixed');
  const s = await boxOf(sheet);
  assert.ok(Math.abs(s.bottom - 812) <= 1, `the sheet sits on the bottom edge (${s.bottom})`);
  assert.ok(s.top >= 812 * 0.55, `and takes at most about 40% of the screen (top ${s.top})`);
  assert.match(await page.getByTestId('explain').textContent(), /=/, 'it shows the sum');
  await page.waitForFunction(() => {
    const m = document.querySelector('[data-testid="matrix-0-output-0"]').getBoundingClientRect();
    return m.bottom <= document.querySelector('[data-testid="inspector"]').getBoundingClientRect().top;
  }, null, { timeout: 3000 });
  await page.getByTestId('explain-close').tap();
  assert.equal((await boxOf(sheet)).position, 'static', '× closes the sheet');
  assert.equal(await page.evaluate(() => window.cnnlens.state.selection), null);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('theme: follows prefers-color-scheme, the toggle switches and is remembered', async () => {
  const page = await open({ theme: 'dark' });
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  assert.equal(await theme(), 'dark');
  const zeroBg = () => page.locator('[data-testid="matrix-0-bias-0"] .cell').first().evaluate((c) => c.style.backgroundColor);
  const darkZero = await zeroBg();
  await page.getByTestId('theme-toggle').click();
  assert.equal(await theme(), 'light');
  assert.notEqual(await zeroBg(), darkZero, 'matrices redraw with the light scale');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await theme(), 'light', 'the choice is remembered');
  await page.context().close();
});
