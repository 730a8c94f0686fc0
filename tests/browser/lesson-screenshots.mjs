// Saves PNG screenshots of every lesson step at 1280x900 and 400x900 (English; a few in
// Chinese and embed mode) into tests/browser/screenshots/lesson-*.png (gitignored).
// Needs a build first. Usage: node tests/browser/lesson-screenshots.mjs
// (CNNLENS_DIST=web/dist-lesson to use another build).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(out, { recursive: true });

// what to do on a step before the picture, so the widgets show their results
const acts = {
  2: async (p) => { await p.getByTestId('lesson-answer').fill('2'); await p.getByTestId('lesson-check').click(); },
  3: async (p) => { await p.getByTestId('lesson-answer').fill('1'); await p.getByTestId('lesson-check').click(); },
  4: async (p) => { for (let i = 0; i < 3; i++) await p.getByTestId('lesson-flatten-play').click(); },
  9: async (p) => { await p.getByTestId('lesson-step').click(); await p.getByTestId('lesson-compare-run').click(); },
};

const h = await setup();
async function open(query, width) {
  const context = await h.browser.newContext({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(`${h.server.url}?${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, problems };
}
try {
  const runs = [];
  for (const [width, tag] of [[1280, 'wide'], [400, 'narrow']]) {
    for (let n = 1; n <= 9; n++) runs.push([`lang=en&lesson=${n}`, width, `lesson-${n}-en-${tag}`, n]);
    runs.push([`lang=zh&lesson=2`, width, `lesson-2-zh-${tag}`, 2]);
    runs.push([`lang=zh&lesson=8`, width, `lesson-8-zh-${tag}`, 8]);
    runs.push([`lang=en&lesson=2&embed=1`, width, `lesson-2-embed-${tag}`, 2]);
    runs.push([`lang=en&lesson=9&embed=1`, width, `lesson-9-embed-${tag}`, 9]);
  }
  for (const [query, width, name, n] of runs) {
    const { page, problems } = await open(query, width);
    await acts[n]?.(page);
    await page.waitForTimeout(250);
    const file = join(out, `${name}.png`);
    await page.screenshot({ path: file });
    if (problems.length) console.warn(name, problems);
    console.log(file);
    await page.context().close();
  }
} finally {
  await h.close();
}
