// The single-file page in Firefox (Debian's firefox-esr, driven over WebDriver BiDi by
// puppeteer-core): opened from disk it starts, shows the classic maps, trains a step, and makes
// no request beyond file: and data: URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { DIST } from './harness.mjs';

const FILE = join(DIST, 'cnn-lens-offline.html');
const FIREFOX = '/usr/bin/firefox-esr';

test('the offline file works in Firefox with no network request', async () => {
  assert.ok(existsSync(FILE), `${FILE} is missing: run \`npm run build\``);
  assert.ok(existsSync(FIREFOX), `${FIREFOX} is missing: run tools/setup.sh`);
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  try {
    const page = await browser.newPage();
    const outside = [];
    page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) outside.push(r.url()); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(FILE).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const firstRow = await page.$$eval('[data-testid="matrix-0-output-0"] .cell', (cells) => cells.slice(0, 4).map((c) => c.textContent));
    assert.deepEqual(firstRow, ['3', '−1', '−3', '−1']);
    const before = await page.evaluate(() => window.cnnlens.model.loss());
    await page.evaluate(() => { window.cnnlens.model.step(); window.cnnlens.refresh(); });
    const after = await page.evaluate(() => window.cnnlens.model.loss());
    assert.ok(after < before, `loss ${after} should be below ${before}`);
    assert.deepEqual(outside, [], 'no network request');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
