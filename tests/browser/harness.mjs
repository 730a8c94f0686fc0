// Test harness: serves web/dist (built by `npm run build`, not here) on 127.0.0.1 with a tiny
// static server and launches Debian's Chromium through playwright-core.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// CNNLENS_DIST lets parallel work test its own build (e.g. web/dist-lesson); default web/dist.
export const DIST = process.env.CNNLENS_DIST ? join(root, process.env.CNNLENS_DIST) : join(root, 'web/dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon',
};

/** Starts the static server on a random free port; resolves to { url, close }. */
export async function serveDist() {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run build\` first`);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(DIST, path));
      if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** `args`: extra Chromium switches (e.g. the fake camera), after the usual ones. */
export async function launch({ args = [] } = {}) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...args],
  });
}

/**
 * One server + browser for a test file. `open()` gives a fresh page (in its own context) on the
 * app, waiting until the wasm core is ready, and collects console errors and page errors in
 * `page.problems`. Its options: `path` after the server's address (e.g. '?lang=zh'), or `url`
 * for a whole address (null: stay on about:blank); `ready`, the selector to wait for (null: no
 * wait); `consoleErrors: false` to collect page errors only; the rest (locale, acceptDownloads,
 * colorScheme…) go to `browser.newContext`.
 * `args`: extra Chromium switches for this file's browser (default: none).
 */
export async function setup({ args = [] } = {}) {
  const server = await serveDist();
  const browser = await launch({ args });
  return {
    server,
    browser,
    async open({
      width = 1280, height = 900, reducedMotion = 'no-preference', path = '', url = server.url + path,
      ready = 'body[data-ready="true"]', consoleErrors = true, ...contextOptions
    } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, reducedMotion, ...contextOptions });
      const page = await context.newPage();
      page.problems = [];
      if (consoleErrors) page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
      if (url === null) return page;
      await page.goto(url);
      if (ready) await page.waitForSelector(ready, { timeout: 15000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Text of every cell of a matrix (data-testid), as numbers (the page prints U+2212 minus). */
export async function cells(page, testid) {
  const texts = await page.locator(`[data-testid="${testid}"] .cell`).allTextContents();
  return texts.map((t) => Number(t.replace('\u2212', '-')));
}

export async function lossValue(page) {
  const t = await page.getByTestId('loss-value').textContent();
  return Number(t.replace(/^L = /, '').replace('\u2212', '-'));
}

/**
 * Waits until "Kernels on a photo", just chosen, is drawn: its photo is fetched when chosen, and
 * the classic example's conv card has a kernel menu too, so the photo's 256×256 network, its
 * kernel menu and its colour output must all be there.
 */
export async function photoExampleShown(page) {
  await page.waitForFunction(() => window.cnnlens.state.presetId === 'photo-kernels' &&
    /256×256/.test(document.querySelector('[data-testid="shape-0"]')?.textContent ?? '') &&
    document.querySelector('[data-testid="kernel-preset-0"]') !== null, null, { timeout: 30000 });
  await page.getByTestId('output-colour-0').waitFor({ timeout: 30000 });
}
