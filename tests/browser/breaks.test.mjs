// Issue 18, item 5: the small breaks a teacher found. The empty digits pad predicts nothing;
// the confusion matrix holds "100"; a read-only embed does not invite typing; the offline file
// explains Digits in plain words and offers "Save file" instead of a file:/// link; a 3-channel
// input is shown as a colour image; opening Digits does not freeze the page for a second (a
// note says its network is being built, and what it finally shows is what opening it in one go shows).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setup, DIST } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const ready = (page) => page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });

test('Digits opens without a long freeze; an empty pad predicts nothing, a drawing does', async () => {
  const page = await h.open();
  await page.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    const loop = () => { const now = performance.now(); window.__gaps.push(now - last); last = now; if (!window.__stop) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  });
  await page.getByTestId('preset-select').selectOption('digits');
  await ready(page);
  const longest = await page.evaluate(() => { window.__stop = true; return Math.max(...window.__gaps); });
  console.log(`longest frame gap while Digits opened: ${longest.toFixed(0)} ms (was about 1,100-1,400 ms; goal 50 ms)`);
  assert.ok(longest < 1000, `the page froze for ${longest.toFixed(0)} ms`);

  assert.match(await page.getByTestId('digits-verdict').textContent(), /^Draw a digit on the pad/);
  assert.equal(await page.getByTestId('digits-probs').isVisible(), false, 'no probabilities for a drawing nobody made');
  const box = await page.getByTestId('digits-pad').boundingBox();
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(x + k * 0.4, box.y + box.height * (0.15 + 0.07 * k));
  await page.mouse.up();
  await page.waitForFunction(() => /Looks like a \d/.test(document.querySelector('[data-testid="digits-verdict"]').textContent));
  assert.equal(await page.getByTestId('digits-probs').isVisible(), true);
  await page.getByTestId('digits-clear').click();
  assert.match(await page.getByTestId('digits-verdict').textContent(), /^Draw a digit/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** What the opened Digits network shows: its cards, a few numbers, the loss and the dashboard. */
const digitsPage = (page) => page.evaluate(() => {
  const cells = (id) => [...document.querySelectorAll(`[data-testid="${id}"] .cell`)].slice(0, 6).map((c) => c.textContent);
  return {
    cards: document.querySelectorAll('[data-testid^="layer-card-"]').length,
    pending: document.querySelectorAll('[data-testid^="card-pending-"]').length,
    building: document.querySelectorAll('[data-testid="pipeline-building"]').length,
    weights: cells('matrix-0-weight-0'),
    dense: cells('matrix-7-output-0'),
    target: document.querySelector('[data-testid="target-class"]').value,
    lossGrad: cells('matrix-lossgrad-0'),
    loss: document.querySelector('[data-testid="loss-value"]').textContent,
    prediction: document.querySelector('[data-testid="digits-dashboard"]').dataset.prediction,
  };
});

test('Digits says its network is being built, then shows the same network as when it opens in one go', async () => {
  const page = await h.open();
  // every note put on the page while it opens (it may be gone by the time a test looks)
  await page.evaluate(() => {
    window.notes = [];
    new MutationObserver(() => {
      const note = document.querySelector('[data-testid="pipeline-building"]');
      const seen = note && `${note.textContent} (${note.getAttribute('role')})`;
      if (seen && !window.notes.includes(seen)) window.notes.push(seen);
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByTestId('preset-select').selectOption('digits');
  await page.getByTestId('digits-dashboard').waitFor({ state: 'visible' });
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="card-pending-"]').length === 0);
  assert.deepEqual(await page.evaluate(() => window.notes), ['Building the network… (status)']);
  const opened = await digitsPage(page);
  assert.equal(opened.cards, 8);
  assert.equal(opened.building, 0, 'the note is gone');
  assert.equal(opened.weights.length, 6);
  // the target class is the predicted one, set before the first drawing
  assert.match(opened.target, /^[0-9]$/);

  // the same example reached by Undo opens in one task, the way every example used to
  await page.getByTestId('preset-select').selectOption('classic');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]').hidden);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="card-pending-"]').length === 0);
  assert.deepEqual(await digitsPage(page), opened);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Digits opens after its "building" note is painted, and another choice made before that wins', async () => {
  const page = await h.open();
  // the menu answers at once: the note is on the page as the change event returns, the network
  // is not open yet (the core builds it in a task after the next paint)
  const atOnce = await page.evaluate(() => {
    const menu = document.querySelector('[data-testid="preset-select"]');
    menu.value = 'digits';
    menu.dispatchEvent(new Event('change', { bubbles: true }));
    return {
      note: document.querySelectorAll('[data-testid="pipeline-building"]').length,
      title: document.querySelector('[data-testid="preset-select"]').value,
      cards: document.querySelectorAll('[data-testid^="layer-card-"]').length,
      inputShape: JSON.parse(window.cnnlens.sceneJSON()).input.shape,
    };
  });
  const classicShape = JSON.parse(readFileSync(new URL('../../examples/classic.json', import.meta.url), 'utf8')).input.shape;
  assert.deepEqual(atOnce, { note: 1, title: 'digits', cards: 0, inputShape: classicShape });
  await ready(page);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-testid="pipeline-building"]').length), 0);

  // back to the classic example, then Digits and, in the same moment, "Multi-channel": the
  // last choice opens, and Digits never does (its dashboard stays hidden, its worker unasked)
  await page.getByTestId('preset-select').selectOption('classic');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]').hidden);
  await page.evaluate(() => {
    const menu = document.querySelector('[data-testid="preset-select"]');
    for (const id of ['digits', 'multichannel']) {
      menu.value = id;
      menu.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="layer-card-"]').length > 0);
  // a few frames later, when Digits would have opened
  await page.evaluate(() => new Promise((done) => { let n = 0; const tick = () => (++n < 10 ? requestAnimationFrame(tick) : done()); requestAnimationFrame(tick); }));
  const after = await page.evaluate(() => ({
    chosen: document.querySelector('[data-testid="preset-select"]').value,
    digitsHidden: document.querySelector('[data-testid="digits-dashboard"]').hidden,
    note: document.querySelectorAll('[data-testid="pipeline-building"]').length,
    inputShape: JSON.parse(window.cnnlens.sceneJSON()).input.shape,
  }));
  assert.deepEqual(after, { chosen: 'multichannel', digitsHidden: true, note: 0, inputShape: JSON.parse(readFileSync(new URL('../../examples/multichannel.json', import.meta.url), 'utf8')).input.shape });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

for (const width of [390, 1280]) {
  test(`the confusion matrix keeps three-digit counts inside its card (${width} px)`, async () => {
    const page = await h.open({ width, height: 844 });
    await page.getByTestId('preset-select').selectOption('digits');
    await ready(page);
    // a class with all 100 of its test digits right: the widest count a cell shows
    const fit = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="digits-confusion"]');
      for (const td of table.querySelectorAll('td')) td.textContent = '100';
      const card = table.closest('.digits-card').getBoundingClientRect();
      const t = table.getBoundingClientRect();
      const clipped = [...table.querySelectorAll('td')].filter((td) => td.scrollWidth > td.clientWidth).length;
      return { inside: t.right <= card.right + 0.5 && t.left >= card.left - 0.5, clipped };
    });
    assert.deepEqual(fit, { inside: true, clipped: 0 });
    await page.context().close();
  });
}

test('a read-only embed does not tell readers to click a cell to type', async () => {
  const page = await h.browser.newPage({ viewport: { width: 900, height: 700 } });
  await page.goto(`${h.server.url}?embed=1&panels=input,conv,explain&readonly=1`);
  await page.waitForSelector('body[data-ready="true"]');
  const hints = await page.locator('.card-input .note:visible').allTextContents();
  assert.equal(hints.length, 1);
  assert.doesNotMatch(hints[0], /click a cell to type/i);
  assert.match(hints[0], /read-only/);
  await page.close();
});

test('a 3-channel input shows its colour image beside the channel maps', async () => {
  const page = await h.open();
  assert.equal(await page.getByTestId('input-colour').count(), 0, 'one channel: no colour image');
  await page.getByTestId('preset-select').selectOption('multichannel');
  const colour = page.getByTestId('input-colour');
  assert.equal(await colour.isVisible(), true);
  const lit = await colour.evaluate((cv) => {
    const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    return sum;
  });
  assert.ok(lit > 0, 'the image has colour in it');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('on a 1280x720 projector, a 3-channel kernel block fits its card: the head stays in view, the slices scroll', async () => {
  const page = await h.open({ width: 1280, height: 720 });
  // the classic 6x6 input fits its card whole: nothing of it hides behind a scroll
  const clipped = await page.evaluate(() => {
    const mats = document.querySelector('[data-testid="matrix-input-0"]').closest('.mats');
    return mats.scrollWidth - mats.clientWidth;
  });
  assert.equal(clipped, 0, `the classic input is cut by ${clipped}px`);
  await page.getByTestId('preset-select').selectOption('multichannel');
  await page.locator('[data-testid="matrix-0-weight-5"]').waitFor();
  const fit = await page.evaluate(() => {
    const first = document.querySelector('[data-testid="matrix-0-weight-0"]');
    const card = first.closest('.card').getBoundingClientRect();
    const block = first.closest('.block');
    const mats = first.closest('.mats');
    const csv = block.querySelector('.cl-csv').getBoundingClientRect();
    return { cardRight: card.right, csvRight: csv.right, blockRight: block.getBoundingClientRect().right, scrolls: mats.scrollWidth > mats.clientWidth };
  });
  assert.ok(fit.csvRight <= fit.cardRight, `the CSV button ends at ${fit.csvRight}, past the card's ${fit.cardRight}`);
  assert.ok(fit.blockRight <= fit.cardRight, `the block ends at ${fit.blockRight}, past the card's ${fit.cardRight}`);
  assert.equal(fit.scrolls, true, 'the three slices of a filter are wider than the card and scroll');
  // a cell out of sight comes into view when the keyboard reaches it
  await page.locator('[data-testid="matrix-0-weight-2"] .cell').first().focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const last = page.locator('[data-testid="matrix-0-weight-2"] .cell').nth(2);
  await page.waitForFunction(() => document.querySelector('[data-testid="matrix-0-weight-2"]').closest('.mats').scrollLeft > 0);
  const seen = await last.evaluate((cell) => {
    const r = cell.getBoundingClientRect(), m = cell.closest('.mats').getBoundingClientRect();
    return r.left >= m.left - 1 && r.right <= m.right + 1;
  });
  assert.equal(seen, true, 'the focused cell is scrolled into view');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('offline file: Digits is explained in plain words; Copy link offers Save file', async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(pathToFileURL(join(DIST, 'cnn-lens-offline.html')).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  await page.getByTestId('share-copy-link').click();
  const box = page.getByTestId('local-link');
  assert.equal(await box.isVisible(), true);
  assert.match(await box.textContent(), /opened from a file on this computer/);
  assert.equal(await page.getByTestId('share-link-field').isVisible(), false, 'no file:/// link is offered');
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('local-save-file').click()]);
  assert.match(file.suggestedFilename(), /\.json$/);
  await page.getByTestId('preset-select').selectOption('digits');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'failed', null, { timeout: 20000 });
  const msg = await page.getByTestId('digits-message').textContent();
  assert.match(msg, /offline copy/);
  assert.doesNotMatch(msg, /npm|preview|server/);
  await context.close();
});

test('on a phone, a row of matrices wider than its card fades out on the side that has more (a 2×8 weight showed 7 columns and no sign of the 8th)', async () => {
  const page = await h.open({ width: 390, height: 844 });
  const row = page.locator('[data-testid="layer-card-3"] .mats').first();
  await row.scrollIntoViewIfNeeded();
  const state = () => row.evaluate((el) => ({ wider: el.scrollWidth > el.clientWidth, left: el.classList.contains('more-left'), right: el.classList.contains('more-right') }));
  await page.waitForFunction(() => document.querySelector('[data-testid="layer-card-3"] .mats')?.classList.contains('more-right'));
  assert.deepEqual(await state(), { wider: true, left: false, right: true });
  await row.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  await page.waitForFunction(() => document.querySelector('[data-testid="layer-card-3"] .mats')?.classList.contains('more-left'));
  assert.deepEqual(await state(), { wider: true, left: true, right: false });
  // where everything fits, no fade
  const wide = await h.open({ width: 1280, height: 720 });
  assert.equal(await wide.locator('[data-testid="layer-card-3"] .mats.more-right, [data-testid="layer-card-3"] .mats.more-left').count(), 0);
  assert.deepEqual([...page.problems, ...wide.problems], []);
  await page.context().close();
  await wide.context().close();
});
