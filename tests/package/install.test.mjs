// The npm package as a site author gets it: `npm pack` the repo (dist/ built by `npm run build`),
// install the tarball into a fresh copy of tests/package/vite-app (its own lockfile pins Vite;
// no config) and into a plain HTML page (script tag, no bundler), build the Vite app, type-check
// it against the declarations, and check in headless Chromium that <cnn-lens> draws the classic
// example with no console error and no request to another origin. The plain page also shows the
// fixture post rendered by the installed markdown-it plugin: its invalid fence shows the notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../browser/harness.mjs';
import { openPage, serveDir } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const classic = JSON.parse(readFileSync(join(root, 'examples/classic.json'), 'utf8'));
// installs use the npm cache first (the repo's own `npm ci` filled it with the same Vite)
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let tmp, tarball, packedFiles, server, browser;

before(async () => {
  if (!existsSync(join(root, 'dist/cnn-lens.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  tmp = mkdtempSync(join(tmpdir(), 'cnnlens-package-'));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp, '--loglevel=error'], root));
  tarball = join(tmp, packed.filename);
  packedFiles = packed.files.map((f) => f.path);
  server = await serveDir(tmp);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds the built package and nothing of the sources', () => {
  const files = packedFiles;
  for (const f of ['package.json', 'README.md', 'dist/cnn-lens.js', 'dist/cnn-lens.d.ts', 'dist/core.js', 'dist/core.d.ts', 'dist/cnnlens.d.ts',
    'dist/markdown-it.js', 'dist/remark.js', 'dist/rehype.js', 'dist/chunks/wasm-core.js', 'docs/package.md']) assert.ok(files.includes(f), `${f} is packed`);
  assert.deepEqual(files.filter((f) => /^(web|core|bindings|tests|tools|package|examples|build)\//.test(f)), []);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.private, undefined, 'private would block publishing');
  for (const [entry, target] of Object.entries(pkg.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) assert.ok(files.includes(file.replace(/^\.\//, '')), `${entry} -> ${file}`);
  }
});

async function expectClassic(page, selector) {
  await page.waitForSelector(`${selector}[data-ready="true"]`, { timeout: 20000 });
  const info = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const cells = (id) => [...el.shadowRoot.querySelectorAll(`[data-testid="${id}"] .cell`)].map((c) => c.textContent);
    return { title: JSON.parse(el.sceneJSON()).title, mode: el.state.mode, input: cells('matrix-input-0'), conv: cells('matrix-0-output-0') };
  }, selector);
  assert.equal(info.title, classic.title);
  assert.equal(info.input.length, 36, 'the 6x6 input is drawn');
  assert.equal(info.conv[0], '3', 'the first convolution output is 1*1 + ... = 3');
  return info;
}

test('a fresh Vite app: npm ci, install the tarball, vite build; the element draws the classic example', async (t) => {
  const app = join(tmp, 'vite-app');
  cpSync(join(here, 'vite-app'), app, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  run('npm', ['ci', ...NPM_FLAGS], app);
  run('npm', ['install', '--no-save', ...NPM_FLAGS, tarball], app);
  // the declarations, through the exports map, with the repo's TypeScript
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
  run(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], app);

  // Vite's default base is '/': serve the built app at the root of its own origin
  const appServer = await serveDir(join(app, 'dist'));
  t.after(() => appServer.close());
  const page = await openPage(browser, new URL(appServer.url).origin, appServer.url);
  const info = await expectClassic(page, '#lens');
  assert.equal(info.mode, 'both', 'view="both" applied');
  await page.waitForFunction(() => document.body.dataset.coreLoss, null, { timeout: 10000 });
  assert.ok(Math.abs(Number(await page.evaluate(() => document.body.dataset.coreLoss)) - 0.4374) < 1e-3, 'cnn-lens/core: the classic loss');
  assert.deepEqual(page.outside, [], 'no request to another origin');
  assert.deepEqual(page.fetches, [], 'no fetch or XHR of its own');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a plain HTML page with a script tag; the Markdown fixture rendered by the installed plugin', async () => {
  const site = join(tmp, 'plain');
  cpSync(join(here, 'fixtures'), join(site, 'fixtures'), { recursive: true });
  writeFileSync(join(site, 'package.json'), '{ "name": "plain-page", "private": true }\n');
  run('npm', ['install', ...NPM_FLAGS, tarball], site);
  writeFileSync(join(site, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>plain</title>
<script type="module" src="./node_modules/cnn-lens/dist/cnn-lens.js"></script></head>
<body><cnn-lens id="lens" scene="classic"></cnn-lens></body></html>
`);
  // bare specifiers resolved by Node through the installed package's exports map
  const markdownIt = import.meta.resolve('markdown-it');
  writeFileSync(join(site, 'render.mjs'), `import { readFileSync, writeFileSync } from 'node:fs';
import MarkdownIt from '${markdownIt}';
import cnnLens from 'cnn-lens/markdown-it';
import { loadModel } from 'cnn-lens/core';
const body = new MarkdownIt({ html: true }).use(cnnLens, { onWarning: (m) => console.log(m) }).render(readFileSync('fixtures/two-fences.md', 'utf8'));
writeFileSync('post.html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>post</title>'
  + '<script type="module" src="./node_modules/cnn-lens/dist/cnn-lens.js"></script></head><body>' + body + '</body></html>');
const model = await loadModel('classic');
console.log('loss', model.loss());
model.delete();
`);
  const out = run(process.execPath, ['render.mjs'], site);
  assert.match(out, /line 16: the scene is not valid JSON/);
  assert.match(out, /loss 0\.437/, 'cnn-lens/core runs in Node');

  const origin = new URL(server.url).origin;
  const page = await openPage(browser, origin, `${server.url}plain/index.html`);
  await expectClassic(page, '#lens');
  assert.deepEqual(page.outside, []);
  assert.deepEqual(page.fetches, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const post = await openPage(browser, origin, `${server.url}plain/post.html`);
  await post.waitForFunction(() => document.querySelectorAll('cnn-lens[data-ready="true"]').length === 2, null, { timeout: 20000 });
  const info = await expectClassic(post, 'cnn-lens:nth-of-type(1)');
  assert.equal(info.mode, 'both');
  const second = await post.evaluate(() => {
    const el = document.querySelectorAll('cnn-lens')[1];
    return { notice: el.shadowRoot.querySelector('[data-testid="notice-text"]')?.textContent ?? '', title: JSON.parse(el.sceneJSON()).title };
  });
  assert.match(second.notice, /\S/, 'the invalid fence shows the element\'s notice');
  assert.equal(second.title, classic.title, 'and the classic example under it');
  assert.deepEqual(post.outside, []);
  assert.deepEqual(post.fetches, []);
  assert.deepEqual(post.problems, []);
  console.log(`notice of the invalid fence: ${second.notice}`);
  await post.context().close();
});
