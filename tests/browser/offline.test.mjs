// The single-file page (web/dist/cnn-lens-offline.html) opened from disk with the network
// blocked: it starts, trains a step, and no request but the file itself is ever attempted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, launch } from './harness.mjs';

const FILE = join(DIST, 'cnn-lens-offline.html');
let browser;
before(async () => {
  assert.ok(existsSync(FILE), `${FILE} is missing: run \`npm run build\``);
  browser = await launch();
});
after(async () => { await browser?.close(); });

test('one self-contained file under 400 KB gzipped, no module script containing </script>', () => {
  const html = readFileSync(FILE, 'utf8');
  assert.ok(gzipSync(html).length < 400 * 1024, `gzipped ${gzipSync(html).length}`);
  assert.doesNotMatch(html, /\b(src|href)="(?!data:)[^"#]+"/, 'no external src/href');
  const scripts = html.match(/<script\b[^>]*>/g);
  assert.deepEqual(scripts, ['<script type="module">']);
  const body = html.slice(html.indexOf('<script type="module">'));
  assert.equal(body.match(/<\/script/gi).length, 1, 'only the closing tag');
  console.log(`offline page: ${(statSync(FILE).size / 1024).toFixed(1)} KB raw, ${(gzipSync(html, { level: 9 }).length / 1024).toFixed(1)} KB gzipped`);
});

test('opens from file:// with the network blocked and trains a step', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const attempted = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    attempted.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const problems = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) attempted.push(r.url()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(pathToFileURL(FILE).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const loss0 = await page.evaluate(() => window.cnnlens.model.loss());
  await page.getByTestId('btn-step').click();
  assert.match(await page.getByTestId('train-status').textContent(), /^1 steps?/);
  const loss1 = await page.evaluate(() => window.cnnlens.model.loss());
  assert.ok(loss1 < loss0, `${loss1} < ${loss0}`);
  // every example is inside the file
  for (const id of ['edge-blur-sharpen', 'multichannel', 'deep', 'classic']) await page.getByTestId('preset-select').selectOption(id);
  assert.deepEqual(attempted, []);
  assert.deepEqual(problems, []);
  await context.close();
});
