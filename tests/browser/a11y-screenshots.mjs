// Screenshots of each view on a desktop (1280x900) and a phone (375x812, touch), in the light
// and dark themes and in English and Chinese, into tests/browser/screenshots/a11y/ (gitignored)
// for a visual check. Needs a build first. Usage:
//   node tests/browser/a11y-screenshots.mjs [filter]      (CNNLENS_DIST=web/dist-a11y for another build)
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'screenshots', 'a11y');
mkdirSync(out, { recursive: true });
const filter = process.argv[2] ?? '';

const views = [
  ['values', async () => {}],
  ['gradients', async (p) => p.getByTestId('mode-gradients').click()],
  ['both', async (p) => p.getByTestId('mode-both').click()],
  ['explain', async (p) => p.locator('[data-testid="matrix-0-output-0"] .cell').nth(5).click()],
  ['lesson', async (p) => p.getByTestId('btn-lesson').click()],
  ['deep', async (p) => p.getByTestId('preset-select').selectOption('deep')],
  ['legend', async (p) => p.getByTestId('legend').locator('summary').click()],
];

const h = await setup();
try {
  for (const [device, opts] of [['desktop', { viewport: { width: 1280, height: 900 } }], ['phone', { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 }]]) {
    for (const theme of ['light', 'dark']) {
      for (const lang of ['en', 'zh']) {
        for (const [name, act] of views) {
          const tag = `${name}-${device}-${theme}-${lang}`;
          if (filter && !tag.includes(filter)) continue;
          const context = await h.browser.newContext({ ...opts, colorScheme: theme });
          const page = await context.newPage();
          await page.goto(`${h.server.url}?lang=${lang}`);
          await page.waitForSelector('body[data-ready="true"]');
          await act(page);
          await page.waitForTimeout(150);
          if (device === 'phone') {
            // a phone page is long: the top of the page and the middle of the network, as seen
            await page.screenshot({ path: join(out, `${tag}.png`) });
            await page.getByTestId(name === 'explain' ? 'explain' : 'layer-card-0').evaluate((e) => e.scrollIntoView({ block: 'start' }));
            await page.screenshot({ path: join(out, `${tag}-scrolled.png`) });
          } else {
            await page.screenshot({ path: join(out, `${tag}.png`), fullPage: name !== 'lesson' });
          }
          console.log(tag);
          await context.close();
        }
      }
    }
  }
} finally {
  await h.close();
}
