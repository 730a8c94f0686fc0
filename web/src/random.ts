// Seeded random numbers for what must come out the same every time (an epoch's sample order, an
// input filled from a scene's seed). No imports: tests/node loads it as it is.

/** A generator of numbers in [0, 1) from a 32-bit seed (mulberry32): the same seed, the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
