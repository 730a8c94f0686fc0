// Screenshots of issue 18's changes at 1280x720 and 390x844 (headless Chromium) into
// tests/browser/screenshots/ (gitignored), to look at: undo/redo and "(edited)" labels, an
// invalid value kept in its cell, training blocked with its reason, the optimizer switch on a
// log-scale curve, Digits with an empty pad, a 3-channel colour preview, a core error in Chinese,
// Adam's counter after an undo, the Digits network scrolled into view. Needs `npm run build`.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(out, { recursive: true });

const shots = [
  ['trust-edited', async (p) => { await p.getByTestId('remove-0').click(); }],
  ['trust-invalid-cell', async (p) => {
    await p.locator('[data-testid="matrix-0-weight-0"] .cell').first().click();
    await p.keyboard.press('Control+A'); await p.keyboard.type('1e40'); await p.keyboard.press('Enter');
  }],
  ['trust-blocked', async (p) => { await p.getByTestId('setting-0-kernel_size').fill('9'); await p.getByTestId('setting-0-kernel_size').press('Enter'); await p.getByTestId('training-panel').scrollIntoViewIfNeeded(); }],
  ['trust-adam-log', async (p) => {
    await p.getByTestId('btn-step').click(); await p.getByTestId('btn-step').click();
    await p.getByTestId('optimizer-select').selectOption('adam');
    for (let i = 0; i < 30; i++) await p.getByTestId('btn-step').click();
    await p.getByTestId('training-panel').scrollIntoViewIfNeeded();
  }],
  ['trust-digits-empty-pad', async (p) => {
    await p.getByTestId('preset-select').selectOption('digits');
    await p.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
  }],
  ['trust-error-zh', async (p) => {
    await p.goto(`${p.url()}?lang=zh`);
    await p.waitForSelector('body[data-ready="true"]');
    await p.getByTestId('setting-0-kernel_size').fill('9'); await p.getByTestId('setting-0-kernel_size').press('Enter');
    await p.getByTestId('layer-error-0').scrollIntoViewIfNeeded();
  }],
  ['trust-adam-undo', async (p) => {
    await p.getByTestId('optimizer-select').selectOption('adam');
    for (let i = 0; i < 3; i++) await p.getByTestId('btn-step').click();
    await p.keyboard.press('Control+z');
    await p.getByTestId('training-panel').scrollIntoViewIfNeeded();
  }],
  ['trust-digits-network', async (p) => {
    await p.getByTestId('preset-select').selectOption('digits');
    await p.waitForFunction(() => document.querySelector('[data-testid="digits-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
    await p.getByTestId('layer-card-0').scrollIntoViewIfNeeded();
    await p.waitForTimeout(400); // heatmaps are drawn once they come into view
  }],
  ['trust-colour', async (p) => { await p.getByTestId('preset-select').selectOption('multichannel'); await p.getByTestId('input-card').scrollIntoViewIfNeeded(); }],
];

const h = await setup();
try {
  for (const [width, height, tag] of [[1280, 720, 'wide'], [390, 844, 'phone']]) {
    for (const [name, act] of shots) {
      const page = await h.open({ width, height });
      await act(page);
      await page.waitForTimeout(150);
      const file = join(out, `${name}-${tag}.png`);
      await page.screenshot({ path: file });
      if (page.problems.length) console.warn(name, page.problems);
      console.log(file);
      await page.context().close();
    }
  }
} finally {
  await h.close();
}
