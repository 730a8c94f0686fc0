// Languages: English and Simplified Chinese from ?lang=, the browser language or the header's
// switch; every zh key exists; the Chinese interface shows no English strings (numbers, layer
// type identifiers, <code>, and the core's English error messages, marked lang="en", excepted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, lossValue } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

function open({ lang = '', locale = 'en-US', width = 1280, height = 900 } = {}) {
  return h.open({ width, height, locale, reducedMotion: 'reduce', path: lang ? `?lang=${lang}` : '' });
}

test('every key of the English table exists in the Chinese one, with the same kind of value', async () => {
  const page = await open();
  const missing = await page.evaluate(async () => {
    // the Chinese table is a chunk of its own, loaded on demand on an English page
    const [en, zh] = [await window.cnnlensI18n.load('en'), await window.cnnlensI18n.load('zh')];
    const out = [];
    const walk = (a, b, path) => {
      for (const k of Object.keys(a)) {
        if (!(k in b)) { out.push(`${path}${k} missing`); continue; }
        if (typeof a[k] !== typeof b[k]) out.push(`${path}${k}: ${typeof a[k]} vs ${typeof b[k]}`);
        else if (typeof a[k] === 'object') walk(a[k], b[k], `${path}${k}.`);
        else if (typeof a[k] === 'function' && a[k].length !== b[k].length) out.push(`${path}${k}: arity`);
      }
    };
    walk(en, zh, '');
    return out;
  });
  assert.deepEqual(missing, []);
  await page.context().close();
});

test('the language comes from ?lang=, else the browser; <html lang> follows', async () => {
  let page = await open({ locale: 'zh-CN' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await page.getByTestId('btn-step').textContent(), '单步');
  await page.context().close();
  page = await open({ lang: 'en', locale: 'zh-CN' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.getByTestId('btn-step').textContent(), 'Step');
  await page.context().close();
});

test('the header switch reloads in the other language, keeps the work, and the share link keeps lang', async () => {
  const page = await open({ lang: 'en' });
  await page.getByTestId('btn-step').click();
  const loss = await lossValue(page);
  await Promise.all([page.waitForEvent('load'), page.getByTestId('lang-select').selectOption('zh')]);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'zh');
  assert.equal(await page.getByTestId('btn-step').textContent(), '单步');
  assert.equal(await page.getByTestId('lesson-panel').getAttribute('lang'), 'zh');
  assert.equal(await lossValue(page), loss, 'the trained network is kept');
  const link = await page.evaluate(() => window.cnnlens.shareLink());
  assert.equal(new URL(link).searchParams.get('lang'), 'zh');
  await page.context().close();
});

/** Rendered text, aria-labels, titles, placeholders and alt texts of the page, minus exceptions. */
async function visibleStrings(page) {
  return page.evaluate(() => {
    const out = [];
    const skip = (el) => !!el.closest('script, style, code, [lang="en"], .core-msg') || !el.checkVisibility();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.textContent.trim();
      if (t && !skip(n.parentElement)) out.push(t);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (skip(el)) continue;
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) { const v = el.getAttribute(a); if (v) out.push(v.trim()); }
    }
    for (const c of document.querySelectorAll('canvas[aria-label]')) out.push(c.getAttribute('aria-label'));
    return out;
  });
}

/** The English table's plain strings that differ in Chinese (those equal in both, like "SGD", are fine). */
async function englishValues(page) {
  return page.evaluate(async () => {
    // the Chinese table is a chunk of its own, loaded on demand on an English page
    const [en, zh] = [await window.cnnlensI18n.load('en'), await window.cnnlensI18n.load('zh')];
    const out = [];
    const walk = (a, b) => {
      for (const k of Object.keys(a)) {
        if (typeof a[k] === 'string' && a[k] !== b[k] && /[A-Za-z]{3,}/.test(a[k])) out.push(a[k]);
        else if (a[k] && typeof a[k] === 'object') walk(a[k], b[k]);
      }
    };
    walk(en, zh);
    return out;
  });
}

// identifiers and names that are the same in both languages
const ALLOWED = /\b(CNN Lens|PyTorch|WebAssembly|JSON|PNG|CSV|SGD|Adam|MNIST|LeNet|Leaky ReLU|ReLU|Sigmoid|Tanh|Softmax|float32|onehot|softmax|sigmoid|relu|leaky_relu|tanh|max|conv2d|maxpool2d|avgpool2d|flatten|dense|target|English|NaN|dL\/d\w*|dL|MSE|Laplacian|Gaussian)\b/g;

test('the Chinese interface has no English strings left, in every view', async () => {
  const page = await open({ lang: 'zh' });
  const english = await englishValues(page);
  assert.ok(english.length > 100, `${english.length} English strings to look for`);
  const views = [
    ['values', async () => {}],
    ['gradients', async (p) => p.getByTestId('mode-gradients').click()],
    ['both + explain', async (p) => { await p.getByTestId('mode-both').click(); await p.locator('[data-testid="matrix-0-output-0"] .cell').nth(5).focus(); }],
    ['explain a weight', async (p) => p.locator('[data-testid="matrix-0-weight-0"] .cell').nth(4).focus()],
    ['explain dense + loss', async (p) => { await p.locator('[data-testid="matrix-3-output-0"] .cell').first().focus(); await p.locator('[data-testid="matrix-lossgrad-0"] .cell').first().focus(); }],
    ['trained + gradient check + legend', async (p) => {
      for (let i = 0; i < 3; i++) await p.getByTestId('btn-step').click();
      await p.getByTestId('btn-gradcheck').click();
      await p.getByTestId('legend').locator('summary').click();
    }],
    ['lesson', async (p) => p.getByTestId('btn-lesson').click()],
    ['multichannel', async (p) => p.getByTestId('preset-select').selectOption('multichannel')],
    ['deep', async (p) => { await p.getByTestId('preset-select').selectOption('deep'); await p.getByTestId('mode-both').click(); }],
    ['digits', async (p) => { await p.getByTestId('preset-select').selectOption('digits'); await p.waitForTimeout(500); }],
    ['fashion (gallery, class names)', async (p) => {
      await p.getByTestId('preset-select').selectOption('fashion');
      await p.waitForFunction(() => document.querySelector('[data-testid="fashion-dashboard"]')?.dataset.status === 'ready', null, { timeout: 30000 });
    }],
    ['invalid setting (own message)', async (p) => { await p.getByTestId('setting-0-kernel_size').fill('abc'); await p.getByTestId('setting-0-kernel_size').press('Enter'); }],
  ];
  const problems = [];
  for (const [name, act] of views) {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.evaluate(() => localStorage.clear());
    await act(page);
    for (const text of await visibleStrings(page)) {
      const hit = english.find((e) => new RegExp(`(^|[^A-Za-z])${e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`).test(text));
      if (hit) { problems.push(`${name}: "${text}" contains "${hit}"`); continue; }
      const rest = text.replace(ALLOWED, ' ');
      if (/[A-Za-z]{3,}[\s,.]+[A-Za-z]{3,}/.test(rest)) problems.push(`${name}: English words in "${text}"`);
    }
  }
  assert.deepEqual([...new Set(problems)], []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('numbers look the same in both languages (U+2212 minus, same digits)', async () => {
  const get = async (lang) => {
    const page = await open({ lang });
    const t = await page.locator('[data-testid="matrix-0-weight-0"] .cell').allTextContents();
    const l = await page.getByTestId('loss-value').textContent();
    await page.context().close();
    return [t, l];
  };
  const [en, zh] = [await get('en'), await get('zh')];
  assert.deepEqual(zh, en);
  assert.ok(en[0].includes('\u22121'));
});
