// Issue 18, item 1: nothing is lost. Undo/redo (buttons and keys) for every change, edits kept
// across example switches, channel growth keeps the filters, invalid typed values stay visible
// with their reason, nothing trains while a shown setting is not applied, and the history's
// memory cap says when it dropped the oldest steps. Everything done with mouse and keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, cells } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const cell = (page, testid, i) => page.locator(`[data-testid="${testid}"] .cell`).nth(i);

/** Click a cell, type a value, press Enter, then Esc (the editor moved on to the next cell). */
async function typeInto(page, testid, i, text) {
  await cell(page, testid, i).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

const steps = async (page) => Number((await page.getByTestId('train-status').textContent()).match(/^(\d+)/)[1]);

test('Ctrl+Z and Shift+Ctrl+Z undo and redo cell edits; the buttons do the same', async () => {
  const page = await h.open();
  assert.equal(await page.getByTestId('btn-undo').isDisabled(), true, 'nothing to undo on a fresh page');
  await typeInto(page, 'matrix-0-weight-0', 0, '2');
  await typeInto(page, 'matrix-0-weight-0', 4, '5');
  assert.deepEqual((await cells(page, 'matrix-0-weight-0')).slice(0, 5), [2, -1, -1, -1, 5]);
  await page.keyboard.press('Control+z');
  assert.deepEqual((await cells(page, 'matrix-0-weight-0')).slice(0, 5), [2, -1, -1, -1, 1], 'the last edit is undone');
  await page.keyboard.press('Control+z');
  assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 1, 'and the one before');
  await page.keyboard.press('Shift+Control+z');
  assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 2, 'redo');
  await page.getByTestId('btn-redo').click();
  assert.equal((await cells(page, 'matrix-0-weight-0'))[4], 5, 'the redo button');
  await page.getByTestId('btn-undo').click();
  assert.equal((await cells(page, 'matrix-0-weight-0'))[4], 1, 'the undo button');
  assert.match(await page.getByTestId('btn-undo').getAttribute('title'), /Undo: edit a weight/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('layers, loss, optimizer and a training run are each one undo step', async () => {
  const page = await h.open();
  await page.getByTestId('remove-0').click();
  assert.equal(await page.getByTestId('layer-card-0').getAttribute('aria-label'), '1. Max pooling');
  await page.getByTestId('btn-undo').click();
  assert.equal(await page.getByTestId('layer-card-0').getAttribute('aria-label'), '1. Convolution', 'the removed layer is back');
  await page.getByTestId('loss-select').selectOption('cross_entropy');
  await page.getByTestId('optimizer-select').selectOption('adam');
  await page.getByTestId('btn-run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]').dataset.steps) > 10);
  await page.getByTestId('btn-run').click();
  assert.ok(await steps(page) > 10);
  await page.keyboard.press('Control+z');
  assert.equal(await steps(page), 0, 'the whole run is one step back');
  assert.equal(await page.getByTestId('optimizer-select').inputValue(), 'adam');
  await page.keyboard.press('Control+z');
  assert.equal(await page.getByTestId('optimizer-select').inputValue(), 'sgd');
  await page.keyboard.press('Control+z');
  assert.equal(await page.getByTestId('loss-select').inputValue(), 'mse');
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await page.getByTestId('loss-select').inputValue(), 'cross_entropy');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('switching examples keeps the edited one: it comes back on return, and Undo crosses switches', async () => {
  const page = await h.open();
  await typeInto(page, 'matrix-0-weight-0', 0, '7');
  await page.getByTestId('preset-select').selectOption('deep');
  assert.notEqual((await cells(page, 'matrix-0-weight-0'))[0], 7);
  await page.getByTestId('preset-select').selectOption('classic');
  assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 7, 'the edit came back');
  assert.match(await page.getByTestId('restored-note').textContent(), /earlier changes/);
  assert.match(await page.locator('[data-testid="preset-select"] option:checked').textContent(), /\(edited\)$/);
  // the example as shipped is one click away, and the edits one Undo away
  await page.getByTestId('btn-original').click();
  assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 1);
  await page.getByTestId('btn-undo').click();
  assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 7);
  // undo across a switch: back to the other example
  await page.getByTestId('preset-select').selectOption('deep');
  await page.keyboard.press('Control+z');
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'classic');
  assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 7);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('more out channels keep the existing (edited) filters; fewer keep the ones that remain', async () => {
  const page = await h.open();
  await typeInto(page, 'matrix-0-weight-1', 4, '3');
  const f1 = await cells(page, 'matrix-0-weight-0');
  const f2 = await cells(page, 'matrix-0-weight-1');
  const field = page.getByTestId('setting-0-out_channels');
  await field.fill('5');
  await field.press('Enter');
  assert.equal(await page.locator('[data-testid^="matrix-0-weight-"][data-testid$="-4"]').count(), 1, 'five filters');
  assert.deepEqual(await cells(page, 'matrix-0-weight-0'), f1, 'filter 1 unchanged');
  assert.deepEqual(await cells(page, 'matrix-0-weight-1'), f2, 'the edited filter 2 unchanged');
  await field.fill('1');
  await field.press('Enter');
  assert.deepEqual(await cells(page, 'matrix-0-weight-0'), f1, 'filter 1 still unchanged');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an invalid typed value stays in the cell, marked, with the reason', async () => {
  const page = await h.open();
  for (const [text, why] of [['abc', /"abc" is not a number/], ['1e40', /1e40 is too large/]]) {
    await cell(page, 'matrix-0-weight-0', 0).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    const editor = page.getByTestId('cell-editor');
    assert.equal(await editor.inputValue(), text, `${text} is still there`);
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByTestId('cell-error').textContent(), why);
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('cell-error').count(), 0);
    assert.equal((await cells(page, 'matrix-0-weight-0'))[0], 1, 'the old value is kept');
  }
  await page.context().close();
});

test('nothing trains while a shown setting is invalid, and the buttons say why', async () => {
  const page = await h.open();
  const field = page.getByTestId('setting-0-kernel_size');
  await field.fill('9');
  await field.press('Enter');
  assert.equal(await field.inputValue(), '9', 'the typed value stays');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('btn-step').isDisabled(), true);
  assert.equal(await page.getByTestId('btn-run').isDisabled(), true);
  assert.match(await page.getByTestId('train-blocked').textContent(), /kernel size typed in “1\. Convolution” is not applied/);
  assert.match(await page.getByTestId('btn-step').getAttribute('title'), /Not training/);
  assert.equal(await steps(page), 0);
  await field.fill('3');
  await field.press('Enter');
  assert.equal(await page.getByTestId('btn-step').isDisabled(), false);
  await page.getByTestId('btn-step').click();
  assert.equal(await steps(page), 1);
  // a learning rate that is not a number blocks training too
  await page.getByTestId('lr-input').fill('fast');
  await page.getByTestId('lr-input').press('Enter');
  await page.getByTestId('lr-input').blur();
  assert.equal(await page.getByTestId('btn-step').isDisabled(), true);
  assert.equal(await page.getByTestId('lr-input').inputValue(), 'fast');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the history has a cap and says when the oldest steps were dropped', async () => {
  const page = await h.open();
  await cell(page, 'matrix-input-0', 0).click();
  // 110 edits typed one after another (Enter moves on to the next cell)
  for (let k = 0; k < 110; k++) {
    await page.keyboard.press('Control+A');
    await page.keyboard.type(String(k + 2));
    await page.keyboard.press(k % 30 === 29 ? 'Escape' : 'Enter');
    if (k % 30 === 29) await cell(page, 'matrix-input-0', 0).click();
  }
  await page.keyboard.press('Escape');
  await page.getByTestId('btn-undo').click(); // writes the last step down
  const dropped = page.getByTestId('history-dropped');
  assert.equal(await dropped.isVisible(), true);
  assert.match(await dropped.textContent(), /The oldest \d+ steps? (was|were) dropped/);
  let undos = 0;
  while (!(await page.getByTestId('btn-undo').isDisabled()) && undos < 200) { await page.getByTestId('btn-undo').click(); undos++; }
  assert.ok(undos < 100, `at most 100 states are kept (${undos + 1} undone)`);
  await page.context().close();
});

test('an edit\'s undo step is written once the edit is painted, not inside the next edit; each edit still undoes on its own', async () => {
  const page = await h.open();
  const before = await cells(page, 'matrix-0-weight-0');
  // count the scene copies (what an undo step costs) made inside the Enter of edits 2 to 6
  const inside = await page.evaluate(async () => {
    const proto = Object.getPrototypeOf(window.cnnlens.model);
    const copy = proto.toJSON;
    let entering = false, copiesInside = 0;
    proto.toJSON = function () { if (entering) copiesInside++; return copy.call(this); };
    const painted = () => new Promise((done) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => done(); ch.port2.postMessage(0); }));
    for (let k = 0; k < 6; k++) {
      document.querySelectorAll('[data-testid="matrix-0-weight-0"] .cell')[k].click();
      const input = document.querySelector('[data-testid="cell-editor"]');
      input.value = String(k + 2);
      await painted();
      await painted();
      // the first edit also records the starting state (the history's first entry): not counted
      entering = k > 0;
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      entering = false;
      document.querySelector('[data-testid="cell-editor"]')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    }
    await painted();
    await painted();
    proto.toJSON = copy;
    return copiesInside;
  });
  assert.equal(inside, 0, 'no edit paid for the one before it');
  const edited = await cells(page, 'matrix-0-weight-0');
  assert.deepEqual(edited.slice(0, 6), [2, 3, 4, 5, 6, 7]);
  // six edits, six undo steps
  for (let k = 5; k >= 0; k--) {
    await page.getByTestId('btn-undo').click();
    assert.equal((await cells(page, 'matrix-0-weight-0'))[k], before[k], `undo ${6 - k} restores cell ${k}`);
  }
  assert.deepEqual(await cells(page, 'matrix-0-weight-0'), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
