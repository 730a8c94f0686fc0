// Issue "Real images", item 3: teach it your classes. Classes are named, filled with image files
// made here (BMPs of striped and plain pictures), the camera (Chromium's fake one) and the pad;
// a sample becomes exactly the area-averaged picture computed here; training in the worker
// reaches 100% on the samples and predicts held-out pictures; a project saved to a file comes
// back with every sample and weight; bad project files, a denied camera and a camera unplugged
// mid-stream are refused or explained with the work kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setup } from './harness.mjs';
import { files, picture, referenceSample } from './teach-pictures.mjs';

let h;
before(async () => { h = await setup({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] }); });
after(async () => { await h?.close(); });

const SIDE = 32;

const dash = (page) => page.getByTestId('teach-dashboard');
const scene = async (page) => JSON.parse(await page.evaluate(() => window.cnnlens.sceneJSON()));

async function openTeach(page) {
  await page.evaluate(() => localStorage.removeItem('cnnlens:teach'));
  await page.getByTestId('preset-select').selectOption('teach');
  await page.waitForSelector('[data-testid="teach-dashboard"][data-ready="true"]', { timeout: 20000 });
}

async function rename(page, k, name) {
  await page.getByTestId(`teach-name-${k}`).fill(name);
  await page.getByTestId(`teach-name-${k}`).press('Enter');
  await page.waitForFunction(([i, n]) => JSON.parse(window.cnnlens.sceneJSON()).labels?.[i] === n, [k, name]);
}

async function counts(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid^="teach-count-"]')].map((e) => Number(e.textContent.match(/\d+/)[0])));
}

/** Three named classes of 12 pictures each, from files. */
async function threeClasses(page) {
  await rename(page, 0, 'horizontal');
  await rename(page, 1, 'vertical');
  await page.getByTestId('teach-add-class').click();
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).labels?.length === 3);
  await rename(page, 2, 'plain');
  for (let k = 0; k < 3; k++) {
    await page.getByTestId(`teach-files-${k}`).setInputFiles(files(k, Array.from({ length: 12 }, (_, i) => i + 1)));
    await page.waitForFunction((i) => /^12\b/.test(document.querySelector(`[data-testid="teach-count-${i}"]`)?.textContent ?? ''), k);
  }
}

async function trainTo100(page) {
  await page.getByTestId('teach-run').click();
  // 100% of the training samples after at least one step (an untrained network is not the point)
  await page.waitForFunction(() => {
    const d = document.querySelector('[data-testid="teach-dashboard"]').dataset;
    return d.accuracy === '1' && Number(d.steps) > 0;
  }, null, { timeout: 90000 });
  await page.getByTestId('teach-run').click(); // pause
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.running === 'false');
  // the batches are shared between the workers the browser's cores allow, and the page says how many
  assert.match(await page.getByTestId('teach-status').textContent(), /· on \d workers?$/);
}

test('named classes from files: samples are the area-averaged pictures; training reaches 100% and predicts held-out pictures', async () => {
  const page = await h.open();
  await openTeach(page);
  assert.deepEqual((await scene(page)).labels, ['Class 1', 'Class 2']);
  assert.equal(await page.getByTestId('teach-run').isDisabled(), true, 'nothing to train on yet');
  await threeClasses(page);
  const s = await scene(page);
  assert.deepEqual(s.labels, ['horizontal', 'vertical', 'plain']);
  assert.equal(s.layers.at(-1).out_features, 3);
  assert.deepEqual(await counts(page), [12, 12, 12]);

  // a sample opened in the network: the input is the picture computed here, the target its class
  await page.locator('[data-testid="teach-sample"][data-class="1"]').first().click();
  const want = referenceSample(picture(1, 1));
  const shown = await scene(page);
  assert.equal(shown.input.data.length, want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(shown.input.data[i] - want[i] / 255));
  assert.ok(worst < 1e-6, `sample vs reference: worst ${worst}`);
  assert.equal(shown.target, 1, 'the sample\'s class is the target');

  await trainTo100(page);
  const steps = Number(await dash(page).getAttribute('data-steps'));
  assert.ok(steps > 0);
  // held-out pictures (seeds the classes never saw) are predicted right
  for (const [k, seed] of [[0, 101], [1, 102], [2, 103]]) {
    await page.getByTestId('teach-try-file').setInputFiles(files(k, [seed]));
    const [{ name }] = files(k, [seed]);
    await page.waitForFunction((n) => document.querySelector('[data-testid="teach-dashboard"]').dataset.predicted === n, name, { timeout: 20000 });
    const said = await page.getByTestId('teach-verdict').textContent();
    assert.equal(await dash(page).getAttribute('data-prediction'), String(k), `held-out picture of class ${k} (seed ${seed}) after ${steps} steps: ${said}`);
  }
  assert.match(await page.getByTestId('teach-verdict').textContent(), /plain/);
  // the page's network holds the worker's weights: its own forward pass agrees
  await page.getByTestId('teach-show').click();
  const out = await page.evaluate(() => Array.from(window.cnnlens.model.copy(window.cnnlens.model.layerCount() - 1, 'output')));
  assert.equal(out.indexOf(Math.max(...out)), 2);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('save and open a project: every sample and weight comes back; bad project files are refused with the work kept', async () => {
  const page = await h.open();
  await openTeach(page);
  await threeClasses(page);
  await page.getByTestId('teach-step').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="teach-dashboard"]').dataset.steps) >= 1);
  await page.waitForTimeout(300);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('teach-save').click()]);
  const text = await readFile(await download.path(), 'utf8');
  const saved = JSON.parse(text);
  assert.equal(saved.format, 'cnn-lens-project');
  assert.deepEqual(saved.classes.map((c) => [c.name, c.count]), [['horizontal', 12], ['vertical', 12], ['plain', 12]]);
  // the samples in the file are the pictures computed here
  const bytes = Buffer.from(saved.classes[2].samples, 'base64');
  assert.deepEqual(Array.from(bytes.subarray(3 * SIDE * SIDE * 4, 3 * SIDE * SIDE * 5)), Array.from(referenceSample(picture(2, 5))));
  const weightsSaved = saved.scene.layers.map((l) => l.weight ?? null);
  assert.deepEqual((await scene(page)).layers.map((l) => l.weight ?? null), weightsSaved, 'the file holds the page\'s weights');

  // change everything: remove a class (confirmed), clear another
  await page.getByTestId('teach-remove-2').click();
  await page.getByTestId('teach-remove-yes-2').click();
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).labels.length === 2);
  await page.getByTestId('teach-clear-0').click();
  await page.getByTestId('teach-clear-yes-0').click();
  assert.deepEqual(await counts(page), [0, 12]);

  // bad files: each refused with a reason, nothing changes
  const before = await scene(page);
  const bad = [
    ['notes.json', 'not json at all', /not a JSON file/],
    ['scene.json', JSON.stringify(before), /not a CNN Lens project/],
    ['cut.json', JSON.stringify({ ...saved, classes: saved.classes.map((c, i) => (i ? c : { ...c, count: 13 })) }), /samples are damaged/],
    ['dup.json', JSON.stringify({ ...saved, classes: saved.classes.map((c) => ({ ...c, name: 'same' })) }), /2 to 6 classes/],
    ['future.json', JSON.stringify({ ...saved, version: 99 }), /newer version/],
    ['zero.json', JSON.stringify({ ...saved, version: 0 }), /"version" is not one CNN Lens writes/],
    ['text.json', JSON.stringify({ ...saved, version: '1' }), /"version" is not one CNN Lens writes/],
    ['net.json', JSON.stringify({ ...saved, scene: { ...saved.scene, layers: [{ type: 'warp' }] } }), /network could not be loaded/],
  ];
  for (const [name, body, why] of bad) {
    await page.getByTestId('teach-open-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body) });
    await page.waitForFunction((n) => document.querySelector('[data-testid="teach-project-message"]').textContent.includes(n), name);
    assert.match(await page.getByTestId('teach-project-message').textContent(), why, name);
    assert.deepEqual(await counts(page), [0, 12], name);
    assert.deepEqual(await scene(page), before, name);
  }

  // the saved project: classes, samples and weights as saved
  await page.getByTestId('teach-open-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-project-message"]').textContent.includes('Opened'));
  assert.deepEqual(await counts(page), [12, 12, 12]);
  const back = await scene(page);
  assert.deepEqual(back.labels, ['horizontal', 'vertical', 'plain']);
  assert.deepEqual(back.layers.map((l) => l.weight ?? null), weightsSaved);
  await page.waitForSelector('[data-testid="teach-dashboard"][data-ready="true"]');
  // and a save of it is the same file's samples again
  const [again] = await Promise.all([page.waitForEvent('download'), page.getByTestId('teach-save').click()]);
  const resaved = JSON.parse(await readFile(await again.path(), 'utf8'));
  assert.deepEqual(resaved.classes, saved.classes);

  // the trained network exports for PyTorch and ONNX
  const [py] = await Promise.all([page.waitForEvent('download'), page.getByTestId('teach-export-pytorch').click()]);
  assert.match(await readFile(await py.path(), 'utf8'), /import torch/);
  const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('teach-export-onnx').click()]);
  assert.ok((await readFile(await onnx.path())).length > 4 * 1000, 'the ONNX file holds the weights');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('nothing is lost: the network follows training as it runs, and comes back after leaving and after a reload; Clear asks first', async () => {
  const page = await h.open();
  await openTeach(page);
  const lastWeights = async () => (await scene(page)).layers.at(-1).weight;
  const initial = await lastWeights();
  await rename(page, 0, 'stripes');
  await page.getByTestId('teach-files-0').setInputFiles(files(0, [1, 2, 3, 4, 5]));
  await page.getByTestId('teach-files-1').setInputFiles(files(1, [1, 2, 3, 4, 5]));
  await page.waitForFunction(() => /^5\b/.test(document.querySelector('[data-testid="teach-count-1"]')?.textContent ?? ''));
  // the rename and the samples are kept in this browser a second later
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('cnnlens:teach') ?? 'null')?.classes?.map((c) => c.name + c.count).join() === 'stripes5,Class 25', null, { timeout: 5000 });

  // training on: the page's network takes the worker's weights while it runs (it did only on pause)
  await page.getByTestId('teach-run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.running === 'true');
  await page.waitForFunction((w0) => JSON.stringify(JSON.parse(window.cnnlens.sceneJSON()).layers.at(-1).weight) !== w0, JSON.stringify(initial), { timeout: 10000 });
  assert.equal(await dash(page).getAttribute('data-running'), 'true', 'still running');

  // leaving while it runs, and coming back: the trained weights come back with the example
  await page.getByTestId('preset-select').selectOption('classic');
  await page.getByTestId('preset-select').selectOption('teach');
  await page.waitForSelector('[data-testid="teach-dashboard"][data-ready="true"]', { timeout: 20000 });
  const back = await lastWeights();
  assert.notDeepEqual(back, initial, 'not the untrained network');

  // paused, the trained network is kept in storage, and a reload brings it back
  await page.getByTestId('teach-run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.running === 'true');
  await page.waitForTimeout(700);
  await page.getByTestId('teach-run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.running === 'false');
  await page.waitForTimeout(300);
  const trained = await lastWeights();
  await page.waitForFunction((w) => JSON.stringify(JSON.parse(localStorage.getItem('cnnlens:teach')).scene.layers.at(-1).weight) === w, JSON.stringify(trained), { timeout: 5000 });
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByTestId('preset-select').selectOption('teach');
  await page.waitForSelector('[data-testid="teach-dashboard"][data-ready="true"]', { timeout: 20000 });
  assert.deepEqual(await lastWeights(), trained, 'the kept network after a reload');
  assert.deepEqual(await counts(page), [5, 5]);

  // Clear asks first (Undo cannot bring samples back); Keep keeps them
  await page.getByTestId('teach-clear-1').click();
  assert.match(await page.locator('.teach-confirm').textContent(), /Delete the 5 samples of “Class 2”\? Undo cannot bring them back/);
  await page.getByTestId('teach-clear-no-1').click();
  assert.deepEqual(await counts(page), [5, 5]);
  await page.getByTestId('teach-clear-1').click();
  await page.getByTestId('teach-clear-yes-1').click();
  assert.deepEqual(await counts(page), [5, 0]);

  // pictures past a class's 300 are named, not dropped without a word
  await page.getByTestId('teach-files-1').setInputFiles(files(1, Array.from({ length: 302 }, (_, i) => i + 1)));
  await page.waitForFunction(() => /300 images added/.test(document.querySelector('[data-testid="teach-classes-message"]').textContent), null, { timeout: 30000 });
  assert.match(await page.getByTestId('teach-classes-message').textContent(), /A class holds at most 300 samples; the rest were not added\./);
  await page.getByTestId('teach-files-1').setInputFiles(files(1, [303]));
  await page.waitForFunction(() => !/300 images added/.test(document.querySelector('[data-testid="teach-classes-message"]').textContent));
  assert.equal(await page.getByTestId('teach-classes-message').textContent(), 'A class holds at most 300 samples; the rest were not added.');

  // the page's own "Open file…" tells a project apart and says where it opens
  const project = await page.evaluate(() => localStorage.getItem('cnnlens:teach'));
  await page.getByTestId('import-file').setInputFiles({ name: 'mine.cnnlens-project.json', mimeType: 'application/json', buffer: Buffer.from(project) });
  await page.getByTestId('notice-text').filter({ hasText: 'Could not open that file: it is a project of “Teach it your classes”: open it there (Open project…).' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a 60-letter class name breaks inside its card: the page does not scroll sideways at 390 px', async () => {
  const page = await h.open({ width: 390, height: 844 });
  await openTeach(page);
  const long = 'Donaudampfschifffahrtsgesellschaftskapitaenskajuetentuerschl';
  await rename(page, 0, long);
  await page.getByTestId('teach-files-0').setInputFiles(files(0, [1, 2]));
  await page.getByTestId('teach-files-1').setInputFiles(files(1, [1, 2]));
  await page.waitForFunction(() => /^2\b/.test(document.querySelector('[data-testid="teach-count-1"]')?.textContent ?? ''));
  await page.getByTestId('teach-step').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="teach-dashboard"]').dataset.steps) >= 1);
  await page.getByTestId('teach-try-file').setInputFiles(files(0, [9]));
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.prediction !== '');
  await page.waitForTimeout(200);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `page width ${await page.evaluate(() => document.documentElement.scrollWidth)}`);
  // a file that is not a picture, tried: said in the Prediction card (nothing was to be added to a class)
  await page.getByTestId('teach-try-file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
  await page.waitForFunction(() => /notes\.png could not be tried: /.test(document.querySelector('[data-testid="teach-predict-from"]').textContent));
  assert.doesNotMatch(await page.getByTestId('teach-classes-message').textContent(), /notes\.png/, 'not among the classes');
  // a third class with no samples: training goes on, and the page says it cannot learn that one
  await page.getByTestId('teach-add-class').click();
  await page.waitForFunction(() => /“Class 3” has no samples yet, so the network cannot learn it\./.test(document.querySelector('[data-testid="teach-message"]').textContent));
  // a refused name, then an accepted one: the refusal goes
  await page.getByTestId('teach-name-1').fill(long);
  await page.getByTestId('teach-name-1').press('Enter');
  await page.waitForFunction(() => /already called/.test(document.querySelector('[data-testid="teach-classes-message"]').textContent));
  await rename(page, 1, 'Class B');
  assert.equal(await page.getByTestId('teach-classes-message').textContent(), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('pictures dropped on a class are its samples; drawing on the pad applies a name being typed', async () => {
  const page = await h.open();
  await openTeach(page);
  const [one, two] = files(1, [1, 2]);
  const dropped = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
    return dt;
  }, [one, two].map((f) => ({ name: f.name, mimeType: f.mimeType, b64: f.buffer.toString('base64') })));
  await page.dispatchEvent('[data-testid="teach-class-1"]', 'dragover', { dataTransfer: dropped });
  await page.dispatchEvent('[data-testid="teach-class-1"]', 'drop', { dataTransfer: dropped });
  await page.waitForFunction(() => /2 images added to “Class 2”/.test(document.querySelector('[data-testid="teach-classes-message"]').textContent));
  assert.deepEqual(await counts(page), [0, 2]);
  assert.equal(await page.locator('[data-testid="picture-crop"]:visible').count(), 0, 'not the page\'s picture dialog');
  // a name typed without Enter, then a stroke on the pad: the name is taken
  await page.getByTestId('teach-name-0').fill('circle');
  const box = await page.getByTestId('teach-pad').boundingBox();
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 90, box.y + 90, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).labels[0] === 'circle');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the camera: hold to record adds frames to a class, live predictions follow; a denied camera is explained', async () => {
  const page = await h.open();
  await openTeach(page);
  assert.equal(await page.getByTestId('teach-hold-0').isDisabled(), true, 'no camera yet');
  await page.getByTestId('teach-camera').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="teach-hold-0"]').disabled, null, { timeout: 15000 });
  const hold = page.getByTestId('teach-hold-0');
  const box = await hold.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(700);
  await page.mouse.up();
  const [n0] = await counts(page);
  assert.ok(n0 >= 4 && n0 <= 12, `about 10 frames a second: ${n0}`);
  await page.waitForTimeout(400);
  assert.equal((await counts(page))[0], n0, 'recording stops on release');
  // by keyboard: Space held on the button
  await page.getByTestId('teach-hold-1').focus();
  await page.keyboard.down(' ');
  await page.waitForTimeout(500);
  await page.keyboard.up(' ');
  assert.ok((await counts(page))[1] >= 3);
  // live predictions from the camera
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.source === 'camera');
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.prediction !== '');
  await page.getByTestId('teach-camera').click(); // stop
  assert.equal(await page.getByTestId('teach-hold-0').isDisabled(), true);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid="teach-video"]').srcObject), null, 'the camera is released');

  // unplugged while recording: a clear message, recording stops, the samples stay
  await page.getByTestId('teach-camera').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="teach-hold-0"]').disabled, null, { timeout: 15000 });
  const box2 = await hold.boundingBox();
  await page.mouse.move(box2.x + box2.width / 2, box2.y + box2.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    const track = document.querySelector('[data-testid="teach-video"]').srcObject.getVideoTracks()[0];
    // stop() alone fires no 'ended' (only the source ending does): the event is what unplugging sends
    track.stop();
    track.dispatchEvent(new Event('ended'));
  });
  await page.waitForFunction(() => /camera stopped/.test(document.querySelector('[data-testid="teach-camera-note"]').textContent));
  const kept = (await counts(page))[0];
  await page.waitForTimeout(400);
  await page.mouse.up();
  assert.equal((await counts(page))[0], kept, 'no frames after the camera went');
  assert.ok(kept > n0);
  assert.equal(await page.getByTestId('teach-hold-0').isDisabled(), true);
  assert.equal(await page.getByTestId('teach-hold-0').getAttribute('aria-pressed'), 'false');

  // a denied camera: a clear message, the samples stay
  await page.evaluate(() => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')); });
  await page.getByTestId('teach-camera').click();
  await page.waitForFunction(() => /not allowed/.test(document.querySelector('[data-testid="teach-camera-note"]').textContent));
  assert.equal((await counts(page))[0], kept);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the drawing pad: a drawing is a sample and is predicted; a class keeps its samples through rename and undo', async () => {
  const page = await h.open();
  await openTeach(page);
  const pad = page.getByTestId('teach-pad');
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 30, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 180, box.y + 110, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId('teach-add-drawing-0').click();
  assert.deepEqual(await counts(page), [1, 0]);
  assert.equal(await dash(page).getAttribute('data-source'), 'pad');
  await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.prediction !== '');
  // the drawn sample: dark ink on white
  await page.locator('[data-testid="teach-sample"]').first().click();
  const input = (await scene(page)).input.data;
  assert.ok(Math.min(...input) < 0.5 && Math.max(...input) === 1, 'ink and paper');
  await rename(page, 0, 'line');
  assert.deepEqual(await counts(page), [1, 0]);
  await page.getByTestId('btn-undo').click();
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).labels[0] === 'Class 1');
  assert.deepEqual(await counts(page), [1, 0], 'the samples follow the name back');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
