// Issue 18, items 3 and 4 (page side): every label true. The menu, description, document title
// and exported PNG say "(edited)" or "Your own scene"; the step counter, the curve and the
// optimizer agree; Adam proposes its own learning rate; the loss chart has a log scale;
// plurals and the core's layer names read right in English and Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const menuText = (page) => page.locator('[data-testid="preset-select"] option:checked').textContent();

test('removing a layer: menu, description, title and PNG all say the example was edited', async () => {
  const page = await h.open();
  assert.equal(await menuText(page), 'The classic example');
  assert.match(await page.title(), /^The classic example — CNN Lens$/);
  const desc0 = await page.getByTestId('scene-desc').textContent();
  await page.getByTestId('remove-0').click();
  assert.equal(await menuText(page), 'The classic example (edited)');
  assert.match(await page.getByTestId('scene-desc').textContent(), /^Edited from “The classic example”/);
  await page.waitForFunction(() => document.title.startsWith('The classic example (edited)'));
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  assert.equal(png.suggestedFilename(), 'the-classic-example-edited.png');
  // undo: the labels are true again
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.title.startsWith('The classic example —'));
  assert.equal(await menuText(page), 'The classic example');
  assert.equal(await page.getByTestId('scene-desc').textContent(), desc0);
  // a reload keeps the edited scene, still labelled as edited
  await page.getByTestId('remove-0').click();
  await page.waitForTimeout(400);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await menuText(page), 'The classic example (edited)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('PDF: the print dialog opens from the share bar, and the printed page and the PDF are titled with "(edited)"', async () => {
  const page = await h.open();
  await page.getByTestId('remove-0').click();
  await page.waitForFunction(() => document.title.startsWith('The classic example (edited)'));
  // the button opens the browser's print dialog (which saves PDFs): counted here, not shown
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed++; }; });
  await page.getByTestId('export-pdf').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => window.printed), 1);

  // on paper: the scene's true name on top, the numbers below, no controls
  await page.emulateMedia({ media: 'print' });
  const paper = await page.evaluate(() => {
    const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
    return {
      heading: shown(document.querySelector('[data-testid="print-title"]')) && document.querySelector('[data-testid="print-title"]').textContent,
      shareBar: shown(document.querySelector('[data-testid="sharebar"]')),
      menu: shown(document.querySelector('[data-testid="preset-select"]')),
      cells: [...document.querySelectorAll('.cell')].filter(shown).length,
    };
  });
  assert.equal(paper.heading, 'The classic example (edited)');
  assert.equal(paper.shareBar, false);
  assert.equal(paper.menu, false);
  assert.ok(paper.cells > 36, `${paper.cells} cells on paper`);
  // the PDF Chromium writes carries the document title: "(edited)" there too
  const pdf = await page.pdf({ format: 'A4' });
  const title = pdfTitle(pdf);
  assert.match(title, /^The classic example \(edited\) — CNN Lens$/);
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await page.getByTestId('print-title').isVisible(), false, 'the heading is for paper only');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** The /Title of a PDF's document information: a literal string, or UTF-16BE in hex when not ASCII. */
function pdfTitle(pdf) {
  const text = pdf.toString('latin1');
  const hex = text.match(/\/Title\s*<([0-9A-Fa-f\s]+)>/);
  if (hex) {
    const bytes = Buffer.from(hex[1].replace(/\s/g, ''), 'hex');
    const units = [];
    for (let i = bytes[0] === 0xfe && bytes[1] === 0xff ? 2 : 0; i + 1 < bytes.length; i += 2) units.push(bytes.readUInt16BE(i));
    return String.fromCharCode(...units);
  }
  const literal = text.match(/\/Title\s*\(((?:\\.|[^\\)])*)\)/);
  assert.ok(literal, 'the PDF has a /Title');
  return literal[1].replace(/\\(.)/g, '$1');
}

test('a share link of the classic example with an extra ReLU opens labelled as edited, not as the example', async () => {
  const page = await h.open();
  await page.getByTestId('insert-1').selectOption('relu');
  await page.waitForFunction(() => document.querySelector('[data-testid="preset-select"] option:checked').textContent.endsWith('(edited)'));
  const link = await page.evaluate(() => window.cnnlens.shareLink());
  const other = await h.open();
  await other.goto(link);
  await other.waitForSelector('body[data-ready="true"]');
  const layers = JSON.parse(await other.evaluate(() => window.cnnlens.sceneJSON())).layers.map((l) => l.type);
  assert.equal(layers.filter((t) => t === 'relu').length, 1, `the link carries the ReLU: ${layers}`);
  const menu = await menuText(other);
  assert.notEqual(menu, 'The classic example');
  assert.match(menu, /\(edited\)$|^Your own scene$/);
  assert.doesNotMatch(await other.getByTestId('scene-desc').textContent(), /^A 6x6 image/);
  await other.waitForFunction(() => !document.title.startsWith('The classic example —'));
  assert.deepEqual([...page.problems, ...other.problems], []);
  await page.context().close();
  await other.context().close();
});

test('an opened file is "Your own scene"; a failed import changes no label', async () => {
  const page = await h.open();
  const bad = { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"layers": []}') };
  await page.getByTestId('import-file').setInputFiles(bad);
  // the file is read asynchronously: wait for its outcome before reading the labels
  await page.getByTestId('notice-text').filter({ hasText: 'Could not open that file' }).waitFor();
  assert.equal(await menuText(page), 'The classic example', 'a failed import leaves the labels alone');
  const scene = JSON.parse(await page.evaluate(() => window.cnnlens.sceneJSON()));
  scene.title = 'My lesson';
  delete scene.description;
  await page.getByTestId('import-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scene)) });
  await page.getByTestId('notice-text').filter({ hasText: 'Opened' }).waitFor();
  assert.equal(await menuText(page), 'Your own scene');
  assert.match(await page.getByTestId('scene-desc').textContent(), /Your own scene, opened from a file/);
  await page.waitForFunction(() => document.title.startsWith('Your own scene'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('after 2 SGD steps, Adam with one step: counter and curve both say 3 steps; Adam gets lr 0.01', async () => {
  const page = await h.open();
  await page.getByTestId('btn-step').click();
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^2 steps/);
  await page.getByTestId('optimizer-select').selectOption('adam');
  assert.equal(await page.getByTestId('lr-input').inputValue(), '0.01');
  assert.match(await page.getByTestId('lr-note').textContent(), /0\.01.*Adam/);
  await page.getByTestId('btn-step').click();
  const status = await page.getByTestId('train-status').textContent();
  assert.match(status, /^3 steps \(the last 1 step with Adam\)/);
  assert.match(await page.getByTestId('loss-chart').getAttribute('aria-label'), /over 3 steps/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('plurals: "1 step", "2 steps"; the chart goes log when the loss spans more than 2 decades', async () => {
  const page = await h.open();
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^1 step ·/);
  assert.match(await page.getByTestId('loss-chart').getAttribute('aria-label'), /over 1 step,/);
  assert.equal(await page.getByTestId('loss-chart').getAttribute('data-scale'), 'linear');
  // the classic story: the loss falls fast, so after a run the log scale switches itself on
  await page.getByTestId('steps-per-frame').fill('200');
  await page.getByTestId('steps-per-frame').press('Enter');
  await page.getByTestId('btn-run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="loss-log"]').checked, null, { timeout: 20000 });
  await page.getByTestId('btn-run').click();
  assert.equal(await page.getByTestId('loss-chart').getAttribute('data-scale'), 'log');
  // and the person's choice wins
  await page.getByTestId('loss-log').uncheck();
  assert.equal(await page.getByTestId('loss-chart').getAttribute('data-scale'), 'linear');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('core errors name the card (1-based) and the setting label, in English and Chinese', async () => {
  const page = await h.open();
  const ks = page.getByTestId('setting-0-kernel_size');
  await ks.fill('9');
  await ks.press('Enter');
  const en = await page.getByTestId('layer-error-0').textContent();
  assert.match(en, /“1\. Convolution”: kernel size 9×9 is larger than/);
  assert.doesNotMatch(en, /layer 0|kernel_size/);
  await page.goto(`${h.server.url}?lang=zh`);
  await page.waitForSelector('body[data-ready="true"]');
  const zks = page.getByTestId('setting-0-kernel_size');
  await zks.fill('9');
  await zks.press('Enter');
  const zh = await page.getByTestId('layer-error-0').textContent();
  assert.match(zh, /“1\. 卷积”：卷积核大小 9×9 大于补零后的输入/);
  await page.getByTestId('btn-step').isDisabled();
  await zks.fill('3');
  await zks.press('Enter');
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^1 步/);
  await page.context().close();
});
