// Model.optimizerState / setOptimizerState through the wasm module: a model rebuilt from its
// scene and given the saved state trains on exactly as the original (Adam's t and moments);
// a state of other parameters is refused with its code and changes nothing. Module.errorCodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { classicScene, loadModule } from './support.mjs';

function params(m) {
  const out = [];
  for (let i = 0; i < m.layerCount(); i++) for (const t of m.layerTensors(i)) if (t.name === 'weight' || t.name === 'bias') out.push(...m.copy(i, t.name));
  return out;
}

function adamModel(M) {
  const m = new M.Model(classicScene());
  m.setOptimizer(JSON.stringify({ type: 'adam', lr: 0.01 }));
  return m;
}

test('a rebuilt model given the saved state continues exactly as the original', async () => {
  const M = await loadModule();
  const a = adamModel(M);
  a.train(3);
  const saved = a.optimizerState();
  assert.equal(saved.steps, 3);
  assert.equal(saved.lossHistory.length, 3);
  const adam = saved.params.find((p) => p.velocity);
  assert.ok(adam, 'Adam keeps a second moment');
  assert.ok(adam.node && adam.name, 'each state names its node and parameter');
  assert.ok(adam.velocity instanceof Float32Array);

  const b = new M.Model(a.toJSON());
  const fresh = new M.Model(a.toJSON());
  b.setOptimizerState(saved);
  assert.equal(b.stepsTaken(), 3);
  assert.deepEqual([...b.lossHistory()], [...a.lossHistory()]);
  const la = a.train(2), lb = b.train(2);
  fresh.train(2);
  assert.deepEqual([...lb], [...la]);
  assert.deepEqual(params(b), params(a));
  assert.notDeepEqual(params(fresh), params(a), 'without the state, Adam restarts and steps differently');
  for (const m of [a, b, fresh]) m.delete();
});

test('a state for other parameters is refused with its code and changes nothing', async () => {
  const M = await loadModule();
  const m = adamModel(M);
  m.train(2);
  const before = m.optimizerState();
  const fewer = { ...before, params: before.params.slice(1) };
  assert.throws(() => m.setOptimizerState(fewer), (e) => e.code === 'optimizer_state_mismatch' && e.details.expected === before.params.length);
  const wrongSize = { ...before, steps: 9, params: before.params.map((p, i) => (i === 0 ? { ...p, velocity: new Float32Array(1) } : p)) };
  assert.throws(() => m.setOptimizerState(wrongSize), (e) => e.code === 'optimizer_state_mismatch' && e.details.layer >= 1);
  assert.equal(m.stepsTaken(), 2, 'unchanged');
  assert.deepEqual([...m.optimizerState().params[0].velocity], [...before.params[0].velocity]);
  m.delete();
});

test('errorCodes lists every code, sorted, including the ones thrown here', async () => {
  const M = await loadModule();
  const codes = M.errorCodes();
  assert.deepEqual(codes, [...codes].sort());
  for (const c of ['kernel_too_large', 'not_json', 'optimizer_state_mismatch', 'internal', 'invalid_scene']) assert.ok(codes.includes(c), c);
  let code = '';
  try { new M.Model('{'); } catch (e) { code = e.code; }
  assert.ok(codes.includes(code), `${code} from a broken scene is listed`);
});

test('a setting outside an open range says which bound is open, so the page can word it ("more than 0")', async () => {
  const M = await loadModule();
  const m = new M.Model(classicScene());
  const refusal = (f) => { try { f(); } catch (e) { return e; } return null; };
  const lr = refusal(() => m.setOptimizer(JSON.stringify({ type: 'sgd', lr: 0 })));
  assert.equal(lr?.code, 'out_of_range');
  assert.deepEqual([lr.details.min, lr.details.max, lr.details.min_open, lr.details.max_open], [0, 100, true, undefined]);
  const beta = refusal(() => m.setOptimizer(JSON.stringify({ type: 'adam', lr: 0.01, beta1: 1 })));
  assert.equal(beta?.code, 'out_of_range');
  assert.equal(beta.details.max_open, true, 'beta1 < 1');
  // a closed range keeps the plain details
  const spf = refusal(() => m.train(2e6));
  assert.equal(spf?.code, 'out_of_range');
  assert.equal(spf.details.min_open, undefined);
  const scene = JSON.parse(readFileSync(new URL('../../examples/depthwise.json', import.meta.url), 'utf8'));
  scene.nodes.splice(1, 0, { id: 'drop', type: 'dropout', p: 1 });
  const p = refusal(() => new M.Model(JSON.stringify(scene)));
  assert.equal(p?.code, 'out_of_range');
  assert.equal(p.details.max_open, true, 'dropout p < 1');
  m.delete();
});
