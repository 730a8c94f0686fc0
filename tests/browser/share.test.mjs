// Share links, saved work and exports: a link reproduces the exact scene (every float32 bit)
// and view; a damaged or foreign link shows a notice and the saved work (else the default
// scene), which it never overwrites; edits survive a reload; exported JSON imports back
// identically; CSV, PNG and PyTorch exports are produced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setup } from './harness.mjs';

let h;
let defaultScene;
before(async () => {
  h = await setup();
  const page = await h.open();
  defaultScene = await page.evaluate(() => window.cnnlens.sceneJSON());
  await page.context().close();
});
after(async () => { await h?.close(); });

/** A fresh context (own localStorage) on a URL, waiting until the app is ready. */
function openAt(url) {
  return h.open({ url, acceptDownloads: true, consoleErrors: false });
}

/** Arbitrary float32 numbers everywhere: odd edits, then Adam steps. */
async function scramble(page) {
  await page.evaluate(() => {
    const m = window.cnnlens.model;
    m.setParamElement(0, 'weight', 4, 0.1 + 1e-7);
    m.setInputCell(0, 2, 3, -0.333333343);
    m.setTarget(JSON.stringify([0.7, 1 / 3]));
    m.setOptimizer(JSON.stringify({ type: 'adam', lr: 0.0123, beta1: 0.85, beta2: 0.995, eps: 3e-8 }));
    m.train(4);
    window.cnnlens.refresh();
  });
  await page.getByTestId('mode-both').click();
}

test('a shared link reproduces the exact scene and the view', async () => {
  const page = await openAt(`${h.server.url}?lang=en`);
  await scramble(page);
  const sent = await page.evaluate(() => window.cnnlens.sceneJSON());
  const link = await page.evaluate(() => window.cnnlens.shareLink());
  const url = new URL(link);
  assert.match(url.searchParams.get('scene'), /^1\.[A-Za-z0-9_-]+$/);
  assert.equal(url.searchParams.get('view'), 'both');
  assert.equal(url.searchParams.get('lang'), 'en', 'the link keeps lang');
  // the Copy link button gives the same link (clipboard or the fallback field)
  await page.getByTestId('share-copy-link').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="share-link-field"]').value !== '');
  assert.equal(await page.getByTestId('share-link-field').inputValue(), link);

  const other = await openAt(link);
  const got = await other.evaluate(() => window.cnnlens.sceneJSON());
  assert.equal(got, sent, 'toJSON() of the receiver equals the sender\'s, every number');
  // bit-identical tensors, not only equal text
  const bits = (p) => p.evaluate(() => {
    const m = window.cnnlens.model;
    const all = [m.inputView().slice(), m.targetView().slice()];
    for (let i = 0; i < m.layerCount(); i++) for (const t of m.layerTensors(i)) if (t.name === 'weight' || t.name === 'bias') all.push(m.view(i, t.name).slice());
    return all.map((a) => Array.from(new Uint32Array(a.buffer)));
  });
  assert.deepEqual(await bits(other), await bits(page));
  assert.equal(await other.getByTestId('mode-both').getAttribute('aria-pressed'), 'true');
  assert.equal(await other.getByTestId('notice').count(), 0);
  assert.deepEqual([...page.problems, ...other.problems], []);
  await page.context().close();
  await other.context().close();
});

test('damaged, foreign-version and rejected links show a notice and the default scene', async () => {
  const page = await openAt(h.server.url);
  const good = new URL(await page.evaluate(() => window.cnnlens.shareLink())).searchParams.get('scene');
  const bad = await (async () => {
    // a valid payload whose scene the core rejects (kernel larger than the input)
    const s = JSON.parse(await page.evaluate(() => window.cnnlens.sceneJSON()));
    s.layers[0].kernel_size = 9;
    delete s.layers[0].weight;
    return page.evaluate(async (j) => {
      const cs = new Blob([new TextEncoder().encode(j)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
      const b = new Uint8Array(await new Response(cs).arrayBuffer());
      return '1.' + btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    }, JSON.stringify(s));
  })();
  await page.context().close();
  const cases = [
    [good.slice(0, good.length / 2), /damaged/],
    ['1.!!not base64!!', /damaged/],
    ['0.' + good.slice(2), /different version/],
    ['2.' + good.slice(2), /different version/],
    ['eJxLTEoGAAJNASc', /different version/],
    [bad, /could not be loaded/],
  ];
  for (const [payload, message] of cases) {
    const p = await openAt(`${h.server.url}?scene=${encodeURIComponent(payload)}&view=gradients`);
    assert.match(await p.getByTestId('notice-text').textContent(), message, payload);
    assert.match(await p.getByTestId('notice-text').textContent(), /Showing the default example instead/, 'nothing saved on this browser yet');
    assert.equal(await p.evaluate(() => window.cnnlens.sceneJSON()), defaultScene, payload);
    assert.ok(await p.getByTestId('layer-card-0').isVisible(), 'never a blank page');
    await p.getByTestId('notice-dismiss').click();
    assert.equal(await p.getByTestId('notice').count(), 0);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test('a link that cannot be opened leaves the saved work as it was: shown, kept, and still there after a reload', async () => {
  const page = await openAt(h.server.url);
  const good = new URL(await page.evaluate(() => window.cnnlens.shareLink())).searchParams.get('scene');
  await page.getByTestId('matrix-input-0').locator('.cell').nth(1).click();
  await page.keyboard.type('0.625');
  await page.keyboard.press('Enter');
  const edited = await page.evaluate(() => window.cnnlens.sceneJSON());
  assert.notEqual(edited, defaultScene);
  await page.waitForTimeout(600); // the debounced save
  for (const [payload, message] of [[good.slice(0, good.length / 2), /damaged/], ['2.' + good.slice(2), /different version/], ['', /damaged/]]) {
    await page.goto(`${h.server.url}?scene=${encodeURIComponent(payload)}`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.getByTestId('notice-text').textContent(), message, payload);
    assert.match(await page.getByTestId('notice-text').textContent(), /saved work is shown/, payload);
    assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), edited, `the saved work is shown (${payload})`);
    await page.waitForTimeout(600); // a save the failed link would have scheduled
    await page.goto(h.server.url);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), edited, `and kept (${payload})`);
    assert.equal(await page.evaluate(() => window.cnnlens.model.inputView()[1]), 0.625);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('edits survive a reload; malformed storage gives a notice and the default', async () => {
  const page = await openAt(h.server.url);
  // type a new value into the first input cell, switch to gradients
  await page.getByTestId('matrix-input-0').locator('.cell').nth(1).click();
  await page.keyboard.type('0.375');
  await page.keyboard.press('Enter');
  await page.getByTestId('preset-select').selectOption('deep');
  await page.getByTestId('preset-select').selectOption('classic');
  await page.getByTestId('matrix-input-0').locator('.cell').nth(1).click();
  await page.keyboard.type('0.375');
  await page.keyboard.press('Enter');
  await page.evaluate(() => { window.cnnlens.model.setParamElement(3, 'weight', 2, 0.123456789); window.cnnlens.refresh(); });
  await page.getByTestId('mode-gradients').click();
  const before = await page.evaluate(() => window.cnnlens.sceneJSON());
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before);
  assert.equal(await page.evaluate(() => window.cnnlens.model.inputView()[1]), 0.375);
  assert.equal(await page.getByTestId('mode-gradients').getAttribute('aria-pressed'), 'true');

  for (const junk of ['{not json', JSON.stringify({ v: 1, scene: '{"input":1}', view: 'both', presetId: 'classic' }), '[]']) {
    await page.waitForTimeout(500); // let the debounced save run first, so it can't overwrite the junk
    await page.evaluate((j) => localStorage.setItem('cnnlens:work', j), junk);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.getByTestId('notice-text').textContent(), /saved work/, junk);
    assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), defaultScene, junk);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an example as shipped is kept by its id; once edited or given another input (a drawing), the whole scene is kept', async () => {
  const page = await openAt(h.server.url);
  const saved = () => page.evaluate(() => JSON.parse(localStorage.getItem('cnnlens:work') ?? 'null'));
  await page.getByTestId('preset-select').selectOption('deep');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('cnnlens:work') ?? '{}').presetId === 'deep');
  const shipped = await page.evaluate(() => window.cnnlens.sceneJSON());
  assert.deepEqual(await saved(), { v: 1, scene: '', view: 'values', presetId: 'deep', example: true });
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'deep');
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), shipped, 'the example itself again');
  assert.equal(await page.getByTestId('btn-original').isDisabled(), true, 'the example, not an edited copy');

  // a cell typed: the whole scene is kept, and comes back
  await page.getByTestId('matrix-input-0').locator('.cell').nth(2).click();
  await page.keyboard.type('0.625');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('cnnlens:work') ?? '{}').scene !== '');
  const edited = await page.evaluate(() => window.cnnlens.sceneJSON());
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), edited);

  // Undo back to the shipped example: only the id again
  await page.getByTestId('btn-undo').click();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('cnnlens:work') ?? '{}').example === true);
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), shipped);

  // Digits: a drawing becomes the input without an undo step, and is kept all the same
  await page.getByTestId('preset-select').selectOption('digits');
  await page.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('cnnlens:work') ?? '{}').presetId === 'digits');
  assert.equal((await saved()).example, true, 'Digits as opened is kept by its id');
  const pad = await page.getByTestId('digits-pad').boundingBox();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.8, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('cnnlens:work') ?? '{}').scene !== '', null, { timeout: 10000 });
  const drawn = JSON.parse((await saved()).scene);
  assert.ok(drawn.input.data.some((v) => v !== 0), 'the drawn digit is in the kept scene');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('exported JSON imports back identically; a broken file keeps the current work', async () => {
  const page = await openAt(h.server.url);
  await scramble(page);
  const sent = await page.evaluate(() => window.cnnlens.sceneJSON());
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const file = await dl.path();
  const text = await readFile(file, 'utf8');
  assert.deepEqual(Object.keys(JSON.parse(text)).sort(), Object.keys(JSON.parse(sent)).sort());
  await page.getByTestId('preset-select').selectOption('deep');
  await page.getByTestId('import-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"input": ') });
  // the core's JSON reader places the break: the end of the text here
  await page.getByTestId('notice-text').filter({ hasText: 'Could not open that file: the text is not valid JSON (line 1, column 11), so it is not a scene.' }).waitFor();
  const deep = await page.evaluate(() => window.cnnlens.sceneJSON());
  // a number past any float is valid JSON to the browser (Infinity), so the core names it
  await page.getByTestId('import-file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.from('{"input": {"shape": [1], "data": [1e999]}, "layers": [], "loss": "mse", "target": [0]}') });
  await page.getByTestId('notice-text').filter({ hasText: 'the number 1e999 is too large' }).waitFor();
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), deep, 'current work kept');
  await page.getByTestId('import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"input": {"shape": [1,2,2], "data": [1,2,3]}, "layers": [], "loss": "mse", "target": []}') });
  // the file is read asynchronously: wait for the core's message to replace the JSON one
  await page.getByTestId('notice-text').filter({ hasText: /Could not open that file: (?!the (text|number))/ }).waitFor();
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), deep, 'current work kept');
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('notice-text').filter({ hasText: 'Opened' }).waitFor();
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), sent);
  // the example menu names an opened file's scene instead of showing a blank entry
  assert.equal(await page.getByTestId('preset-select').evaluate((s) => s.selectedOptions[0]?.textContent), 'Your own scene');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('CSV of a tensor, PNG of the view and the PyTorch script', async () => {
  const page = await openAt(h.server.url);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-matrix-0-weight').click()]);
  const lines = (await readFile(await csv.path(), 'utf8')).trim().split('\n');
  assert.equal(lines[0], 'out,in,row,col1,col2,col3');
  assert.deepEqual(lines.slice(1, 4), ['1,1,1,1,-1,-1', '1,1,2,-1,1,-1', '1,1,3,-1,-1,1']);
  assert.equal(lines.length, 7);

  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  const width = bytes.readUInt32BE(16), height = bytes.readUInt32BE(20);
  assert.ok(width > 600 && height > 200, `${width}x${height}`);

  await page.getByTestId('export-code').click();
  const code = await page.getByTestId('code-text').inputValue();
  assert.match(code, /nn\.Conv2d\(1, 2, kernel_size=\(3, 3\)/);
  assert.match(code, /model\[0\]\.weight\.copy_\(tensor\(\[1, -1, -1, -1, 1, -1, -1, -1, 1, -1, 1, -1, -1, 1, -1, -1, 1, -1\], 2, 1, 3, 3\)\)/);
  await page.getByTestId('code-close').click();
  // the dialog's 'close' event is queued as a task, so its removal is awaited, not sampled
  await page.getByTestId('code-dialog').waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await page.getByTestId('code-dialog').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
