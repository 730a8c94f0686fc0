// The page's seeded generator (web/src/random.ts: epoch orders, inputs filled from a seed) and the
// tools' and tests' one (tools/lib/mulberry32.mjs: the shipped data subsets, random test scenes)
// are two copies of mulberry32, as the page cannot import from tools/: they must give the same
// numbers, or a subset's order and a page's would part without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript } from './support.mjs';
import { mulberry32 as toolsMulberry32 } from '../../tools/lib/mulberry32.mjs';

test('random: the page and the tools draw the same mulberry32 sequence from a seed', async () => {
  const { mulberry32 } = await importTypeScript('web/src/random.ts');
  for (const seed of [0, 1, 42, 0x9e3779b9, 2 ** 32 - 1]) {
    const page = mulberry32(seed);
    const tools = toolsMulberry32(seed);
    const a = Array.from({ length: 1000 }, page);
    assert.deepEqual(a, Array.from({ length: 1000 }, tools), `seed ${seed}`);
    assert.ok(a.every((x) => x >= 0 && x < 1), 'in [0, 1)');
  }
  // pinned: a change made to both copies alike would reorder the shipped data subsets
  assert.equal(Math.round(toolsMulberry32(42)() * 2 ** 32), 2581720956);
});
