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

/** For tight cells: two significant digits. */
export function fmtShort(v: number): string {
  return fmt(v, 2);
}

/** Values inside a formula: negatives in parentheses, "(−1)×0". */
export function fmtTerm(v: number): string {
  const s = fmt(v);
  return s.startsWith(MINUS) ? `(${s})` : s;
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Parses what a person types: accepts the Unicode minus and a comma decimal separator. */
export function parseNumber(text: string): number {
  const t = text.trim().replace(/\u2212/g, '-').replace(',', '.');
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

export function fmtShape(shape: readonly number[]): string {
  return shape.join('×');
}
