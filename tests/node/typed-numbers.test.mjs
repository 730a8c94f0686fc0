// What a person types into a cell or a setting (web/src/format.ts): the Unicode minus and a
// decimal comma are read; a comma before groups of three digits ("1,000": a thousand in English,
// one in much of Europe) is refused rather than guessed; a value a float32 cell would hold as 0
// or as infinity is refused with its reason.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript } from './support.mjs';

let format;
before(async () => { format = await importTypeScript('web/src/format.ts'); });

test('numbers as people type them', () => {
  const { parseNumber } = format;
  for (const [text, value] of [['3', 3], [' -2.5 ', -2.5], ['\u22120.75', -0.75], ['1,5', 1.5], ['0,125', 0.125], ['-0,5', -0.5],
    ['1e-3', 0.001], ['.5', 0.5], ['1000', 1000], ['12,5', 12.5], ['1234,5', 1234.5]]) {
    assert.equal(parseNumber(text), value, text);
  }
  for (const text of ['', 'abc', '1,000', '-12,500', '1,000,000', '\u22121,250', '1.2.3', '0x10', 'NaN', 'Infinity']) {
    assert.ok(Number.isNaN(parseNumber(text)), `${text} is refused`);
  }
});

test('a cell refuses what float32 would hold as something else, each with its reason', () => {
  const { checkCellText } = format;
  const reasons = { notNumber: (t) => `not a number: ${t}`, tooLarge: (t) => `too large: ${t}`, tooSmall: (t) => `too small: ${t}` };
  assert.deepEqual(checkCellText('0,5', reasons), { ok: true, value: 0.5 });
  assert.deepEqual(checkCellText('1e-45', reasons), { ok: true, value: 1e-45 }, 'a float32 subnormal is kept');
  assert.deepEqual(checkCellText('0', reasons), { ok: true, value: 0 });
  assert.deepEqual(checkCellText('1e-50', reasons), { ok: false, reason: 'too small: 1e-50' });
  assert.deepEqual(checkCellText('-1e-46', reasons), { ok: false, reason: 'too small: -1e-46' });
  assert.deepEqual(checkCellText('1e39', reasons), { ok: false, reason: 'too large: 1e39' });
  assert.deepEqual(checkCellText('1,000', reasons), { ok: false, reason: 'not a number: 1,000' });
});
