// A scene text that is not JSON, as the reader is told of it: the core's JSON reader gives the
// line and column of a syntax error and names a number beyond any float (1e999, which JSON.parse
// in the browser reads as Infinity without a word), and the page's wording (errorWords.ts,
// errorWordsZh.ts) passes both on in English and in Chinese.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript, loadModule } from './support.mjs';

let lens, errorWords, zhErrorWords;
before(async () => {
  lens = await loadModule();
  ({ errorWords } = await importTypeScript('web/src/i18n/errorWords.ts'));
  ({ zhErrorWords } = await importTypeScript('web/src/i18n/errorWordsZh.ts'));
});

/** The core's error for `text` as a scene, worded in both languages. */
function worded(text) {
  let error = null;
  try { new lens.Model(text).delete(); } catch (e) { error = e; }
  assert.ok(error, 'the core refuses it');
  assert.equal(error.code, 'not_json');
  const facts = { d: error.details, field: '' };
  return { en: errorWords.not_json(facts), zh: zhErrorWords.not_json(facts) };
}

test('json errors: a syntax error is placed by line and column', () => {
  const { en, zh } = worded('{\n  "input": {"shape": [1, 2, 2], "data": [1, 2, 3, x]}\n}');
  assert.equal(en, 'the text is not valid JSON (line 2, column 51), so it is not a scene');
  assert.equal(zh, '这段文字不是有效的 JSON（第 2 行第 51 列），所以不是场景');
});

test('json errors: a text cut short is placed at its end', () => {
  assert.match(worded('{"input": ').en, /^the text is not valid JSON \(line 1, column 11\)/);
  assert.match(worded('').en, /\(line 1, column 1\)/);
});

test('json errors: a number beyond any float is named, not called broken JSON', () => {
  assert.equal(JSON.parse('{"a": 1e999}').a, Infinity, 'the browser reads it without a word');
  const { en, zh } = worded('{"input": {"shape": [1, 1, 2], "data": [1, -1e999]}}');
  assert.equal(en, 'the number -1e999 is too large for a 32-bit float (at most about 3.4e38)');
  assert.match(zh, /^数 -1e999 超出了 32 位浮点数的范围/);
});

test('json errors: a reason in another form still gives the plain wording', () => {
  assert.equal(errorWords.not_json({ d: {}, field: '' }), 'the text is not valid JSON, so it is not a scene');
  assert.equal(zhErrorWords.not_json({ d: { reason: 42 }, field: '' }), '这段文字不是有效的 JSON，所以不是场景');
});
