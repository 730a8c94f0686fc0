// Number formatting shared by matrices and explanations: short, readable, never hiding sign.

const MINUS = '\u2212';

/** Integers as integers, otherwise up to 3 significant digits; tiny/huge in e-notation (1.2e-5). */
export function fmt(v: number, digits = 3): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : `${MINUS}∞`;
  if (v === 0) return '0';
  const a = Math.abs(v);
  let s: string;
  if (Number.isInteger(v) && a < 1e6) s = String(a);
  else if (a < 1e-3 || a >= 1e5) s = a.toExponential(1).replace('e+', 'e').replace(/\.0e/, 'e');
  else s = trimZeros(a.toPrecision(digits));
  if (s === '0') return '0';
  return v < 0 ? MINUS + s : s;
}

/**
 * The most precise text of at most `maxChars` characters (3, 2, then 1 significant digits, then
 * a one-digit exponent, then ≈0 for tiny numbers: −0.00958 → −0.0096 → −0.01), so a number
 * never spills out of its cell. The Explain panel and heatmap readouts give more digits.
 */
export function fmtCell(v: number, maxChars: number): string {
  let text = fmt(v);
  for (const digits of [2, 1]) {
    if (text.length <= maxChars) return text;
    text = fmt(v, digits);
  }
  if (text.length <= maxChars || !Number.isFinite(v)) return text;
  const e = Math.abs(v).toExponential(0).replace('e+', 'e');
  text = v < 0 ? MINUS + e : e;
  // only tiny numbers (−4e-24) are still too long: they read as zero
  return text.length <= maxChars || Math.abs(v) >= 1 ? text : '≈0';
}

/** Values inside a formula: negatives in parentheses, "(−1)×0". */
export function fmtTerm(v: number): string {
  const s = fmt(v);
  return s.startsWith(MINUS) ? `(${s})` : s;
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * "1,000" or "-12,500": a comma before groups of three digits reads as a thousands separator in
 * English and as a decimal comma in much of Europe, so it is refused rather than guessed (it was
 * read as 1). "1,5" and "0,125" are decimals.
 */
export const THOUSANDS_GROUPED = /^[-+\u2212]?[1-9]\d{0,2}(,\d{3})+$/;

/** Parses what a person types: accepts the Unicode minus and a comma decimal separator. */
export function parseNumber(text: string): number {
  if (THOUSANDS_GROUPED.test(text.trim())) return NaN;
  const t = text.trim().replace(/\u2212/g, '-').replace(',', '.');
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

export function fmtShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** The largest magnitude a float32 cell holds; larger typed values would become infinite. */
export const CELL_MAX = 3.4e38;

/** What a person typed into a cell: the number, or why it can't be used (shown beside the cell). */
export function checkCellText(text: string, reasons: { notNumber: (t: string) => string; tooLarge: (t: string) => string; tooSmall: (t: string) => string }):
  { ok: true; value: number } | { ok: false; reason: string } {
  const v = parseNumber(text);
  if (Number.isNaN(v)) return { ok: false, reason: reasons.notNumber(text.trim()) };
  if (!Number.isFinite(v) || Math.abs(v) > CELL_MAX) return { ok: false, reason: reasons.tooLarge(text.trim()) };
  // 1e-50 would become 0 in the cell's float32: said, not done silently
  if (v !== 0 && Math.fround(v) === 0) return { ok: false, reason: reasons.tooSmall(text.trim()) };
  return { ok: true, value: v };
}
