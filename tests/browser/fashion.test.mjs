// The Fashion example: the Fashion-MNIST subset loads only when it is chosen, the gallery shows
// test images under their class names, training in the worker raises test accuracy, the
// prediction and the confusion matrix name the classes, and a gallery click makes that image the
// network's input. The tests share one page and run in order (the later ones need a trained net).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup } from './harness.mjs';

const NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
let h;
let page;
const requests = [];
const dash = () => page.evaluate(() => ({ ...document.querySelector('[data-testid="fashion-dashboard"]').dataset }));

before(async () => {
  h = await setup();
  page = await h.open();
  page.on('request', (r) => requests.push(r.url()));
});
after(async () => { await h?.close(); });

test('the example scene carries the class names in labels', () => {
  const scene = JSON.parse(readFileSync(new URL('../../examples/fashion.json', import.meta.url), 'utf8'));
  assert.deepEqual(scene.labels, NAMES);
});

test('the images load only when Fashion is chosen; the gallery shows them under their names', async () => {
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('fashion-dashboard').isHidden(), true);
  assert.deepEqual(requests.filter((u) => /\/fashion\//.test(u)), [], 'no request before choosing the example');
  await page.getByTestId('preset-select').selectOption('fashion');
  await page.waitForFunction(() => document.querySelector('[data-testid="fashion-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  for (const f of ['train-images.u8', 'train-labels.u8', 'test-images.u8', 'test-labels.u8']) {
    assert.ok(requests.some((u) => u.endsWith(`/fashion/${f}`)), `${f} requested`);
  }
  assert.ok(!requests.some((u) => /\/digits\//.test(u)), 'the digits are not fetched');
  assert.equal(await page.getByTestId('digits-dashboard').isHidden(), true);
  assert.equal(await page.getByTestId('training-panel').isHidden(), true, 'the one-sample training panel steps aside');
  // three test images of each class, under the class's name
  const captions = await page.locator('[data-testid="fashion-gallery"] figcaption').allTextContents();
  assert.deepEqual(captions, NAMES);
  assert.equal(await page.getByTestId('fashion-gallery-item').count(), 30);
  assert.equal(await page.locator('[data-testid="fashion-gallery-class-9"] [data-testid="fashion-gallery-item"]').first().getAttribute('aria-label'), 'Ankle boot: use as the input');
  // the prediction's bars and the target menu name the classes
  const bars = await page.locator('[data-testid="fashion-probs"] .digit').allTextContents();
  assert.deepEqual(bars, NAMES);
  const targets = await page.locator('[data-testid="fashion-target"] option').allTextContents();
  assert.deepEqual(targets.slice(1), NAMES);
  // the untrained net is evaluated at once: about chance level
  await page.waitForFunction(() => document.querySelector('[data-testid="fashion-dashboard"]').dataset.testAccuracy !== '');
  assert.ok(Number((await dash()).testAccuracy) < 0.5);
  assert.deepEqual(page.problems, []);
});

test('training in the worker raises test accuracy', async () => {
  const t0 = Date.now();
  await page.getByTestId('fashion-run').click();
  assert.equal(await page.getByTestId('fashion-run').textContent(), 'Pause');
  // a bar the first epoch reaches on a busy machine; 85% within 30 s is the bench's figure
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="fashion-dashboard"]').dataset.testAccuracy) > 0.75, null, { timeout: 60000, polling: 250 });
  await page.getByTestId('fashion-run').click();
  const d = await dash();
  console.log(`fashion: test accuracy ${d.testAccuracy} after ${((Date.now() - t0) / 1000).toFixed(1)} s, ${d.steps} steps`);
  assert.match(await page.getByTestId('fashion-status').textContent(), /images seen .*test accuracy \d+\.\d%/);
  assert.deepEqual(page.problems, []);
});

test('the confusion matrix is labelled with the class names and counts the 1,000 test images', async () => {
  await page.waitForFunction(() => document.querySelector('[data-testid="fashion-confusion-0-0"]')?.textContent !== '');
  const table = page.getByTestId('fashion-confusion');
  const columns = await table.locator('thead th:not(.corner)').allTextContents();
  const rows = await table.locator('tbody th').allTextContents();
  assert.deepEqual(columns, NAMES);
  assert.deepEqual(rows, NAMES);
  let total = 0;
  for (let r = 0; r < 10; r++) {
    const row = (await table.locator(`tbody tr:nth-child(${r + 1}) td`).allTextContents()).map(Number);
    assert.equal(row.reduce((a, b) => a + b, 0), 100, `100 test images of ${NAMES[r]}`);
    total += row.reduce((a, b) => a + b, 0);
  }
  assert.equal(total, 1000);
  assert.match(await table.locator('td[data-testid="fashion-confusion-9-9"]').getAttribute('title'), /test images of Ankle boot were predicted as Ankle boot/);
});

test('a gallery click makes that image the input and names the prediction', async () => {
  const input = () => page.evaluate(() => Array.from(window.cnnlens.model.inputView()));
  const before = await input();
  const item = page.locator('[data-testid="fashion-gallery-class-1"] [data-testid="fashion-gallery-item"]').first();
  await item.click();
  assert.equal(await item.getAttribute('aria-pressed'), 'true');
  const after = await input();
  assert.equal(after.length, 784);
  assert.notDeepEqual(after, before, 'the input changed');
  assert.ok(after.every((v) => v >= 0 && v <= 1));
  // a trouser: a tall shape in the middle columns, empty corners
  assert.equal(after[0] + after[27] + after[27 * 28] + after[28 * 28 - 1], 0);
  const d = await dash();
  assert.notEqual(d.prediction, '');
  const verdict = await page.getByTestId('fashion-verdict').textContent();
  assert.match(verdict, new RegExp(`^Looks like: (${NAMES.map((n) => n.replace('/', '\\/')).join('|')}) \\(\\d+%\\)$`));
  // target = the predicted class; choosing another moves the loss gradient
  const target = () => page.evaluate(() => Array.from(window.cnnlens.model.targetView()).indexOf(1));
  assert.equal(await target(), Number(d.prediction));
  const other = (Number(d.prediction) + 1) % 10;
  await page.getByTestId('fashion-target').selectOption(String(other));
  assert.equal(await target(), other);
  // another image of another class: the input changes again, only one item is marked
  await page.locator('[data-testid="fashion-gallery-class-8"] [data-testid="fashion-gallery-item"]').first().click();
  assert.notDeepEqual(await input(), after);
  assert.equal(await page.locator('[data-testid="fashion-gallery-item"][aria-pressed="true"]').count(), 1);
  assert.deepEqual(page.problems, []);
});

test('switching to Digits and back: one dashboard at a time, the Chinese page names the classes in Chinese', async () => {
  await page.getByTestId('preset-select').selectOption('digits');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  assert.equal(await page.getByTestId('fashion-dashboard').isHidden(), true);
  assert.equal(await page.getByTestId('training-panel').isHidden(), true);
  const zh = await h.open();
  await zh.goto(`${h.server.url}?lang=zh`);
  await zh.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  await zh.getByTestId('preset-select').selectOption('fashion');
  await zh.waitForFunction(() => document.querySelector('[data-testid="fashion-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  const captions = await zh.locator('[data-testid="fashion-gallery"] figcaption').allTextContents();
  assert.deepEqual(captions, ['T恤/上衣', '裤子', '套头衫', '连衣裙', '外套', '凉鞋', '衬衫', '运动鞋', '包', '短靴']);
  assert.equal(await zh.locator('[data-testid="fashion-confusion"] tbody th').first().textContent(), 'T恤/上衣');
  assert.deepEqual(zh.problems, []);
  await zh.context().close();
});
