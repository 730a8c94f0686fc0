// Undo/redo keep the optimizer in agreement (issue 18): after training with Adam, Undo and Redo
// bring back the step count, Adam's moments, the step counter and the loss curve of that moment,
// so stepping on gives exactly the numbers of a run that never undid anything. Mouse and keyboard
// only; the numbers are read through window.cnnlens afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const counter = async (page) => Number((await page.getByTestId('train-status').textContent()).match(/^(\d+)/)[1]);

/** Everything that must agree: parameters, optimizer state, the page's curve and counter. */
function readState(page) {
  return page.evaluate(() => {
    const m = window.cnnlens.model;
    const params = [];
    for (let i = 0; i < m.layerCount(); i++) for (const t of m.layerTensors(i)) if (t.name === 'weight' || t.name === 'bias') params.push(...m.copy(i, t.name));
    const o = m.optimizerState();
    return {
      params,
      steps: o.steps,
      moments: o.params.flatMap((p) => [...(p.momentum ?? []), ...(p.velocity ?? [])]),
      lossHistory: [...o.lossHistory],
      curve: [...window.cnnlens.state.training.curve],
      chartSteps: Number(document.querySelector('[data-testid="loss-chart"]').dataset.steps),
    };
  });
}

async function adamPage() {
  const page = await h.open();
  await page.getByTestId('optimizer-select').selectOption('adam');
  return page;
}

async function step(page, n) {
  for (let i = 0; i < n; i++) await page.getByTestId('btn-step').click();
}

test('Adam, 3 steps, undo, redo, one more step: the same numbers as 4 steps without undo', async () => {
  const straight = await adamPage();
  await step(straight, 4);
  const want = await readState(straight);
  await straight.context().close();
  assert.equal(want.steps, 4);
  assert.ok(want.moments.some((v) => v !== 0), 'Adam has moments to compare');

  const page = await adamPage();
  await step(page, 3);
  const atThree = await readState(page);
  await page.keyboard.press('Control+z');
  const atTwo = await readState(page);
  assert.equal(atTwo.steps, 2, "Undo brings Adam's step count back");
  assert.equal(await counter(page), 2, 'and the counter');
  assert.equal(atTwo.curve.length, 2, 'and the curve');
  assert.equal(atTwo.chartSteps, 2);
  assert.deepEqual(atTwo.lossHistory, atTwo.curve.map(Math.fround), "the core's loss history agrees with the page's curve");
  assert.notDeepEqual(atTwo.moments, atThree.moments, 'the moments are those after two steps');

  await page.keyboard.press('Shift+Control+z');
  assert.deepEqual(await readState(page), atThree, 'Redo: everything as it was after three steps');
  await step(page, 1);
  const got = await readState(page);
  assert.equal(await counter(page), 4);
  assert.deepEqual(got, want, 'stepping on after undo/redo matches the run without undo, exactly');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a whole Run undone and redone; an edit in between keeps the optimizer going', async () => {
  const page = await adamPage();
  await page.getByTestId('btn-run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]').dataset.steps) >= 20);
  await page.getByTestId('btn-run').click();
  const afterRun = await readState(page);
  assert.equal(afterRun.steps, afterRun.curve.length, "Adam's t equals the steps on the curve");

  await page.keyboard.press('Control+z');
  const before = await readState(page);
  assert.equal(before.steps, 0, 'before the run Adam had not started');
  assert.deepEqual(before.moments, []);
  assert.equal(await counter(page), 0);

  await page.getByTestId('btn-redo').click();
  assert.deepEqual(await readState(page), afterRun, 'Redo brings the run back with its optimizer state');

  // a cell edit rebuilds nothing: Adam goes on from its state; undoing the edit keeps it too
  await page.locator('[data-testid="matrix-0-weight-0"] .cell').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0.5');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+z');
  const undoneEdit = await readState(page);
  assert.deepEqual(undoneEdit, afterRun, 'undoing the edit returns exactly to the end of the run');
  await step(page, 1);
  assert.equal((await readState(page)).steps, afterRun.steps + 1, 'the next step continues the count');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
