// The page's weights as the training worker exchanges them (protocol.ts ParamSet), shared by the
// data-set dashboards (digits.ts) and "Teach it your classes" (teach/dashboard.ts): both send
// the page's edits to the worker only when the weights differ from what they last agreed on.
import type { ModelReader } from '../engine';
import type { ParamSet } from './protocol';

/** Every layer's weight and bias, copied out of the page's model. */
export function currentParams(m: ModelReader): ParamSet[] {
  const out: ParamSet[] = [];
  for (let i = 0; i < m.layerCount(); i++) {
    if (m.layerTensors(i).some((t) => t.name === 'weight')) out.push({ layer: i, weight: m.copy(i, 'weight'), bias: m.copy(i, 'bias') });
  }
  return out;
}

/** Whether two sets hold the same values, layer by layer. */
export function sameParams(a: readonly ParamSet[], b: readonly ParamSet[]): boolean {
  return a.length === b.length && a.every((p, i) => sameValues(p.weight, b[i].weight) && sameValues(p.bias, b[i].bias));
}

/** Whether two arrays hold the same values (the controller's check of weights trained elsewhere uses it too). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
