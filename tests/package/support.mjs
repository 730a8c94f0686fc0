// Helpers of the package tests: a static file server for any folder (the built test apps), a
// Chromium page that records console errors and blocks every request to another origin, and
// attribute extraction from rendered HTML.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

/** Serves `dir` on 127.0.0.1 at a random port; resolves to { url, close }. */
export async function serveDir(dir) {
  const server = createServer(async (req, res) => {
    try {
      let file = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * A fresh page in its own context that aborts and records every request leaving the test
 * server's origin (`page.outside`), every fetch/XHR (`page.fetches`), and console errors and
 * page errors (`page.problems`).
 */
export async function openPage(browser, origin, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.outside = [];
  page.fetches = [];
  page.problems = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (new URL(u).origin === origin) return route.continue();
    page.outside.push(u);
    return route.abort();
  });
  page.on('request', (r) => { if (['fetch', 'xhr'].includes(r.resourceType())) page.fetches.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return page;
}

const ENTITIES = { '&quot;': '"', '&#x22;': '"', '&#34;': '"', '&lt;': '<', '&gt;': '>', '&amp;': '&' };

/** Every <cnn-lens …> in rendered HTML, as { attribute: value } with entities decoded ('' = boolean). */
export function lensElements(html) {
  return [...html.matchAll(/<cnn-lens((?:\s+[\w-]+(?:="[^"]*")?)*)\s*><\/cnn-lens>/g)].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map(([, name, value = '']) =>
      [name, value.replace(/&(?:quot|#x22|#34|lt|gt|amp);/g, (e) => ENTITIES[e])])));
}
