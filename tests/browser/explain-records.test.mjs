// The whole backward chain explained cell by cell on the classic example, as a person uses it:
// hovering or focusing a gradient cell writes the chain-rule step with its numbers (from the
// core's explainCell records), long sums show their non-zero terms and count the zeros, and the
// gradient check names the max-pool tie behind its large errors and selects it on click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const cell = (page, testid, i) => page.locator(`[data-testid="${testid}"] .cell`).nth(i);
const formula = (page) => page.getByTestId('explain-formula').first().textContent();
const explainText = (page) => page.getByTestId('explain').textContent();
const num = (s) => Number(s.replace(/[()]/g, '').replace('\u2212', '-'));

async function gradients(page) {
  await page.getByTestId('mode-gradients').click();
}

test('a sigmoid gradient cell shows dL/dy × y × (1 − y) with its numbers', async () => {
  const page = await h.open();
  await gradients(page);
  await cell(page, 'matrix-3-grad_output-0', 0).hover();
  const f = await formula(page);
  // e.g. "(−0.579) × 0.421 × 0.579 = −0.141"
  const m = f.match(/^(\S+) × (\S+) × (\S+) = (\S+)$/);
  assert.ok(m, f);
  const [g, y, oneMinusY, result] = m.slice(1).map(num);
  assert.ok(Math.abs(y + oneMinusY - 1) < 2e-3, f);
  assert.ok(Math.abs(g * y * oneMinusY - result) < 2e-3 * (1 + Math.abs(result)), f);
  assert.match(await explainText(page), /dL\/dz = dL\/dy × y × \(1 − y\)/);
  // and dL/dy itself comes from the loss: the loss card's cell writes 2 × (y − t) / 2
  await cell(page, 'matrix-lossgrad-0', 0).hover();
  const lossLine = await formula(page);
  assert.match(lossLine, /^2 × \(.+ − 1\) \/ 2 = /);
  assert.equal(num(lossLine.split(' = ')[1]), g);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('keyboard focus on a dense gradient cell writes the weight sum and dL/dw = x × dL/dz', async () => {
  const page = await h.open();
  await gradients(page);
  // dL/d(flatten output) = the dense layer's dL/dx: Σ_j w_ji × dL/dz_j over its 2 outputs
  await cell(page, 'matrix-2-grad_output-0', 0).focus();
  const f = await formula(page);
  const terms = f.split(' = ')[0].split(' + ');
  const value = num(f.split(' = ').at(-1));
  assert.ok(terms.length >= 1 && terms.length <= 2, f);
  const sum = terms.map((t) => t.split('×').map(num).reduce((a, b) => a * b, 1)).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - value) < 5e-3, `${f}: ${sum}`);
  assert.match(await explainText(page), /dL\/dx1 = Σ_j/);
  // a dense weight gradient: one sample, so one term x × dL/dz
  await cell(page, 'matrix-3-weight.grad-0', 0).focus();
  const w = await formula(page);
  assert.match(w, /^\S+×\S+ = \S+$/);
  assert.match(await explainText(page), /upstream gradient of its output/);
  await page.context().close();
});

test('a max-pool gradient cell says the winner gets it and the others 0', async () => {
  const page = await h.open();
  await gradients(page);
  const routed = page.locator('[data-testid="matrix-1-grad_input-0"] .cell');
  const classes = await routed.evaluateAll((els) => els.map((e) => e.className));
  const winner = classes.findIndex((c) => c.includes('winner'));
  const loser = classes.findIndex((c) => !c.includes('winner'));
  await routed.nth(winner).hover();
  assert.match(await formula(page), /^\S+×1 = \S+$/);
  assert.match(await explainText(page), /gives its whole gradient to its winner/);
  await routed.nth(loser).hover();
  assert.match(await formula(page), /^\S+×0 = 0$/);
  await page.context().close();
});

test('a conv weight gradient lists its non-zero terms first and counts the zero ones', async () => {
  const page = await h.open();
  await gradients(page);
  await cell(page, 'matrix-0-weight.grad-0', 0).hover();
  const f = await formula(page);
  // 16 output positions, only the max-pool winners carry gradient: the rest are counted, not shown
  assert.match(f, /\+ \d+ zero terms = \S+$/);
  assert.doesNotMatch(f, /×0 \+/);
  const shown = f.replace(/ \+ \d+ zero terms.*/, '').split(' + ').map((t) => t.split('×').map(num).reduce((a, b) => a * b, 1));
  const value = num(f.split(' = ').at(-1));
  assert.ok(Math.abs(shown.reduce((a, b) => a + b, 0) - value) < 5e-3, f);
  await page.context().close();
});

test('the gradient check names the max-pool tie and clicking it selects the tied cell', async () => {
  const page = await h.open();
  await page.getByTestId('btn-gradcheck').click();
  const cause = page.getByTestId('gc-cause').first();
  await cause.waitFor();
  const text = await cause.textContent();
  assert.match(text, /max-pool tie in 2\. /);
  // every column, "abs. error" too, fits the side panel: nothing clipped, nothing to scroll to
  const fit = await page.evaluate(() => {
    const table = document.querySelector('[data-testid="gradcheck-table"]');
    const panel = table.closest('.gradcheck').getBoundingClientRect();
    const cells = [...table.querySelectorAll('th, td, button')];
    return {
      inside: cells.every((c) => c.getBoundingClientRect().right <= panel.right + 0.5),
      clipped: cells.filter((c) => c.scrollWidth > c.clientWidth + 0.5).map((c) => c.textContent),
      scrolls: table.parentElement.scrollWidth > table.parentElement.clientWidth,
      width: window.innerWidth,
    };
  });
  assert.deepEqual(fit, { inside: true, clipped: [], scrolls: false, width: 1280 });
  await cause.click();
  // the tied cell is a cell of the convolution's output map: it is selected and explained
  assert.ok(await page.locator('[data-testid^="matrix-0-output-"] .cell.sel').count() >= 1);
  assert.match(await explainText(page), /Convolution|filter/i);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
