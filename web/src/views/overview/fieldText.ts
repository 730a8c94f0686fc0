// A registry field's value (LayerFieldInfo: int, number, pair, padding) as the text of an input
// box and back. Limits are the core's to check; here only the form of the text.
import { parseNumber } from '../../format';
import type { LayerFieldInfo } from '../../wasm/cnnlens.mjs';

/** The text shown for a value; '' for a field left out (the box's placeholder shows the default). */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** How many numbers a field takes in one box: pairs 1 or 2 ([h, w]), paddings 1, 2 or 4 ([top, left, bottom, right]). */
const COUNTS: Record<string, number[]> = { int: [1], number: [1], pair: [1, 2], padding: [1, 2, 4] };

/**
 * The value typed for a field: undefined for an empty box (the default; null when the field is
 * required), NaN when the text is not of the field's form.
 */
export function parseField(field: LayerFieldInfo, text: string): unknown {
  const t = text.trim();
  if (t === '') return field.required ? null : undefined;
  const parts = t.split(/[\s,;x×]+/).filter(Boolean).map(parseNumber);
  const counts = COUNTS[field.type] ?? [1];
  const whole = field.type !== 'number';
  if (!counts.includes(parts.length) || parts.some((v) => Number.isNaN(v) || (whole && !Number.isInteger(v)))) return NaN;
  return parts.length === 1 ? parts[0] : parts;
}
