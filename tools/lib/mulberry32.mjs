// mulberry32, the small seeded generator of numbers in [0, 1) used wherever something must come
// out the same on every run: the data subsets the build ships (subset.mjs), the tests' random
// scenes and pictures. The page has its own copy in web/src/random.ts (it cannot import from
// tools/); tests/node/random.test.mjs checks that both give the same sequence.

/** A generator of numbers in [0, 1) from a 32-bit seed: the same seed, the same sequence. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
