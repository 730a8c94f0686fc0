// The guided lesson: every step in both languages (title from the right data file, the
// spotlighted region present and visible), the "try it yourself" quizzes, step URLs, leaving
// the lesson with edits kept, embed mode, and the loss landscape canvas against the core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup, cells } from './harness.mjs';

const data = (lang) => JSON.parse(readFileSync(new URL(`../../web/src/lesson/lesson.${lang}.json`, import.meta.url), 'utf8'));
const TEXT = { en: data('en'), zh: data('zh') };

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

/** A page opened at `?query`, with reduced motion and an English browser unless told. */
function open(query, { width = 1280, height = 900, reducedMotion = 'reduce', locale = 'en-US' } = {}) {
  return h.open({ width, height, reducedMotion, locale, path: query ? `?${query}` : '' });
}

const title = (page) => page.getByTestId('lesson-title').textContent();
const stepParam = (page) => page.evaluate(() => new URL(location.href).searchParams.get('lesson'));

/** The spotlighted regions of the current step: present, visible, the first one on screen. */
async function checkSpot(page, label) {
  const spot = (await page.getByTestId('lesson-panel').getAttribute('data-spot')).split(' ');
  assert.ok(spot.length > 0, label);
  let first = true;
  for (const id of spot) {
    const el = page.getByTestId(id);
    if (id === 'opt-state-3' && !(await el.count())) continue; // appears after the first step
    assert.equal(await el.count(), 1, `${label}: region ${id} exists`);
    assert.ok(await el.isVisible(), `${label}: region ${id} is visible`);
    const outline = await el.evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.equal(outline, 'solid', `${label}: region ${id} is outlined`);
    if (first) {
      await page.waitForTimeout(50);
      const inView = await el.evaluate((e) => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; });
      assert.ok(inView, `${label}: region ${id} was scrolled into view`);
      first = false;
    }
  }
}

test('the two data files have the same keys and placeholders', () => {
  const keys = (o) => Object.keys(o).sort();
  assert.deepEqual(keys(TEXT.zh.ui), keys(TEXT.en.ui));
  assert.equal(TEXT.en.steps.length, 9);
  assert.equal(TEXT.zh.steps.length, 9);
  TEXT.en.steps.forEach((s, i) => {
    assert.deepEqual(keys(TEXT.zh.steps[i]), keys(s), `step ${i + 1}`);
    assert.notEqual(TEXT.zh.steps[i].title, s.title, `step ${i + 1} is translated`);
  });
});

for (const lang of ['en', 'zh']) {
  test(`walk all nine steps in ${lang} with Next, Back and the arrow keys`, async () => {
    const page = await open(`lang=${lang}`);
    assert.equal(await page.getByTestId('lesson-panel').isHidden(), true, 'closed until asked for');
    await page.getByTestId('btn-lesson').click();
    assert.equal(await page.getByTestId('btn-lesson').getAttribute('aria-pressed'), 'true');
    for (let n = 1; n <= 9; n++) {
      const label = `${lang} step ${n}`;
      assert.equal(await title(page), TEXT[lang].steps[n - 1].title, label);
      assert.equal(await page.getByTestId('lesson-progress').textContent(), TEXT[lang].ui.progress.replace('{n}', n).replace('{total}', 9));
      assert.equal(await page.locator('.lesson-dots [aria-current="step"]').getAttribute('data-testid'), `lesson-dot-${n}`);
      assert.equal(await stepParam(page), String(n), `${label}: the URL follows`);
      await checkSpot(page, label);
      if (n < 9) await page.getByTestId('lesson-next').click();
    }
    assert.equal(await page.getByTestId('lesson-next').textContent(), TEXT[lang].ui.finish);
    await page.getByTestId('lesson-back').click();
    assert.equal(await title(page), TEXT[lang].steps[7].title);
    // arrow keys while the panel has focus
    await page.getByTestId('lesson-back').focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await title(page), TEXT[lang].steps[6].title);
    await page.keyboard.press('ArrowRight');
    assert.equal(await title(page), TEXT[lang].steps[7].title);
    // Escape closes it as a dialog closes, and the focus goes back to the Lesson button
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('lesson-panel').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'btn-lesson');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('the browser language picks Chinese when ?lang is absent', async () => {
  const page = await open('lesson=1', { locale: 'zh-CN' });
  assert.equal(await title(page), TEXT.zh.steps[0].title);
  await page.context().close();
});

test('a step URL opens that step; markup is rendered as elements, not HTML', async () => {
  const page = await open('lesson=5&lang=en');
  assert.equal(await page.getByTestId('lesson-panel').isVisible(), true);
  assert.equal(await title(page), TEXT.en.steps[4].title);
  assert.match(await page.getByTestId('lesson-formula').textContent(), /^z1 = .* = −0\.319$/);
  assert.match(await page.getByTestId('lesson-formula-act').textContent(), /sigmoid\(−0\.319\) = 0\.421/);
  // **full connection** became a <strong>
  assert.ok(await page.locator('.lesson-body strong', { hasText: 'full connection' }).count() >= 1);
  await page.getByTestId('lesson-dot-6').click();
  assert.equal(await stepParam(page), '6');
  assert.equal(await page.getByTestId('lesson-formula').textContent(), 'L = ((0.421 − 1)² + (0.735 − 0)²) / 2 = 0.437');
  await page.context().close();
});

test('convolution: the worked sum, then a wrong and a right answer', async () => {
  const page = await open('lesson=2&lang=en');
  assert.equal(await page.getByTestId('lesson-formula').textContent(), '1×1 + (−1)×0 + (−1)×0 + (−1)×0 + 1×1 + (−1)×0 + (−1)×0 + (−1)×0 + 1×1 = 3');
  // the asked cell (filter 1, row 2, col 2) is masked on the page and its window outlined
  const asked = page.locator('[data-testid="matrix-0-output-0"] .cell[data-index="5"]');
  assert.equal(await asked.evaluate((e) => getComputedStyle(e).color), 'rgba(0, 0, 0, 0)');
  const answer = await page.evaluate(() => window.cnnlens.model.explainConv(0, 0, 1, 1).output);
  assert.equal(answer, 1);
  await page.getByTestId('lesson-answer').fill('3');
  await page.getByTestId('lesson-check').click();
  const fb = page.getByTestId('lesson-feedback');
  assert.equal(await fb.getAttribute('data-result'), 'wrong');
  assert.match(await fb.textContent(), /the value is 1/);
  assert.match(await page.getByTestId('lesson-quiz-formula').textContent(), /^1×1 \+ .* = 1$/);
  assert.notEqual(await asked.evaluate((e) => getComputedStyle(e).color), 'rgba(0, 0, 0, 0)', 'revealed');
  assert.equal(await page.locator('[data-testid="matrix-input-0"] .cell.field').count(), 9, 'the window is shown');
  await page.getByTestId('lesson-answer').fill('1');
  await page.getByTestId('lesson-answer').press('Enter');
  assert.equal(await fb.getAttribute('data-result'), 'right');
  // another cell: a random one, answered from the core
  await page.getByTestId('lesson-another').click();
  const q = await page.getByTestId('lesson-question').textContent();
  const [, f, r, c] = q.match(/filter (\d) give at row (\d), column (\d)/).map(Number);
  const v = await page.evaluate(([f, r, c]) => window.cnnlens.model.explainConv(0, f - 1, r - 1, c - 1).output, [f, r, c]);
  await page.getByTestId('lesson-answer').fill(String(v).replace('-', '−'));
  await page.getByTestId('lesson-check').click();
  assert.equal(await fb.getAttribute('data-result'), 'right');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('on a 1280x720 projector, the convolution step shows the window, the filter and the asked cell on one screen', async () => {
  const page = await open('lesson=2&lang=en', { width: 1280, height: 720 });
  const inView = (testid) => page.evaluate((id) => {
    const r = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  }, testid);
  for (const id of ['matrix-input-0', 'matrix-0-weight-0', 'matrix-0-output-0']) {
    assert.equal(await inView(id), true, `${id} is on screen`);
  }
  // the input and the convolution side by side: no "+ layer" menus between the cards in the lesson
  const tops = await page.evaluate(() => ['matrix-input-0', 'matrix-0-weight-0'].map((id) => document.querySelector(`[data-testid="${id}"]`).closest('.card').getBoundingClientRect().top));
  assert.equal(tops[0], tops[1]);
  assert.equal(await page.locator('.connector select.insert').first().isVisible(), false);
  await page.getByTestId('lesson-close').click();
  assert.equal(await page.locator('.connector select.insert').first().isVisible(), true, 'back when the lesson closes');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('pooling: a wrong and a right prediction, with the window shown', async () => {
  const page = await open('lesson=3&lang=zh');
  assert.equal(await page.getByTestId('lesson-formula').textContent(), 'max(3, −1, −3, 1) = 3');
  assert.equal(await page.getByTestId('lesson-formula-avg').textContent(), '(3 + (−1) + (−3) + 1) / 4 = 0');
  const outlined = page.locator('[data-testid="matrix-0-output-1"] .cell').filter({ has: page.locator(':scope') });
  void outlined;
  await page.getByTestId('lesson-answer').fill('-1');
  await page.getByTestId('lesson-check').click();
  const fb = page.getByTestId('lesson-feedback');
  assert.equal(await fb.getAttribute('data-result'), 'wrong');
  assert.match(await fb.textContent(), /正确的值是 1/);
  assert.equal(await page.getByTestId('lesson-quiz-formula').textContent(), 'max(−1, −1, −2, 1) = 1');
  assert.equal(await page.locator('[data-testid="matrix-0-output-1"] .cell.field').count(), 4, 'the pooling window');
  await page.getByTestId('lesson-answer').fill('1');
  await page.getByTestId('lesson-check').click();
  assert.equal(await fb.getAttribute('data-result'), 'right');
  await page.getByTestId('lesson-answer').fill('abc');
  await page.getByTestId('lesson-check').click();
  assert.equal(await fb.getAttribute('data-result'), 'invalid');
  await page.context().close();
});

test('leaving the lesson keeps an edit made during it and does not reload the scene', async () => {
  const page = await open('lesson=2&lang=en');
  const input = page.locator('[data-testid="matrix-input-0"] .cell').nth(1);
  await input.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  // the lesson's own sum follows the edit: (0,1) of the input is a −1 tap of filter 1
  assert.match(await page.getByTestId('lesson-formula').textContent(), /= 2$/);
  await page.getByTestId('lesson-next').click();
  await page.getByTestId('lesson-close').click();
  assert.equal(await page.getByTestId('lesson-panel').isHidden(), true);
  assert.equal(await stepParam(page), null, 'the step left the URL');
  assert.equal((await cells(page, 'matrix-input-0'))[1], 1);
  assert.equal((await cells(page, 'matrix-0-output-0'))[0], 2);
  assert.equal(await page.evaluate(() => JSON.parse(window.cnnlens.sceneJSON()).input.data[1]), 1);
  // no dimming left behind
  assert.equal(await page.getByTestId('layer-card-3').evaluate((e) => getComputedStyle(e).opacity), '1');
  // coming back keeps it too (same structure: no question asked)
  await page.getByTestId('btn-lesson').click();
  assert.equal(await page.getByTestId('lesson-notice').isHidden(), true);
  assert.equal((await cells(page, 'matrix-input-0'))[1], 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('another network: the lesson asks before loading the classic example', async () => {
  const page = await open('lang=en');
  await page.getByTestId('preset-select').selectOption('deep');
  await page.getByTestId('btn-lesson').click();
  const notice = page.getByTestId('lesson-notice');
  assert.equal(await notice.isVisible(), true);
  assert.equal(await page.evaluate(() => window.cnnlens.state.presetId), 'deep', 'not replaced without asking');
  await page.getByTestId('lesson-load-classic').click();
  assert.equal(await notice.isHidden(), true);
  assert.equal(await page.evaluate(() => window.cnnlens.state.presetId), 'classic');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('embed mode shows only the lesson and the regions the step needs', async () => {
  const page = await open('lesson=2&embed=1&lang=en');
  assert.equal(await page.locator('.app-header').isHidden(), true);
  assert.equal(await page.getByTestId('lesson-panel').isVisible(), true);
  assert.equal(await page.getByTestId('input-card').isVisible(), true);
  assert.equal(await page.getByTestId('layer-card-0').isVisible(), true);
  assert.equal(await page.getByTestId('layer-card-3').isHidden(), true);
  assert.equal(await page.getByTestId('loss-card').isHidden(), true);
  assert.equal(await page.getByTestId('training-panel').isHidden(), true);
  await page.getByTestId('lesson-dot-9').click();
  assert.equal(await page.getByTestId('training-panel').isVisible(), true);
  assert.equal(await page.getByTestId('layer-card-3').isVisible(), true);
  assert.equal(await page.getByTestId('input-card').isHidden(), true);
  await page.context().close();
});

test('the landscape canvas draws, and its marked minimum is the core\'s minRow/minCol', async () => {
  const page = await open('lesson=8&lang=en');
  const canvas = page.getByTestId('lesson-landscape');
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-landscape"]')?.dataset.minRow !== undefined);
  const check = async () => {
    const d = await canvas.evaluate((c) => ({ ...c.dataset, w: c.width, cssW: c.clientWidth }));
    const [la, na, ia] = d.a.split(':'), [lb, nb, ib] = d.b.split(':');
    const core = await page.evaluate((args) => {
      const g = window.cnnlens.model.lossLandscape(...args);
      return { minRow: g.minRow, minCol: g.minCol };
    }, [Number(la), na, Number(ia), Number(lb), nb, Number(ib), Number(d.half), Number(d.res)]);
    assert.deepEqual([Number(d.minRow), Number(d.minCol)], [core.minRow, core.minCol]);
    // the marker sits on that grid cell: plot is 40px from the left, 8px from the top
    const res = Number(d.res), plot = d.cssW - 48, cell = plot / res;
    assert.ok(Math.abs(Number(d.minX) - (40 + (core.minCol + 0.5) * cell)) < 0.01);
    assert.ok(Math.abs(Number(d.minY) - (8 + (res - 1 - core.minRow + 0.5) * cell)) < 0.01);
    // the pixel under the marker is its white centre; the heatmap is not blank
    const px = await canvas.evaluate((c, [x, y]) => {
      const ctx = c.getContext('2d');
      const k = c.width / c.clientWidth;
      const at = (u, v) => Array.from(ctx.getImageData(Math.round(u * k), Math.round(v * k), 1, 1).data);
      const samples = [[60, 20], [60, 200], [200, 60], [200, 200]].map(([u, v]) => at(u, v).join());
      return { marker: at(x, y), distinct: new Set(samples).size };
    }, [Number(d.minX), Number(d.minY)]);
    assert.deepEqual(px.marker, [255, 255, 255, 255]);
    assert.ok(px.distinct >= 2, 'the heatmap has more than one colour');
    return d;
  };
  const first = await check();
  // another pair of parameters redraws quickly
  await page.getByTestId('lesson-param-a').selectOption('0:weight:4');
  await page.getByTestId('lesson-param-b').selectOption('0:bias:1');
  const t0 = Date.now();
  await page.waitForFunction((a) => document.querySelector('[data-testid="lesson-landscape"]').dataset.a !== a, first.a);
  assert.ok(Date.now() - t0 < 1000);
  const second = await check();
  assert.equal(second.a, '0:weight:4');
  assert.equal(second.b, '0:bias:1');
  assert.match(await page.getByTestId('lesson-landscape-info').textContent(), /1681/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('gradient descent: a step shows the change; SGD and Adam are compared on copies', async () => {
  const page = await open('lesson=9&lang=en');
  assert.equal(await page.getByTestId('mode-gradients').getAttribute('aria-pressed'), 'true');
  const before = await page.evaluate(() => window.cnnlens.model.copy(3, 'weight.grad')[0]);
  await page.getByTestId('lesson-step').click();
  assert.match(await page.getByTestId('lesson-step-line').textContent(), /^Step 1: loss 0\.437 → /);
  const d = await page.evaluate(() => window.cnnlens.model.copy(3, 'weight.delta')[0]);
  assert.ok(Math.abs(d - -0.5 * before) < 1e-6);
  assert.match(await page.getByTestId('lesson-change-line').textContent(), /change = −0\.5 × /);
  const steps = await page.evaluate(() => window.cnnlens.model.stepsTaken());
  await page.getByTestId('lesson-compare-run').click();
  assert.equal(await page.getByTestId('lesson-compare').isVisible(), true);
  assert.match(await page.getByTestId('lesson-compare-result').textContent(), /After 50 steps: SGD .*, Adam /);
  assert.equal(await page.evaluate(() => window.cnnlens.model.stepsTaken()), steps, 'the live model is untouched');
  // leaving step 9 gives the values view back
  await page.getByTestId('lesson-back').click();
  assert.equal(await page.getByTestId('mode-values').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('on a 1280x720 projector, step 9 scrolls its own text to what Step and Compare just showed', async () => {
  // the lesson is a few lines tall there, beside the Training panel: the comparison was drawn
  // below the lesson's fold, and the click looked as if it did nothing
  for (const query of ['lesson=9&lang=en', 'lesson=9&lang=en&embed=1']) {
    const page = await open(query, { width: 1280, height: 720 });
    const inSight = (ids) => page.evaluate((list) => {
      const box = document.querySelector('.lesson-scroll').getBoundingClientRect();
      const parts = list.map((id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect());
      return { top: parts[0].top, bottom: parts.at(-1).bottom, boxTop: box.top, boxBottom: box.bottom };
    }, ids);
    await page.getByTestId('lesson-step').click();
    let s = await inSight(['lesson-step-line', 'lesson-change-line']);
    assert.ok(s.top >= s.boxTop - 0.5 && s.bottom <= s.boxBottom + 0.5, `${query}: the step's lines are in sight (${s.top}..${s.bottom} in ${s.boxTop}..${s.boxBottom})`);
    await page.getByTestId('lesson-compare-run').click();
    s = await inSight(['lesson-compare']);
    assert.ok(s.boxBottom - s.boxTop > 0 && s.top >= s.boxTop - 0.5 && s.bottom <= s.boxBottom + 0.5, `${query}: the comparison chart is in sight (${s.top}..${s.bottom} in ${s.boxTop}..${s.boxBottom})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

/** Where the lesson panel, its title, the sticky header and a region are on screen (px). */
function layoutOf(page, testid) {
  return page.evaluate((id) => {
    const box = (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; };
    const header = document.querySelector('.app-header');
    const sticky = getComputedStyle(header).position === 'sticky' ? header.getBoundingClientRect().bottom : 0;
    const region = id && document.querySelector(`[data-testid="${id}"]`);
    return {
      innerHeight, sticky,
      panel: box(document.querySelector('[data-testid="lesson-panel"]')),
      title: box(document.querySelector('[data-testid="lesson-title"]')),
      region: region ? box(region) : null,
    };
  }, testid);
}

/** The lesson's panel starts under the sticky header and its title is on screen. */
function assertLessonShown(l, label) {
  assert.ok(l.panel.top >= l.sticky - 0.5, `${label}: the lesson panel starts under the header (top ${l.panel.top}, header ${l.sticky})`);
  assert.ok(l.title.top >= l.sticky - 0.5 && l.title.bottom <= l.innerHeight, `${label}: the step's title is on screen (${l.title.top}..${l.title.bottom})`);
}

test('step 9 keeps its own text on screen next to the Training panel it points at; step 6 starts under the header', async () => {
  // stepping 1→9 on a 1280x720 projector: scrolling to the Training panel (under the lesson in
  // the same column) used to push the whole lesson panel off the top of the screen
  let page = await open('lesson=1&lang=en', { width: 1280, height: 720 });
  for (let n = 2; n <= 9; n++) {
    await page.getByTestId('lesson-next').click();
    await page.waitForTimeout(50);
    const l = await layoutOf(page, n === 9 ? 'training-panel' : null);
    if (n === 6 || n === 9) assertLessonShown(l, `720 step ${n}`);
    if (n === 9) {
      assert.ok(l.region.top >= l.panel.bottom && l.region.top + 120 <= l.innerHeight, `720 step 9: the Training panel's heading and buttons are on screen under the lesson (${l.region.top}..${l.region.bottom})`);
      const grad = await layoutOf(page, 'block-matrix-3-weight.grad');
      assert.ok(grad.region.top >= grad.sticky && grad.region.bottom <= grad.innerHeight, 'the dense gradients it talks about are on screen');
    }
  }
  await page.context().close();
  // opened directly, with room for both: the lesson and the whole Training panel
  for (const [width, height] of [[1280, 720], [1280, 900], [1920, 1080]]) {
    page = await open('lesson=9&lang=en', { width, height });
    await page.waitForTimeout(50);
    const l = await layoutOf(page, 'training-panel');
    assertLessonShown(l, `?lesson=9 at ${width}x${height}`);
    if (height >= 900) assert.ok(l.region.top >= l.panel.bottom && l.region.bottom <= l.innerHeight, `${width}x${height}: the whole Training panel is on screen (${l.region.top}..${l.region.bottom})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
  // on a phone the side panels come after the whole network: the step shows the dense gradients
  // its text is about (they used to scroll away to the Training panel), above the lesson's sheet
  page = await open('lesson=9&lang=en', { width: 390, height: 844 });
  await page.waitForTimeout(50);
  const phone = await layoutOf(page, 'block-matrix-3-weight.grad');
  assert.ok(phone.region.top >= phone.sticky - 0.5 && phone.region.bottom <= phone.panel.top,
    `390x844: the dense gradients are on screen above the lesson's sheet (${phone.region.top}..${phone.region.bottom}, sheet from ${phone.panel.top})`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('after the window is resized the step\'s region is brought back into view, but a height-only change leaves the reader\'s scroll alone', async () => {
  const page = await open('lesson=3&lang=en', { width: 390, height: 844 });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.waitForTimeout(600);
  const spot = (await page.getByTestId('lesson-panel').getAttribute('data-spot')).split(' ')[0];
  let l = await layoutOf(page, spot);
  assert.ok(l.region.bottom > l.sticky && l.region.top < l.innerHeight, `the highlighted ${spot} is on screen again (${l.region.top}..${l.region.bottom})`);
  assertLessonShown(l, 'after the resize');
  // the reader scrolls on their own; a height-only change (a mobile URL bar, a keyboard) keeps that
  await page.mouse.move(400, 400);
  await page.mouse.wheel(0, 600);
  await page.waitForFunction(() => scrollY > 0);
  // a wheel scrolls smoothly: wait until it has come to rest
  let scrolled = -1;
  for (let now = await page.evaluate(() => scrollY); now !== scrolled; now = await page.evaluate(() => scrollY)) {
    scrolled = now;
    await page.waitForTimeout(250);
  }
  await page.setViewportSize({ width: 1280, height: 680 });
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate(() => scrollY), scrolled);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a step link out of range or not a number still opens the lesson: the nearest step, or the first', async () => {
  for (const [query, step] of [['lesson=12', 9], ['lesson=0', 1], ['lesson=abc', 1], ['lesson=', 1], ['lesson=4.6', 5]]) {
    const page = await open(`${query}&lang=en`);
    assert.equal(await page.getByTestId('lesson-panel').isVisible(), true, `${query}: the lesson is open`);
    assert.equal(await title(page), TEXT.en.steps[step - 1].title, `${query}: step ${step}`);
    assert.equal(await stepParam(page), String(step), `${query}: the address names the step shown`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
