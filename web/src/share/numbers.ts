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
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
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
