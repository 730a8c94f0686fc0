// Exact, short text for float32 numbers. Every tensor of the core is float32; toJSON() writes
// each as the double it equals (0.9701387286186218). The shortest decimal that rounds back to
// the same float32 (0.97013873) is what share links, saved scenes and exported code use: it
// parses (text -> double -> float32, exactly as the core and PyTorch do) to the identical bits.
// Pure module: no imports, so Node tests can load it after a plain TypeScript transpile.

/** Shortest decimal text that reads back as the same float32; integers stay integers. */
export function f32Text(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  if (f !== v) return String(v); // not a float32 value: keep every digit
  // Fewest significant digits that read back as f: 9 always do, and more digits never read back
  // worse (a p-digit decimal is also a (p+1)-digit one), so search 1..9 by halves. Saving a scene
  // of thousands of weights stays well under a frame.
  let lo = 1, hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(f.toPrecision(lo)));
}

/** JSON text of any value with every number written by f32Text (keys keep their order). */
export function compactJson(value: unknown): string {
  if (typeof value === 'number') return f32Text(value);
  if (Array.isArray(value)) return `[${value.map(compactJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${compactJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A scene JSON text (e.g. Model.toJSON()) rewritten with short exact numbers. */
export function compactScene(sceneJson: string): string {
  return compactJson(JSON.parse(sceneJson));
}
