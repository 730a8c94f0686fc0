// Every error the core can raise is worded by the page from its code and values, in English and
// Chinese (issue 18, item 4): the list of codes comes from the core itself (Module.errorCodes(),
// which tests/native/error_codes_test.cpp keeps complete), so a new code without wording fails
// here. A person typing an impossible setting in the Chinese page reads a fully Chinese message
// naming the card and the setting as the card shows them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const LATIN_WORD = /[A-Za-z]{2,}/;

test('every code the core lists has an English and a Chinese wording', async () => {
  const page = await h.open();
  const r = await page.evaluate(async () => {
    const codes = window.cnnlens.module.errorCodes();
    const { wordError, wordedCodes } = window.cnnlensI18n;
    await window.cnnlensI18n.load('zh'); // an English page has not needed the Chinese table yet
    const worded = wordedCodes();
    const out = [];
    for (const code of codes) {
      const e = { code, details: { code, message: 'core text that must not be shown' }, message: 'core text that must not be shown' };
      out.push({ code, has: worded.includes(code), en: wordError(e, 'en'), zh: wordError(e, 'zh') });
    }
    return { out, extra: worded.filter((c) => !codes.includes(c)) };
  });
  assert.ok(r.out.length > 80, `the core lists its codes (${r.out.length})`);
  for (const { code, has, en, zh } of r.out) {
    assert.ok(has, `no wording for "${code}"`);
    // never the core's text, nor the code itself where it is an identifier ("kernel_too_large")
    const raw = code.includes('_') && en.includes(code);
    assert.ok(en.length > 10 && !en.includes('core text') && !raw, `${code} in English: ${en}`);
    assert.match(zh, /[\u4e00-\u9fff]/, `${code} in Chinese: ${zh}`);
    assert.ok(!zh.includes('core text') && !zh.includes(code), `${code} in Chinese: ${zh}`);
  }
  assert.deepEqual(r.extra, [], 'wordings for codes the core no longer has');
  await page.context().close();
});

test('wordings use the values, the cards\' names, the settings\' labels and correct plurals', async () => {
  const page = await h.open();
  const w = await page.evaluate(async () => {
    const { wordError } = window.cnnlensI18n;
    await window.cnnlensI18n.load('zh');
    const size = (got, expected) => ({ code: 'tensor_size', details: { code: 'tensor_size', layer: 2, type: 'dense', field: 'weight', got, expected, shape: [expected] } });
    return {
      one: wordError(size(3, 1), 'en'),
      many: wordError(size(1, 8), 'en'),
      zh: wordError(size(1, 8), 'zh'),
      groups: wordError({ code: 'groups_mismatch', details: { layer: 1, type: 'conv2d', field: 'groups', groups: 3, in_channels: 1, out_channels: 4 } }, 'en'),
      noPlace: wordError({ code: 'no_such_node', details: { layer: 5, count: 1 } }, 'en'),
    };
  });
  assert.equal(w.one, '“2. Dense”: the weights must have 1 value (1), not 3');
  assert.equal(w.many, '“2. Dense”: the weights must have 8 values (8), not 1');
  assert.equal(w.zh, '“2. 全连接”：权重需要 8 个值（8），而不是 1 个');
  assert.match(w.groups, /groups \(3\) must divide both the 1 input channel and the 4 output channels/);
  assert.equal(w.noPlace, 'there is no layer 6: the network has 1 layer');
  await page.context().close();
});

test("a scene of the wrong kind of JSON says what was expected and what came, and a list's value by its place", async () => {
  const page = await h.open();
  const w = await page.evaluate(async () => {
    const { wordError } = window.cnnlensI18n;
    await window.cnnlensI18n.load('zh');
    const scene = JSON.parse(window.cnnlens.sceneJSON());
    const refusal = (json) => { try { new window.cnnlens.module.Model(json).delete(); return null; } catch (e) { return e; } };
    const cases = {
      array: refusal('[1, 2]'),
      layers: refusal(JSON.stringify({ ...scene, layers: 'x' })),
      title: refusal(JSON.stringify({ ...scene, title: 7 })),
      data: refusal(JSON.stringify({ ...scene, input: { ...scene.input, data: ['a', ...scene.input.data.slice(1)] } })),
    };
    return Object.fromEntries(Object.entries(cases).map(([k, e]) => [k, { en: wordError(e, 'en'), zh: wordError(e, 'zh') }]));
  });
  assert.equal(w.array.en, 'the scene must be an object ({ … }), not a list ([ … ])');
  assert.equal(w.array.zh, '场景必须是一个对象（{ … }），而不是一个列表（[ … ]）');
  assert.equal(w.layers.en, 'the layers must be a list ([ … ]), not text in quotes');
  assert.equal(w.title.en, 'title must be text in quotes, not a number');
  assert.match(w.data.en, /^value 1 of the data /);
  assert.match(w.data.zh, /^数据的第 1 个值/);
  for (const { zh } of Object.values(w)) assert.doesNotMatch(zh.replace(/title/, ''), LATIN_WORD, zh);
  await page.context().close();
});

test('in Chinese, kernel size 9 on the 6x6 input reads fully in Chinese, naming the card and the setting', async () => {
  const page = await h.open();
  await page.goto(`${h.server.url}?lang=zh`);
  await page.waitForSelector('body[data-ready="true"]');
  const ks = page.getByTestId('setting-0-kernel_size');
  await ks.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('9');
  await page.keyboard.press('Enter');
  const msg = (await page.getByTestId('layer-error-0').textContent()).trim();
  assert.match(msg, /“1\. 卷积”/, 'the card as it is titled');
  assert.match(msg, /卷积核大小 9×9/, "the setting's label and the value typed");
  assert.match(msg, /6×6/, 'the padded input it was compared with');
  assert.doesNotMatch(msg, LATIN_WORD, `no English left: ${msg}`);
  const reason = await ks.getAttribute('title');
  assert.doesNotMatch(reason, LATIN_WORD, `the field's own reason is Chinese too: ${reason}`);
  // and Step says why it waits, in Chinese too
  assert.equal(await page.getByTestId('btn-step').isDisabled(), true);
  assert.doesNotMatch(await page.getByTestId('train-blocked').textContent(), LATIN_WORD);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
