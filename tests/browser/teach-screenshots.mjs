// Screenshots of "Teach it your classes" (three classes from made pictures, trained, a held-out
// picture predicted, the camera on) at 1280x720, 1440x900 and 390x844 into
// tests/browser/screenshots/ (gitignored), for a visual check.
// Needs `npm run build` first. Usage: node tests/browser/teach-screenshots.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';
import { files } from './teach-pictures.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(out, { recursive: true });
const h = await setup({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
try {
  for (const [width, height] of [[1280, 720], [1440, 900], [390, 844]]) {
    const page = await h.open({ width, height });
    await page.evaluate(() => localStorage.removeItem('cnnlens:teach'));
    await page.getByTestId('preset-select').selectOption('teach');
    await page.waitForSelector('[data-testid="teach-dashboard"][data-ready="true"]', { timeout: 20000 });
    const names = ['stripes across', 'stripes down', 'plain'];
    for (let k = 0; k < 3; k++) {
      if (k === 2) await page.getByTestId('teach-add-class').click();
      await page.getByTestId(`teach-name-${k}`).fill(names[k]);
      await page.getByTestId(`teach-name-${k}`).press('Enter');
      await page.getByTestId(`teach-files-${k}`).setInputFiles(files(k, Array.from({ length: 20 }, (_, i) => i + 1)));
      await page.waitForFunction((i) => /^20\b/.test(document.querySelector(`[data-testid="teach-count-${i}"]`)?.textContent ?? ''), k);
    }
    await page.getByTestId('teach-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.accuracy === '1', null, { timeout: 90000 });
    await page.getByTestId('teach-run').click();
    await page.getByTestId('teach-try-file').setInputFiles(files(1, [300]));
    await page.waitForFunction(() => document.querySelector('[data-testid="teach-dashboard"]').dataset.prediction !== '');
    await page.getByTestId('teach-camera').click();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(out, `teach-${width}x${height}.png`) });
    await page.getByTestId('teach-dashboard').screenshot({ path: join(out, `teach-${width}x${height}-dashboard.png`) });
    console.log(`teach-${width}x${height}.png`);
    await page.context().close();
  }
} finally {
  await h.close();
}
