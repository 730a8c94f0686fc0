// Issue "Real images", item 2: kernels on a photo. A sample photo becomes a 3×256×256 input
// (checked against the resampling rule recomputed here), the classic kernels fill the filters,
// the output equals the convolution of the same pixels computed here, pointing at an output pixel
// explains its sum of products, and the scene is forward only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { photoExampleShown, setup } from './harness.mjs';
import { centreSquareMeans } from './reference-resample.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const SIDE = 256;

async function openPhoto(page) {
  await page.getByTestId('preset-select').selectOption('photo-kernels');
  await photoExampleShown(page);
}

const scene = async (page) => JSON.parse(await page.evaluate(() => window.cnnlens.sceneJSON()));

/** The reference for a sample photo: its pixels decoded by the browser, then reference-resample.mjs's centre-square area mean. */
async function referenceInput(page, file) {
  const { width, height, data } = await page.evaluate(async (f) => {
    const blob = await (await fetch(`photos/${f}`)).blob();
    const bmp = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
    c.drawImage(bmp, 0, 0);
    return { width: bmp.width, height: bmp.height, data: Array.from(c.getImageData(0, 0, bmp.width, bmp.height).data) };
  }, file);
  const means = centreSquareMeans(width, height, (x, y) => data.slice((y * width + x) * 4, (y * width + x) * 4 + 3), SIDE);
  return means.map((v) => v / 255);
}

/** A depthwise (groups = channels) or full convolution with zero padding, computed here. */
function convolve(input, [c, hh, w], weight, outChannels, k, groups) {
  const pad = (k - 1) / 2;
  const inPer = c / groups, outPer = outChannels / groups;
  const out = new Float64Array(outChannels * hh * w);
  for (let o = 0; o < outChannels; o++) {
    const g = Math.floor(o / outPer);
    for (let y = 0; y < hh; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let ci = 0; ci < inPer; ci++) {
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const iy = y + ky - pad, ix = x + kx - pad;
              if (iy < 0 || ix < 0 || iy >= hh || ix >= w) continue;
              s += weight[((o * inPer + ci) * k + ky) * k + kx] * input[(g * inPer + ci) * hh * w + iy * w + ix];
            }
          }
        }
        out[(o * hh + y) * w + x] = s;
      }
    }
  }
  return out;
}

function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the photo example: a sample photo as a 3×256×256 input, resampled as the rule says; forward only', async () => {
  const page = await h.open({ width: 1280, height: 720 });
  await openPhoto(page);
  const s = await scene(page);
  assert.deepEqual(s.input.shape, [3, SIDE, SIDE]);
  assert.equal(s.loss, 'none');
  assert.equal(s.target, undefined);
  assert.equal(s.layers[0].groups, 3, 'one kernel per colour channel');
  const want = await referenceInput(page, 'chelsea.png');
  // float32 numbers against float64 arithmetic: a few ulps of values in 0..1
  assert.ok(maxDiff(s.input.data, want) < 1e-6, `input differs from the reference by ${maxDiff(s.input.data, want)}`);
  assert.match(await page.getByTestId('photo-credit').textContent(), /CC0/);
  // nothing to train, no gradients to show: said, not silently broken
  assert.equal(await page.getByTestId('btn-step').isDisabled(), true);
  assert.match(await page.getByTestId('btn-step').getAttribute('title'), /no loss/);
  assert.equal(await page.getByTestId('mode-gradients').isDisabled(), true);
  await page.getByTestId('forward-only-note').waitFor();
  // no empty loss chart inviting a Step that can't be taken; a loss chosen brings it back
  assert.equal(await page.getByTestId('loss-chart').isVisible(), false);
  assert.equal(await page.getByTestId('loss-log').isVisible(), false);
  await page.getByTestId('loss-select').selectOption('mse');
  await page.getByTestId('loss-chart').waitFor();
  assert.equal(await page.getByTestId('btn-step').isDisabled(), false);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('kernel presets fill every filter; the output equals the convolution of the same pixels', async () => {
  const page = await h.open();
  await openPhoto(page);
  const known = {
    'sobel-x': [-1, 0, 1, -2, 0, 2, -1, 0, 1],
    gaussian: [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16),
    outline: [-1, -1, -1, -1, 8, -1, -1, -1, -1],
  };
  const s = await scene(page);
  for (const [id, kernel] of Object.entries(known)) {
    await page.getByTestId('kernel-preset-0').selectOption(id);
    const weight = await page.evaluate(() => Array.from(window.cnnlens.model.copy(0, 'weight')));
    assert.deepEqual(weight.map((v) => Math.fround(v)), [...kernel, ...kernel, ...kernel].map((v) => Math.fround(v)), id);
    const output = await page.evaluate(() => Array.from(window.cnnlens.model.copy(0, 'output')));
    const want = convolve(s.input.data, [3, SIDE, SIDE], weight, 3, 3, 3);
    assert.ok(maxDiff(output, want) < 1e-5, `${id}: output differs from the convolution by ${maxDiff(output, want)}`);
    assert.equal(await page.getByTestId('kernel-preset-0').inputValue(), id, 'the menu names the kernel the filters hold');
  }
  // one number typed: the kernel is the reader's own; Undo brings the preset back
  await page.locator('[data-testid="matrix-0-weight-0"] .cell').nth(4).click();
  await page.getByTestId('cell-editor').fill('9');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('kernel-preset-0').inputValue(), '');
  await page.keyboard.press('Escape'); // the editor moved on to the next cell: close it, then undo
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('[data-testid="kernel-preset-0"]').value === 'outline');
  // one kernel over all three channels: groups 1, each filter's kernel divided among R, G and B
  const groups = page.getByTestId('setting-0-groups');
  await groups.fill('1');
  await groups.press('Enter');
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).layers[0].groups === undefined);
  await page.getByTestId('kernel-preset-0').selectOption('identity');
  const output = await page.evaluate(() => Array.from(window.cnnlens.model.copy(0, 'output')));
  const plane = SIDE * SIDE;
  const grey = Array.from({ length: plane }, (_, i) => (s.input.data[i] + s.input.data[plane + i] + s.input.data[2 * plane + i]) / 3);
  assert.ok(maxDiff(output.slice(0, plane), grey) < 1e-5, 'identity over R, G and B is their mean');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('pointing at an output pixel explains its sum of products', async () => {
  const page = await h.open();
  await openPhoto(page);
  await page.getByTestId('kernel-preset-0').selectOption('sobel-x');
  const map = page.locator('[data-testid="matrix-0-output-0"] canvas');
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  // the pixel at row 100, column 60 of the red channel
  await page.mouse.move(box.x + (60.5 / SIDE) * box.width, box.y + (100.5 / SIDE) * box.height);
  const formula = await page.getByTestId('explain-formula').first().textContent();
  const terms = formula.split('=')[0].split(' + ').filter((t) => !t.startsWith('bias'));
  assert.equal(terms.length, 9, `a 3×3 window of one channel: ${formula}`);
  assert.match(terms[0], /^\(−1\)×/, 'Sobel x starts with −1');
  const value = await page.evaluate(() => window.cnnlens.model.copy(0, 'output')[100 * 256 + 60]);
  const shown = Number(formula.split('= ').at(-1).replace('\u2212', '-'));
  assert.ok(Math.abs(shown - value) <= 0.01 * Math.max(1, Math.abs(value)), `${shown} vs ${value}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a filtered photo is drawn on a scale its few border outliers do not wash out', async () => {
  const page = await h.open();
  await openPhoto(page);
  // the outline kernel (8 at the centre, -1 around) over zero padding: the border cells reach
  // about 8 times a pixel while inside the photo most values stay small
  const out = await page.evaluate(() => Array.from(window.cnnlens.model.copy(0, 'output')));
  const largest = out.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const range = page.getByTestId('block-matrix-0-output').locator('.block-range');
  const label = (await range.textContent()).replace(/\u2212/g, '-');
  const [, shown, max] = label.match(/^±([\d.]+) \(max ([\d.]+)\)$/) ?? [];
  assert.ok(shown && max, `the range names the scale and the largest value: ${label}`);
  assert.ok(Math.abs(Number(max) - largest) <= 0.01 * largest, `${max} vs ${largest}`);
  const beyond = out.filter((v) => Math.abs(v) > Number(shown) * 1.01).length / out.length;
  assert.ok(Number(shown) < largest / 2 && beyond > 0 && beyond <= 0.02, `±${shown}: ${(beyond * 100).toFixed(2)}% of the cells beyond`);
  assert.match(await range.getAttribute('title'), /full colour/);
  // the picture itself: most of an edge map's cells are visibly coloured, not near-white
  const canvas = page.locator('[data-testid="matrix-0-output-0"] canvas');
  await canvas.scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const coloured = await canvas.evaluate((c) => {
    // the colour of 0 in the page's theme (--cell-zero, "#rrggbb"): a pixel well away from it is coloured
    const zeroHex = getComputedStyle(c).getPropertyValue('--cell-zero').trim();
    const zero = [1, 3, 5].map((k) => parseInt(zeroHex.slice(k, k + 2), 16));
    if (zero.some((v) => Number.isNaN(v))) throw new Error(`--cell-zero is not #rrggbb: "${zeroHex}"`);
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.max(Math.abs(px[i] - zero[0]), Math.abs(px[i + 1] - zero[1]), Math.abs(px[i + 2] - zero[2])) > 24) n++;
    return n / (px.length / 4);
  });
  assert.ok(coloured > 0.15, `${(coloured * 100).toFixed(1)}% of the map's pixels visibly coloured`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('another sample photo is one undo step; the kernel stays', async () => {
  const page = await h.open();
  await openPhoto(page);
  await page.getByTestId('kernel-preset-0').selectOption('emboss');
  const first = (await scene(page)).input.data;
  await page.getByTestId('photo-select').selectOption('camera');
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).input.data[0] !== undefined && document.querySelector('[data-testid="photo-select"]').value === 'camera' && !document.querySelector('[data-testid="photo-status"]').textContent);
  const s = await scene(page);
  const want = await referenceInput(page, 'camera.png');
  assert.ok(maxDiff(s.input.data, want) < 1e-6, 'the grey photo is the input, in all three channels');
  assert.equal(await page.getByTestId('kernel-preset-0').inputValue(), 'emboss');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('[data-testid="photo-select"]') !== null);
  const back = (await scene(page)).input.data;
  assert.ok(maxDiff(back, first) === 0, 'Undo brings the first photo back');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('without the sample photos the example opens a drawn picture and says why', async () => {
  const page = await h.open();
  await page.route('**/photos/**', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await openPhoto(page);
  await page.getByTestId('notice-text').filter({ hasText: 'could not be loaded' }).waitFor();
  const s = await scene(page);
  assert.deepEqual(s.input.shape, [3, SIDE, SIDE]);
  assert.ok(new Set(s.input.data.map((v) => v.toFixed(3))).size > 20, 'a picture, not a flat colour');
  page.problems = page.problems.filter((p) => !/404|Failed to load resource/.test(p));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
