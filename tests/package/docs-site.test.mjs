// The docs site (web/dist/docs, built by tools/build-docs.mjs with the package's markdown-it
// plugin): every ```cnn-lens fence of the docs is a live element that draws, the deliberately
// broken one in docs/package.md shows the element's notice, and nothing leaves the origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, launch, serveDist } from '../browser/harness.mjs';
import { openPage } from './support.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const docs = join(DIST, 'docs');
const pages = readdirSync(docs).filter((f) => f.endsWith('.html'));

test('every Markdown page of docs/ and README is a page of the site', () => {
  const sources = readdirSync(join(DIST, '../../docs')).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, '.html'));
  assert.deepEqual(pages.sort(), ['index.html', ...sources].sort());
  // links between the Markdown files point at the pages
  for (const f of pages) assert.doesNotMatch(readFileSync(join(docs, f), 'utf8'), /href="[^":]*\.md["#]/, f);
});

for (const file of pages) {
  const count = (readFileSync(join(docs, file), 'utf8').match(/<cnn-lens[\s>]/g) ?? []).length;
  if (!count) continue;
  test(`${file}: its ${count} figure(s) are live`, async () => {
    const page = await openPage(browser, new URL(server.url).origin, `${server.url}docs/${file}`);
    await page.waitForFunction((n) => document.querySelectorAll('cnn-lens[data-ready="true"]').length === n, count, { timeout: 30000 });
    const notices = await page.evaluate(() => [...document.querySelectorAll('cnn-lens')].map((el) => el.shadowRoot.querySelector('[data-testid="notice-text"]')?.textContent ?? null));
    // only the fence in docs/package.md that shows a broken scene on purpose has a notice
    assert.deepEqual(notices.map((n) => n !== null), notices.map((_, i) => file === 'package.html' && i === count - 1));
    assert.deepEqual(page.outside, []);
    assert.deepEqual(page.fetches, []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
