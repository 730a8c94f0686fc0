// 10,000 mutated and truncated ONNX files through the wasm ONNX module: each must import (as a
// scene the main module then reads or refuses with a coded Error) or throw an Error with an
// onnx_ code and a message; no abort, no call over a second, the heap flat, and the module still
// imports the fixtures correctly afterwards. Deterministic: a failure names its run, and
// ONNX_FUZZ_DUMP=<run> writes that run's file to the temporary folder to replay it natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModule, loadOnnxModule, root, seededRandom } from './support.mjs';

const RUNS = 10_000;
const folder = join(root, 'tests/fixtures/onnx');
const seeds = readdirSync(folder).filter((f) => f.endsWith('.onnx')).sort()
  .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(folder, f))) }));

// Bytes that matter to protobuf: varint continuation, zero, all ones, small tags and lengths.
const interesting = [0x00, 0x01, 0x02, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x3a, 0x7f, 0x80, 0xff];

/** One mutation of `bytes`; returns [name, mutated bytes]. */
function mutate(rand, bytes, other) {
  const n = bytes.length;
  const at = () => Math.floor(rand() * n);
  const out = bytes.slice();
  switch (Math.floor(rand() * 7)) {
    case 0: return ['truncate', bytes.slice(0, at())];
    case 1: {
      const flips = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < flips; k++) out[at()] = Math.floor(rand() * 256);
      return ['random bytes', out];
    }
    case 2: {
      for (let k = 0; k < 3; k++) out[at()] = interesting[Math.floor(rand() * interesting.length)];
      return ['protobuf bytes', out];
    }
    case 3: {
      const from = at();
      return ['delete a range', new Uint8Array([...bytes.subarray(0, from), ...bytes.subarray(Math.min(n, from + 1 + Math.floor(rand() * 64)))])];
    }
    case 4: {
      const from = at();
      const piece = bytes.subarray(from, Math.min(n, from + 1 + Math.floor(rand() * 64)));
      const to = at();
      return ['duplicate a range', new Uint8Array([...bytes.subarray(0, to), ...piece, ...bytes.subarray(to)])];
    }
    case 5: {
      const cut = at();
      return ['splice two files', new Uint8Array([...bytes.subarray(0, cut), ...other.subarray(Math.floor(rand() * other.length))])];
    }
    default: {
      const k = at();
      out[k] ^= 1 << Math.floor(rand() * 8);
      return ['bit flip', out];
    }
  }
}

test(`${RUNS.toLocaleString('en')} mutated and truncated ONNX files: each imports or throws a coded Error; heap flat; the module still works`, async () => {
  const [lens, onnx] = await Promise.all([loadModule(), loadOnnxModule()]);
  const rand = seededRandom(20261129);
  const outcomes = new Map();
  const count = (key) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  let slowest = 0;
  // warm up (the first calls grow the heap to its working size)
  for (const s of seeds) { try { onnx.importOnnx(s.bytes); } catch { /* channels_last */ } }
  const heapBefore = onnx.heapInUse();
  const started = performance.now();
  for (let run = 0; run < RUNS; run++) {
    const seed = seeds[Math.floor(rand() * seeds.length)];
    let [how, bytes] = mutate(rand, seed.bytes, seeds[Math.floor(rand() * seeds.length)].bytes);
    if (rand() < 0.3) [, bytes] = mutate(rand, bytes, seed.bytes); // sometimes two mutations
    const label = `run ${run} (${seed.name}, ${how}, ${bytes.length} bytes)`;
    if (process.env.ONNX_FUZZ_DUMP && Number(process.env.ONNX_FUZZ_DUMP) === run) writeFileSync(join(tmpdir(), `onnx-fuzz-${run}.onnx`), bytes);
    const t0 = performance.now();
    let json = null;
    try {
      json = onnx.importOnnx(bytes);
    } catch (e) {
      assert.ok(e instanceof Error, `${label}: threw a non-Error ${String(e)}`);
      assert.equal(typeof e.code, 'string', `${label}: no code (${e.message})`);
      assert.notEqual(e.code, 'internal', `${label}: internal error: ${e.message}`);
      assert.ok(e.message.length > 0, `${label}: empty message`);
      assert.equal(e.details.code, e.code, `${label}: details`);
      count(e.code);
    }
    slowest = Math.max(slowest, performance.now() - t0);
    if (json !== null) {
      const scene = JSON.parse(json);
      assert.ok(Array.isArray(scene.nodes), `${label}: a scene`);
      count('imported');
      // the main module reads the scene (or refuses it with a coded Error: a size limit, say)
      if (json.length < 200_000) {
        try {
          new lens.Model(json).delete();
        } catch (e) {
          assert.ok(e instanceof Error && typeof e.code === 'string' && e.code !== 'internal', `${label}: Model: ${e.message}`);
          count(`model refused: ${e.code}`);
        }
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const heapAfter = onnx.heapInUse();
  console.log(`[onnx fuzz] ${RUNS} files in ${seconds.toFixed(1)} s, slowest ${slowest.toFixed(0)} ms, heap ${heapBefore} -> ${heapAfter} bytes`);
  console.log(`[onnx fuzz] outcomes: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  assert.ok(slowest < 1000, `a single import took ${slowest} ms`);
  assert.ok(heapAfter <= heapBefore + 256, `heap in use grew from ${heapBefore} to ${heapAfter} bytes`);
  assert.ok((outcomes.get('imported') ?? 0) > 100, 'some mutations still import (the mutations are not all fatal)');
  assert.ok((outcomes.get('onnx_malformed') ?? 0) > 1000, 'most truncations are malformed files');
  // the module still works
  const lenet = JSON.parse(readFileSync(join(folder, 'lenet5.json'), 'utf8'));
  assert.deepEqual(JSON.parse(onnx.importOnnx(seeds.find((s) => s.name === 'lenet5.onnx').bytes)).nodes.map((n) => n.type), lenet.kinds);
});
