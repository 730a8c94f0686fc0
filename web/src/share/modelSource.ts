// Where the open scene came from when it was opened from an address (`?model=URL` or a hosted
// example), so a share link can carry the address instead of the weights, and autosave can fall
// back to the address when the weights are too large to keep. Remembered as the address plus two
// fingerprints of the scene as opened: of all of it (is it still the same?) and of its structure
// with every number left out (is it that model, edited or trained, or another network?).

export interface ModelSource { url: string; scene: string; shape: string }

let current: ModelSource | null = null;

/** A 53-bit string hash (two 32-bit multiply-xorshift lanes), as 14 hex digits. */
export function fingerprint(text: string): string {
  let a = 0x9e3779b9 ^ text.length;
  let b = 0x85ebca6b;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x27d4eb2d);
    b = Math.imul(b ^ c, 0x165667b1);
  }
  a = Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) ^ Math.imul(b ^ (b >>> 13), 0x297a2d39);
  b = Math.imul(b ^ (b >>> 16), 0x5bd1e995) ^ Math.imul(a ^ (a >>> 13), 0x1b873593);
  return ((b >>> 0) & 0x1fffff).toString(16).padStart(6, '0') + (a >>> 0).toString(16).padStart(8, '0');
}

/** The scene with every number as 0 and every list of numbers as its length: its structure. */
function structure(sceneJson: string): string {
  return fingerprint(JSON.stringify(JSON.parse(sceneJson), (_k, v: unknown) => {
    if (typeof v === 'number') return 0;
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v.length;
    return v;
  }));
}

/** Remembers that `sceneJson` (the core's text of the opened scene) came from `url`. */
export function setModelSource(url: string, sceneJson: string): void {
  current = { url, scene: fingerprint(sceneJson), shape: structure(sceneJson) };
}

/** Forgets the address (another file was opened). */
export function clearModelSource(): void {
  current = null;
}

/** Takes back a remembered source (saved work); ignores anything malformed. */
export function restoreModelSource(saved: unknown): void {
  const s = saved as Partial<ModelSource> | null | undefined;
  current = s && typeof s.url === 'string' && typeof s.scene === 'string' && typeof s.shape === 'string' ? { url: s.url, scene: s.scene, shape: s.shape } : null;
}

export function modelSource(): ModelSource | null {
  return current;
}

/**
 * How the scene relates to the remembered address: 'same' (as opened), 'edited' (the same
 * network with other numbers or settings: edits, training), or null (no address, an example is
 * open, or another network: layers were added). An opened model is always the page's own scene
 * (preset 'custom'), never an example.
 */
export function sourceOf(sceneJson: string, presetId: string): { url: string; state: 'same' | 'edited' } | null {
  if (!current || presetId !== 'custom') return null;
  if (fingerprint(sceneJson) === current.scene) return { url: current.url, state: 'same' };
  try {
    return structure(sceneJson) === current.shape ? { url: current.url, state: 'edited' } : null;
  } catch {
    return null;
  }
}
