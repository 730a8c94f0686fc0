// A picture as the network's input (issue #15, items 1 and 5): files opened, dropped and pasted,
// camera frames (Chromium's fake camera), and every bad input. The pictures are made here (PNGs
// written with zlib, a JPEG drawn in the page with an EXIF orientation spliced in), and the input
// numbers are checked against this file's own reference of the rule: EXIF orientation applied,
// alpha over white, grey = 0.299 R + 0.587 G + 0.114 B, each output pixel the overlap-weighted
// mean of the source pixels under its box (fractional at the edges).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { setup } from './harness.mjs';

let h;
// the fake camera; gc() lets the 24 MP test free its own canvas before it starts timing frames
before(async () => { h = await setup({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--js-flags=--expose-gc'] }); });
after(async () => { await h?.close(); });

// ------------------------------------------------------------------ PNG files, written here

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function ihdr(width, height) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  return chunk('IHDR', d);
}
/** An RGBA PNG of the given straight-alpha pixels. */
function png({ width, height, data }) {
  const raw = Buffer.alloc(height * (1 + 4 * width));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + 4 * width)] = 0; // filter: none
    Buffer.from(data.subarray(4 * width * y, 4 * width * (y + 1))).copy(raw, y * (1 + 4 * width) + 1);
  }
  return Buffer.concat([SIGNATURE, ihdr(width, height), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Pixels from a function of (x, y) → [r, g, b, a]. */
function pixels(width, height, f) {
  const data = new Uint8Array(4 * width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(f(x, y), 4 * (y * width + x));
  return { width, height, data };
}

// ------------------------------------------------------------------ the reference

/** The rule, written independently of web/src/image/resample.ts: 2-D overlaps, divided by their sum. */
function reference(src, crop, H, W, C) {
  const out = new Float64Array(C * H * W);
  const value = (x, y) => {
    const p = 4 * (y * src.width + x);
    const a = src.data[p + 3] / 255;
    const [r, g, b] = [0, 1, 2].map((k) => (src.data[p + k] / 255) * a + (1 - a));
    return C === 1 ? [0.299 * r + 0.587 * g + 0.114 * b] : [r, g, b];
  };
  for (let oy = 0; oy < H; oy++) {
    for (let ox = 0; ox < W; ox++) {
      const x0 = crop.x + (ox * crop.width) / W, x1 = crop.x + ((ox + 1) * crop.width) / W;
      const y0 = crop.y + (oy * crop.height) / H, y1 = crop.y + ((oy + 1) * crop.height) / H;
      const sum = new Float64Array(C);
      let weight = 0;
      for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
        for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
          const w = (Math.min(x1, sx + 1) - Math.max(x0, sx)) * (Math.min(y1, sy + 1) - Math.max(y0, sy));
          if (w <= 0) continue;
          const v = value(sx, sy);
          for (let c = 0; c < C; c++) sum[c] += w * v[c];
          weight += w;
        }
      }
      for (let c = 0; c < C; c++) out[c * H * W + oy * W + ox] = sum[c] / weight;
    }
  }
  return out;
}

const centre = (w, hh) => { const s = Math.min(w, hh); return { x: (w - s) / 2, y: (hh - s) / 2, width: s, height: s }; };

/** Fails with the worst index and the first mismatching pairs. */
function assertClose(actual, expected, tol, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0, at = -1;
  const bad = [];
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (d > worst) { worst = d; at = i; }
    if (d > tol && bad.length < 5) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  }
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} at ${at} > ${tol}; ${bad.join(', ')}`);
}

// ------------------------------------------------------------------ page helpers

const scene = async (page) => JSON.parse(await page.evaluate(() => window.cnnlens.sceneJSON()));
const inputOf = async (page) => (await scene(page)).input.data;

async function openPage(preset = 'classic', opts = {}) {
  const page = await h.open({ width: 1280, height: 720, ...opts });
  if (preset !== 'classic') await page.getByTestId('preset-select').selectOption(preset);
  return page;
}

/** The dialog is open with a picture: "Use", then wait until it has gone. */
async function use(page) {
  const dialog = page.getByTestId('picture-dialog');
  await dialog.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="picture-use"]')?.disabled === false);
  const crop = (await dialog.getAttribute('data-crop')).split(',').map(Number);
  await page.getByTestId('picture-use').click();
  await dialog.waitFor({ state: 'detached' });
  return { x: crop[0], y: crop[1], width: crop[2], height: crop[3] };
}

async function chooseFile(page, name, mimeType, buffer) {
  await page.getByTestId('picture-file').setInputFiles({ name, mimeType, buffer });
}

/** A synthetic drop (or paste) of the file in the page. */
async function dropFile(page, name, type, buffer, how = 'drop') {
  await page.evaluate(({ b64, name, type, how }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type }));
    if (how === 'paste') {
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      return;
    }
    const card = document.querySelector('[data-testid="input-card"]');
    card.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    card.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64: buffer.toString('base64'), name, type, how });
}

// ------------------------------------------------------------------ numbers

// Tolerances: opaque pictures 1e-5 (float32 rounding of values 0..1); with alpha 1/255, because
// the canvas that hands the decoded pixels over stores them premultiplied, so a colour under
// partial alpha comes back rounded to the nearest level that survives c·a/255 (at most ½ level of
// the composited value).
const TOL = 1e-5;
const TOL_ALPHA = 1 / 255;

test('an RGBA PNG with alpha (opened with the file picker) becomes the grey 6x6 input: over white, BT.601, area means', async () => {
  const page = await openPage();
  const src = pixels(12, 12, (x, y) => [(x * 21) % 256, (y * 23) % 256, ((x + y) * 11) % 256, [255, 128, 0, 64][(x + 2 * y) % 4]]);
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  await chooseFile(page, 'alpha.png', 'image/png', png(src));
  const crop = await use(page);
  assert.deepEqual(crop, centre(12, 12));
  assertClose(await inputOf(page), reference(src, crop, 6, 6, 1), TOL_ALPHA, 'alpha PNG');
  assert.ok(workers.some((u) => u.startsWith('blob:')), `decoded in the image worker: ${workers}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a non-square RGB picture dropped on the card: the centre square has fractional edges; mean/std applied per channel', async () => {
  const page = await openPage('multichannel');
  const src = pixels(10, 7, (x, y) => [x * 25, y * 36, (x * y * 7) % 256, 255]);
  await dropFile(page, 'wide.png', 'image/png', png(src));
  await page.getByTestId('picture-dialog').waitFor();
  assert.match(await page.getByTestId('picture-info').textContent(), /10×7/);
  await page.getByTestId('picture-scaling').selectOption('std');
  assert.equal(await page.getByTestId('picture-mean-0').inputValue(), '0.485', 'ImageNet means by default for colour');
  const crop = await use(page);
  assert.deepEqual(crop, { x: 1.5, y: 0, width: 7, height: 7 });
  const ref = reference(src, crop, 5, 5, 3);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const want = ref.map((v, i) => (v - mean[Math.floor(i / 25)]) / std[Math.floor(i / 25)]);
  assertClose(await inputOf(page), want, 1e-4, 'standardised RGB');
  // a chain scene (version 1) cannot hold input.normalize in this core: the numbers alone change
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a pasted picture, a crop moved and resized with the keyboard; Ctrl+Z brings the previous input back', async () => {
  const page = await openPage();
  const before = await inputOf(page);
  const src = pixels(20, 14, (x, y) => [(x * 13) % 256, (y * 17) % 256, 200, 255]);
  await dropFile(page, '', 'image/png', png(src), 'paste');
  await page.getByTestId('picture-dialog').waitFor();
  const box = page.getByTestId('picture-crop');
  await box.focus();
  await box.press('ArrowLeft'); // step: 1/50 of the short side, at least a pixel
  await box.press('Shift+ArrowLeft'); // shrink by a step, the top-left corner stays
  await box.press('ArrowDown');
  const crop = await use(page);
  assert.deepEqual(crop, { x: 2, y: 1, width: 13, height: 13 });
  const after = await inputOf(page);
  assertClose(after, reference(src, crop, 6, 6, 1), TOL, 'keyboard crop');
  await page.locator('body').press('Control+z');
  await page.waitForFunction((b) => JSON.parse(window.cnnlens.sceneJSON()).input.data.every((v, i) => v === b[i]), before);
  await page.locator('body').press('Control+Shift+z');
  await page.waitForFunction((a) => JSON.parse(window.cnnlens.sceneJSON()).input.data.every((v, i) => Math.fround(v) === Math.fround(a[i])), after);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a JPEG with EXIF orientation 6 is turned upright before cropping', async () => {
  const page = await openPage();
  // drawn in the page; the reference pixels are the same JPEG without the EXIF block, decoded by
  // the browser (JPEG is lossy), and turned here: orientation 6 = rotated 90° clockwise
  const made = await page.evaluate(async () => {
    const cv = document.createElement('canvas');
    cv.width = 40; cv.height = 24;
    const ctx = cv.getContext('2d');
    for (const [x, y, c] of [[0, 0, '#d03020'], [20, 0, '#20a040'], [0, 12, '#2040d0'], [20, 12, '#f0e020']]) { ctx.fillStyle = c; ctx.fillRect(x, y, 20, 12); }
    ctx.fillStyle = '#000'; ctx.fillRect(0, 0, 4, 4);
    const blob = await new Promise((ok) => cv.toBlob(ok, 'image/jpeg', 0.95));
    const plain = new Uint8Array(await blob.arrayBuffer());
    const bmp = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const oc = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
    oc.drawImage(bmp, 0, 0);
    const stored = oc.getImageData(0, 0, bmp.width, bmp.height).data;
    // APP1 "Exif\0\0", big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 1, value 6
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
    const body = [...new TextEncoder().encode('Exif'), 0, 0, ...tiff];
    const app1 = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
    const withExif = new Uint8Array([...plain.subarray(0, 2), ...app1, ...plain.subarray(2)]);
    const b64 = (u8) => btoa(Array.from(u8, (b) => String.fromCharCode(b)).join(''));
    return { file: b64(withExif), stored: b64(stored), width: bmp.width, height: bmp.height };
  });
  const stored = Buffer.from(made.stored, 'base64');
  const W0 = made.width, H0 = made.height;
  // upright: width H0, height W0; upright (x, y) = stored (column y, row H0 − 1 − x)
  const upright = pixels(H0, W0, (x, y) => [...stored.subarray(4 * ((H0 - 1 - x) * W0 + y), 4 * ((H0 - 1 - x) * W0 + y) + 4)]);
  await chooseFile(page, 'turned.jpg', 'image/jpeg', Buffer.from(made.file, 'base64'));
  await page.getByTestId('picture-dialog').waitFor();
  assert.match(await page.getByTestId('picture-info').textContent(), /Picture 24×40/, 'EXIF orientation applied: portrait');
  const crop = await use(page);
  assert.deepEqual(crop, { x: 0, y: 8, width: 24, height: 24 });
  assertClose(await inputOf(page), reference(upright, crop, 6, 6, 1), TOL, 'EXIF JPEG');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('where no worker may start (a Content-Security-Policy without blob: workers), the page decodes the picture itself', async () => {
  const page = await openPage();
  await page.evaluate(() => { window.Worker = function Blocked() { throw new DOMException('blocked by CSP', 'SecurityError'); }; });
  const src = pixels(9, 6, (x, y) => [x * 28, y * 40, 90, 255]);
  await chooseFile(page, 'small.png', 'image/png', png(src));
  const crop = await use(page);
  assertClose(await inputOf(page), reference(src, crop, 6, 6, 1), TOL, 'main-thread decode');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// ------------------------------------------------------------------ camera

/** The camera runs: "Take photo" is there and enabled. */
const cameraReady = (page) => page.waitForFunction(() => document.querySelector('[data-testid="picture-take"]')?.disabled === false, null, { timeout: 15000 });

test('camera: a frame from the (fake) camera becomes the input; closing the panel stops the camera', async () => {
  const page = await openPage('multichannel');
  const before = await inputOf(page);
  await page.getByTestId('picture-camera').click();
  await cameraReady(page);
  await page.evaluate(() => { window.__track = document.querySelector('[data-testid="picture-video"]').srcObject.getVideoTracks()[0]; });
  await page.getByTestId('picture-take').click();
  await page.getByTestId('picture-canvas').waitFor();
  assert.equal(await page.evaluate(() => window.__track.readyState), 'ended', 'the camera is released once the photo is taken');
  await use(page);
  const after = await inputOf(page);
  assert.equal(after.length, 3 * 5 * 5);
  assert.ok(after.every((v) => v >= 0 && v <= 1), 'values 0..1');
  assert.notDeepEqual(after, before);
  // Cancel while the camera runs: its track stops
  await page.getByTestId('picture-camera').click();
  await cameraReady(page);
  await page.evaluate(() => { window.__track = document.querySelector('[data-testid="picture-video"]').srcObject.getVideoTracks()[0]; });
  await page.getByTestId('picture-cancel').click();
  assert.equal(await page.evaluate(() => window.__track.readyState), 'ended');
  assert.deepEqual(await inputOf(page), after);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('camera denied: a clear message, nothing changes', async () => {
  const page = await h.open({ width: 1280, height: 720 });
  await page.evaluate(() => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')); });
  const before = await scene(page);
  await page.getByTestId('picture-camera').click();
  await page.getByTestId('picture-message').filter({ hasText: /camera was not allowed/ }).waitFor();
  assert.equal(await page.getByTestId('picture-take').isDisabled(), true);
  await page.getByTestId('picture-cancel').click();
  assert.deepEqual(await scene(page), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('camera unplugged mid-stream (the track ends): a clear message, the camera stopped, nothing changes', async () => {
  const page = await h.open({ width: 1280, height: 720 });
  const before = await scene(page);
  await page.getByTestId('picture-camera').click();
  await cameraReady(page);
  await page.evaluate(() => {
    const video = document.querySelector('[data-testid="picture-video"]');
    window.__track = video.srcObject.getVideoTracks()[0];
    // stop() alone fires no 'ended' (only the source ending does): the event is what unplugging sends
    window.__track.stop();
    window.__track.dispatchEvent(new Event('ended'));
  });
  await page.getByTestId('picture-message').filter({ hasText: /camera stopped/ }).waitFor();
  assert.equal(await page.getByTestId('picture-take').isDisabled(), true);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid="picture-video"]').srcObject), null);
  await page.getByTestId('picture-camera-again').waitFor();
  await page.getByTestId('picture-cancel').click();
  assert.deepEqual(await scene(page), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// ------------------------------------------------------------------ bad files

test('not an image, a corrupt PNG, a 50-megapixel PNG: each a clear message; the scene stays and the page responds', async () => {
  const page = await h.open({ width: 1280, height: 720 });
  const before = await scene(page);
  const good = png(pixels(8, 8, () => [10, 20, 30, 255]));
  const corrupt = Buffer.concat([good.subarray(0, 33), chunk('IDAT', Buffer.from('this is not deflate data at all')), chunk('IEND', Buffer.alloc(0))]);
  // 7072 × 7072 = 50.0 MP stated by the header; the file itself is tiny (never decoded)
  const huge = Buffer.concat([SIGNATURE, ihdr(7072, 7072), chunk('IDAT', deflateSync(Buffer.alloc(100))), chunk('IEND', Buffer.alloc(0))]);
  const cases = [
    ['notes.txt', 'text/plain', Buffer.from('hello, not a picture'), /“notes\.txt” is not a picture/],
    ['fake.png', 'image/png', Buffer.from('GIF? no: plain text named .png'), /“fake\.png” is not a picture/],
    ['broken.png', 'image/png', corrupt, /“broken\.png” is damaged or incomplete/],
    ['huge.png', 'image/png', huge, /7072×7072 pixels \(50\.0 megapixels\), more than the 40 megapixels/],
  ];
  for (const [name, type, buffer, message] of cases) {
    const t0 = Date.now();
    await chooseFile(page, name, type, buffer);
    await page.getByTestId('notice-text').filter({ hasText: message }).waitFor({ timeout: 10000 });
    assert.ok(Date.now() - t0 < 5000, `${name}: answered within 5 s`);
    assert.equal(await page.getByTestId('picture-dialog').count(), 0, `${name}: no dialog`);
    assert.deepEqual(await scene(page), before, `${name}: the scene is unchanged`);
    // the page still responds: a brush button toggles
    await page.getByTestId('brush-binary').click();
    assert.equal(await page.getByTestId('brush-binary').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('brush-edit').click();
  }
  // a dropped non-image goes the same way (and not to the page's scene-file drop)
  await dropFile(page, 'drop.bin', 'application/octet-stream', Buffer.from([1, 2, 3, 4]));
  await page.getByTestId('notice-text').filter({ hasText: /“drop\.bin” is not a picture/ }).waitFor();
  assert.deepEqual(await scene(page), before);
  // and a pasted one
  await dropFile(page, 'paste.txt', 'text/plain', Buffer.from('just words'), 'paste');
  await page.getByTestId('notice-text').filter({ hasText: /“paste\.txt” is not a picture/ }).waitFor();
  assert.deepEqual(await scene(page), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// ------------------------------------------------------------------ share links

test('a 3x64x64 photo input is too large for a link: Copy link offers the file instead, with the reason', async () => {
  const page = await h.open({ width: 1280, height: 720 });
  const r = await page.evaluate(() => window.cnnlens.loadScene({
    version: 1, input: { shape: [3, 64, 64], data: new Array(3 * 64 * 64).fill(0) },
    layers: [{ type: 'avgpool2d', kernel_size: 8 }, { type: 'flatten' }, { type: 'dense', out_features: 2 }], loss: 'mse', target: [1, 0],
  }));
  assert.equal(r.ok, true, JSON.stringify(r));
  let seed = 1;
  const noise = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 256;
  const src = pixels(64, 64, () => [noise(), noise(), noise(), 255]);
  await chooseFile(page, 'photo.png', 'image/png', png(src));
  const crop = await use(page);
  assertClose(await inputOf(page), reference(src, crop, 64, 64, 3), TOL, '64x64 photo');
  const link = await page.evaluate(() => window.cnnlens.shareLink());
  assert.ok(link.length > 8000, `the link would be ${link.length} characters`);
  await page.getByTestId('share-copy-link').click();
  const box = page.getByTestId('local-link');
  await box.waitFor();
  assert.match(await box.textContent(), /too large for a link \([\d,]+ characters; links over 8,000/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('local-save-file').click()]);
  assert.match(download.suggestedFilename(), /\.json$/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('at phone size the dialog fits the screen and every control is reachable', async () => {
  const page = await h.open({ width: 390, height: 844 });
  await chooseFile(page, 'wide.png', 'image/png', png(pixels(30, 20, (x) => [x * 8, 100, 50, 255])));
  const dialog = page.getByTestId('picture-dialog');
  await dialog.waitFor();
  const b = await dialog.boundingBox();
  assert.ok(b.x >= 0 && b.x + b.width <= 390, `dialog within the width: ${JSON.stringify(b)}`);
  for (const id of ['picture-crop', 'picture-scaling', 'picture-use', 'picture-cancel']) {
    await page.getByTestId(id).scrollIntoViewIfNeeded();
    assert.ok(await page.getByTestId(id).isVisible(), id);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('in Chinese, the picture controls, the dialog and its messages have no English left', async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${h.server.url}?lang=zh`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  // a file's own name, quoted, is not the page's English
  const english = (text) => (text.replace(/“[^”]*”/g, '').match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !['PNG', 'JPEG', 'GIF', 'WebP', 'BMP', 'AVIF', 'Ctrl', 'Shift', 'https', 'localhost'].includes(w));
  assert.deepEqual(english(await page.locator('.picture-tools').innerText()), []);
  await chooseFile(page, 'x.png', 'image/png', png(pixels(9, 6, () => [1, 2, 3, 255])));
  await page.getByTestId('picture-dialog').waitFor();
  await page.getByTestId('picture-scaling').selectOption('std');
  const texts = [await page.getByTestId('picture-dialog').innerText(), ...(await page.locator('[data-testid="picture-scaling"] option').allTextContents())];
  assert.deepEqual(english(texts.join('\n')), []);
  await page.getByTestId('picture-cancel').click();
  await chooseFile(page, 'notes.txt', 'text/plain', Buffer.from('hello'));
  const notice = page.getByTestId('notice-text').filter({ hasText: /不是本页能读取的图片/ });
  await notice.waitFor();
  assert.deepEqual(english(await notice.innerText()), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a picture dropped elsewhere on the page goes to the input too (not to the scene-file import)', async () => {
  const page = await openPage();
  const src = pixels(8, 8, (x, y) => [x * 30, y * 30, 0, 255]);
  await page.evaluate((b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'p.png', { type: 'image/png' }));
    const target = document.querySelector('[data-testid="loss-value"]') ?? document.body;
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, png(src).toString('base64'));
  const crop = await use(page);
  assertClose(await inputOf(page), reference(src, crop, 6, 6, 1), TOL, 'dropped on the page');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the crop box follows the mouse: drag moves it, a corner resizes it keeping the input\'s shape', async () => {
  const page = await openPage();
  const src = pixels(200, 100, (x, y) => [x, y * 2, 128, 255]);
  await chooseFile(page, 'wide.png', 'image/png', png(src));
  const dialog = page.getByTestId('picture-dialog');
  await dialog.waitFor();
  const crop = async () => (await dialog.getAttribute('data-crop')).split(',').map(Number);
  assert.deepEqual(await crop(), [50, 0, 100, 100]);
  const shown = await page.getByTestId('picture-canvas').boundingBox();
  const px = shown.width / 200; // screen pixels per picture pixel
  const box = await page.getByTestId('picture-crop').boundingBox();
  // move: 30 picture pixels to the left
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 30 * px, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  let [x, y, w, hh] = await crop();
  assert.ok(Math.abs(x - 20) < 1 && y === 0 && w === 100 && hh === 100, `moved: ${[x, y, w, hh]}`);
  // resize from the bottom-right corner: 40 picture pixels up-left, the top-left corner stays
  const corner = await page.locator('.picture-handle-se').boundingBox();
  await page.mouse.move(corner.x + corner.width / 2, corner.y + corner.height / 2);
  await page.mouse.down();
  await page.mouse.move(corner.x + corner.width / 2 - 40 * px, corner.y + corner.height / 2 - 40 * px, { steps: 4 });
  await page.mouse.up();
  [x, y, w, hh] = await crop();
  assert.ok(Math.abs(x - 20) < 1 && y === 0 && Math.abs(w - 60) < 1 && w === hh, `resized: ${[x, y, w, hh]}`);
  // the buttons: the whole picture (stretched to the input), back to the centre square
  await page.getByTestId('picture-whole').click();
  assert.deepEqual(await crop(), [0, 0, 200, 100]);
  await page.getByTestId('picture-centre').click();
  assert.deepEqual(await crop(), [50, 0, 100, 100]);
  await page.getByTestId('picture-crop').press('ArrowLeft');
  await page.getByTestId('picture-crop').press('Shift+ArrowLeft');
  [x, y, w, hh] = await crop();
  const used = await use(page);
  assertClose(await inputOf(page), reference(src, used, 6, 6, 1), TOL, 'dragged crop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('axe: the picture controls and the open dialog have no serious or critical violations (wide and phone)', async () => {
  for (const [width, height] of [[1280, 720], [390, 844]]) {
    const page = await h.open({ width, height });
    await chooseFile(page, 'p.png', 'image/png', png(pixels(30, 20, (x) => [x * 8, 90, 40, 255])));
    await page.getByTestId('picture-dialog').waitFor();
    await page.getByTestId('picture-scaling').selectOption('std');
    await page.addScriptTag({ path: new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname });
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run({ include: [['[data-testid="picture-dialog"]'], ['.picture-tools']] }, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
    });
    assert.deepEqual(violations, [], `${width}x${height}`);
    await page.context().close();
  }
});

test('a <cnn-lens> element removed while its camera runs: the dialog goes and the camera stops', async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${h.server.url}embed-example.html`);
  await page.waitForFunction(() => document.querySelector('#demo-multi')?.dataset.ready === 'true', null, { timeout: 20000 });
  const el = page.locator('#demo-multi');
  await el.getByTestId('picture-camera').click();
  await page.waitForFunction(() => document.querySelector('#demo-multi').shadowRoot.querySelector('[data-testid="picture-take"]')?.disabled === false, null, { timeout: 15000 });
  await page.evaluate(() => {
    window.__track = document.querySelector('#demo-multi').shadowRoot.querySelector('[data-testid="picture-video"]').srcObject.getVideoTracks()[0];
    document.querySelector('#demo-multi').remove();
  });
  await page.waitForFunction(() => window.__track.readyState === 'ended', null, { timeout: 5000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the scaling is editable: a std of 0 is refused in place (only that field marked), a typed one is applied', async () => {
  const page = await openPage('multichannel');
  const src = pixels(5, 5, (x, y) => [x * 50, y * 50, 100, 255]);
  await chooseFile(page, 'p.png', 'image/png', png(src));
  await page.getByTestId('picture-dialog').waitFor();
  await page.getByTestId('picture-scaling').selectOption('std');
  await page.getByTestId('picture-std-0').fill('0');
  await page.getByTestId('picture-message').filter({ hasText: /std a positive number/ }).waitFor();
  assert.equal(await page.getByTestId('picture-use').isDisabled(), true);
  assert.equal(await page.getByTestId('picture-std-0').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('picture-mean-0').getAttribute('aria-invalid'), 'false');
  await page.getByTestId('picture-std-0').fill('0.5');
  await page.getByTestId('picture-mean-2').fill('\u22120.25'); // the page's own minus sign
  const crop = await use(page);
  const ref = reference(src, crop, 5, 5, 3);
  const mean = [0.485, 0.456, -0.25], std = [0.5, 0.224, 0.225];
  assertClose(await inputOf(page), ref.map((v, i) => (v - mean[Math.floor(i / 25)]) / std[Math.floor(i / 25)]), 1e-4, 'typed scaling');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a 24-megapixel photo: decoded and resampled off the page\'s thread, no task of the page runs long', async () => {
  const page = await openPage();
  // made in the page (a JPEG of 6000x4000), then the clocks start, then it is dropped
  await page.evaluate(async () => {
    const cv = new OffscreenCanvas(6000, 4000);
    const ctx = cv.getContext('2d');
    const g = ctx.createLinearGradient(0, 0, 6000, 4000);
    g.addColorStop(0, '#c33'); g.addColorStop(0.5, '#3c3'); g.addColorStop(1, '#33c');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 6000, 4000);
    window.__big = new File([await cv.convertToBlob({ type: 'image/jpeg', quality: 0.9 })], 'big.jpg', { type: 'image/jpeg' });
    // the test's own 96 MB canvas, freed now rather than by a collection while frames are timed
    cv.width = cv.height = 1;
    await new Promise((ok) => setTimeout(ok, 50));
    globalThis.gc?.();
    // the page's thread: every task over 50 ms it ran (Long Tasks API), and the frames it drew
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
    window.__frames = 0;
    const frame = () => { window.__frames++; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    const dt = new DataTransfer();
    dt.items.add(window.__big);
    document.querySelector('[data-testid="input-card"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const dialog = page.getByTestId('picture-dialog');
  await dialog.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="picture-use"]')?.disabled === false, null, { timeout: 30000 });
  assert.match(await page.getByTestId('picture-info').textContent(), /6000×4000/);
  await page.getByTestId('picture-use').click();
  await dialog.waitFor({ state: 'detached', timeout: 30000 });
  const { longest, frames } = await page.evaluate(() => ({ longest: Math.max(0, ...window.__long), frames: window.__frames }));
  assert.ok(frames > 5, `the page drew ${frames} frames meanwhile`);
  // Measured here: with the worker, the page's longest task was 50–200 ms (a loaded machine: two
  // cores, load average 10); with workers blocked, decoding and resampling on the page was one
  // task of 1.8–2.4 s. 600 ms tells the two apart.
  assert.ok(longest < 600, `the page's longest task took ${longest.toFixed(0)} ms`);
  console.log(`# 24 MP photo: ${frames} frames, the page's longest task ${longest.toFixed(0)} ms`);
  const input = await inputOf(page);
  assert.equal(input.length, 36);
  assert.ok(input.every((v) => v > 0 && v < 1));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a graph scene (version 2) takes a picture too, and keeps its scaling as input.normalize; undo takes both back', async () => {
  const page = await openPage('residual'); // [1, 5, 5], drawn as the overview
  await page.getByTestId('graph-view').waitFor();
  const before = await scene(page);
  assert.equal(before.input.normalize, undefined);
  const src = pixels(9, 7, (x, y) => [x * 28, y * 36, (x * y) % 256, 255]);
  await page.getByTestId('graph-view').getByTestId('picture-file').setInputFiles({ name: 'g.png', mimeType: 'image/png', buffer: png(src) });
  await page.getByTestId('picture-dialog').waitFor();
  await page.getByTestId('picture-scaling').selectOption('std');
  assert.equal(await page.getByTestId('picture-mean-0').inputValue(), '0.5', 'grey: 0.5/0.5 by default');
  const crop = await use(page);
  const after = await scene(page);
  assert.deepEqual(after.input.normalize, { mean: [0.5], std: [0.5] });
  assertClose(after.input.data, reference(src, crop, 5, 5, 1).map((v) => (v - 0.5) / 0.5), 1e-5, 'graph input');
  assert.equal(after.nodes.length, before.nodes.length, 'the same network');
  await page.locator('body').press('Control+z');
  await page.waitForFunction(() => JSON.parse(window.cnnlens.sceneJSON()).input.normalize === undefined);
  assert.deepEqual((await scene(page)).input.data, before.input.data);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
