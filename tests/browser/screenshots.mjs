// Saves PNG screenshots of each view at 1280x900 and 400x900 into tests/browser/screenshots/
// (gitignored) for a visual check. Needs `npm run build` first. Usage: node tests/browser/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(out, { recursive: true });

const shots = [
  ['classic-values', async () => {}],
  ['classic-hover-conv', async (p) => p.locator('[data-testid="matrix-0-output-0"] .cell').nth(5).hover()],
  ['classic-gradients', async (p) => { await p.getByTestId('mode-gradients').click(); await p.locator('[data-testid="matrix-0-weight.grad-0"] .cell').first().hover(); }],
  ['classic-both', async (p) => p.getByTestId('mode-both').click()],
  ['classic-trained', async (p) => { for (let i = 0; i < 15; i++) await p.getByTestId('btn-step').click(); await p.getByTestId('btn-gradcheck').click(); }],
  ['classic-invalid', async (p) => { await p.getByTestId('setting-0-kernel_size').fill('9'); await p.getByTestId('setting-0-kernel_size').press('Enter'); }],
  ['edge-blur-sharpen', async (p) => p.getByTestId('preset-select').selectOption('edge-blur-sharpen')],
  ['multichannel', async (p) => { await p.getByTestId('preset-select').selectOption('multichannel'); await p.getByTestId('mode-both').click(); }],
  ['deep', async (p) => { await p.getByTestId('preset-select').selectOption('deep'); await p.getByTestId('btn-run').click(); await p.waitForTimeout(600); await p.getByTestId('btn-run').click(); }],
  // trained for a few seconds, an image picked from the gallery (the viewport: the dashboard on top)
  ['fashion', async (p) => {
    await p.getByTestId('preset-select').selectOption('fashion');
    await p.waitForFunction(() => document.querySelector('[data-testid="fashion-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
    await p.getByTestId('fashion-run').click();
    await p.waitForTimeout(4000);
    await p.getByTestId('fashion-run').click();
    await p.locator('[data-testid="fashion-gallery-item"]').first().click();
    await p.waitForTimeout(500);
  }],
];

const h = await setup();
try {
  for (const [width, tag] of [[1280, 'wide'], [400, 'narrow']]) {
    for (const [name, act] of shots) {
      const page = await h.open({ width, height: 900 });
      await act(page);
      await page.mouse.move(0, 0).catch(() => {});
      if (name.includes('hover') || name.includes('gradients')) await act(page).catch(() => {});
      const file = join(out, `${name}-${tag}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (page.problems.length) console.warn(name, page.problems);
      console.log(file);
      await page.context().close();
    }
  }
} finally {
  await h.close();
}
