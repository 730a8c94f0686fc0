// Screenshots of the picture dialog (a photo-like test picture and the camera) at 1280x720 and
// 390x844 into tests/browser/screenshots/ (gitignored), for a visual check.
// Needs `npm run build` first. Usage: node tests/browser/picture-screenshots.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(out, { recursive: true });

/** A 320x200 picture drawn in the page (sky, sun, hills) opened with "Open image…". */
async function openDrawn(page) {
  const b64 = await page.evaluate(async () => {
    const cv = document.createElement('canvas');
    cv.width = 320; cv.height = 200;
    const ctx = cv.getContext('2d');
    const sky = ctx.createLinearGradient(0, 0, 0, 200);
    sky.addColorStop(0, '#6fb3ff'); sky.addColorStop(1, '#e8f3ff');
    ctx.fillStyle = sky; ctx.fillRect(0, 0, 320, 200);
    ctx.fillStyle = '#ffd23f'; ctx.beginPath(); ctx.arc(230, 60, 28, 0, 7); ctx.fill();
    ctx.fillStyle = '#3c8d2f'; ctx.beginPath(); ctx.ellipse(90, 210, 160, 80, 0, 0, 7); ctx.fill();
    ctx.fillStyle = '#2b6a22'; ctx.beginPath(); ctx.ellipse(260, 220, 140, 70, 0, 0, 7); ctx.fill();
    const blob = await new Promise((ok) => cv.toBlob(ok, 'image/png'));
    const u8 = new Uint8Array(await blob.arrayBuffer());
    return btoa(Array.from(u8, (b) => String.fromCharCode(b)).join(''));
  });
  await page.getByTestId('picture-file').setInputFiles({ name: 'hills.png', mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') });
  await page.getByTestId('picture-dialog').waitFor();
  await page.waitForTimeout(300);
}

const shots = [
  ['picture-grey', async (p) => openDrawn(p)],
  ['picture-rgb-std', async (p) => { await p.getByTestId('preset-select').selectOption('multichannel'); await openDrawn(p); await p.getByTestId('picture-scaling').selectOption('std'); }],
  ['picture-camera', async (p) => { await p.getByTestId('picture-camera').click(); await p.waitForFunction(() => document.querySelector('[data-testid="picture-take"]')?.disabled === false, null, { timeout: 15000 }); await p.waitForTimeout(500); }],
  ['picture-used', async (p) => { await openDrawn(p); await p.getByTestId('picture-use').click(); await p.getByTestId('picture-dialog').waitFor({ state: 'detached' }); }],
];

const h = await setup({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
try {
  for (const [width, height, tag] of [[1280, 720, 'wide'], [390, 844, 'phone']]) {
    for (const [name, act] of shots) {
      const page = await h.open({ width, height });
      await act(page);
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
