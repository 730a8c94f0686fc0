// Throws 10,000 random and mutated scenes (version 1 and version-2 graphs, with graph surgery:
// nodes dropped, inserted and rewired), and random call sequences, at the wasm module: it must
// never abort, every failure must be an Error with a message, and the heap must not grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classicScene, loadModule, referenceFixtures, root, seededRandom } from './support.mjs';

/** The version-2 scenes of the graph fixtures: batches, branches, every kind they use. */
function graphScenes() {
  const folder = join(root, 'tests/fixtures/graph');
  return readdirSync(folder).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')).scene);
}

const nodeTemplates = [{ type: 'flatten' }, { type: 'relu' }, { type: 'softmax' }, { type: 'dense', out_features: 3 },
  { type: 'conv2d', out_channels: 2, kernel_size: 2, groups: 2 }, { type: 'maxpool2d', kernel_size: 2, ceil_mode: true },
  { type: 'add' }, { type: 'concat' }, { type: 'batchnorm2d' }, { type: 'dropout', p: 0.5 }, { type: 'global_avgpool2d' },
  { type: 'conv_transpose2d', out_channels: 2, kernel_size: 2, stride: 2 }, { type: 'pad2d', padding: 1, mode: 'reflect' },
  { type: 'gelu' }, { type: 'prelu' }];

const junkValues = [null, true, 'x', '', [], {}, [[[]]], -1, 0, 1, 2, 3, 7, 513, 1e9, -1e9, 0.5, 1e38, -0,
  2 ** 31, { type: 'relu' }, [1, 2], [0, 0]];

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

/** Every (object, key) slot of a JSON value, so a mutation can hit any depth. */
function slots(value, out = []) {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      slots(value[key], out);
    }
  }
  return out;
}

function mutateScene(rand, scene) {
  const copy = structuredClone(scene);
  const mutations = 1 + Math.floor(rand() * 3);
  for (let m = 0; m < mutations; m++) {
    const all = slots(copy);
    const [holder, key] = pick(rand, all);
    const r = rand();
    if (r < 0.35) holder[key] = pick(rand, junkValues);
    else if (r < 0.5) delete holder[key];
    else if (r < 0.6) holder[`extra_${key}`] = 1;
    else if (r < 0.75 && Array.isArray(copy.nodes)) {
      // Graph surgery: drop a node, insert one (fresh id, random wiring), or rewire one.
      const nodes = copy.nodes;
      const i = Math.floor(rand() * nodes.length);
      const ids = ['input', ...nodes.map((n) => n && n.id)];
      const s = rand();
      if (s < 0.3) nodes.splice(i, 1);
      else if (s < 0.7) {
        const fresh = { ...structuredClone(pick(rand, nodeTemplates)), id: `fz${m}_${i}` };
        if (rand() < 0.5) fresh.inputs = [pick(rand, ids), pick(rand, ids)].slice(0, 1 + Math.floor(rand() * 2));
        nodes.splice(i, 0, fresh);
      } else if (nodes[i] && typeof nodes[i] === 'object') nodes[i].inputs = [pick(rand, [...ids, 'nowhere', nodes[i].id])];
    } else if (r < 0.75 && Array.isArray(copy.layers)) {
      const layers = copy.layers;
      const i = Math.floor(rand() * layers.length);
      if (rand() < 0.5) layers.splice(i, 1);
      else layers.splice(i, 0, structuredClone(pick(rand, [{ type: 'flatten' }, { type: 'relu' }, { type: 'softmax' },
        { type: 'dense', out_features: 3 }, { type: 'conv2d', out_channels: 2, kernel_size: 2 },
        { type: 'maxpool2d', kernel_size: 2 }])));
    } else if (typeof holder[key] === 'number') holder[key] = holder[key] * pick(rand, [-1, 0, 2, 1e6, 0.5]);
  }
  return copy;
}

function textJunk(rand, text) {
  const r = rand();
  if (r < 0.3) return text.slice(0, Math.floor(rand() * text.length)); // truncated
  if (r < 0.5) return '['.repeat(1 + Math.floor(rand() * 5000)); // deep nesting
  if (r < 0.6) return text.replace(/\d/, pick(rand, ['1e999', 'NaN', '-', '0x10', 'Infinity']));
  const bytes = Array.from({ length: Math.floor(rand() * 64) }, () => String.fromCharCode(Math.floor(rand() * 256)));
  return bytes.join('');
}

function assertError(e, context) {
  assert.ok(e instanceof Error, `${context}: threw a non-Error ${String(e)}`);
  assert.ok(typeof e.message === 'string' && e.message.length > 0, `${context}: an Error without a message`);
}

/** A random call sequence on a model that loaded; every throw must be a proper Error. */
function randomCalls(rand, model, context) {
  const calls = [
    () => model.step(),
    () => model.train(Math.floor(rand() * 3)),
    () => model.setInputCell(Math.floor(rand() * 3) - 1, Math.floor(rand() * 9) - 1, Math.floor(rand() * 9) - 1, pick(rand, [0, 1, -2, NaN, Infinity, 1e30])),
    () => model.setParamElement(Math.floor(rand() * 6) - 1, pick(rand, ['weight', 'bias', 'x']), Math.floor(rand() * 40) - 2, pick(rand, [0.5, NaN, -3])),
    () => model.setParam(Math.floor(rand() * 5), pick(rand, ['weight', 'bias']), pick(rand, [[1, 2], [], 'x', new Float32Array(8)])),
    () => model.setTarget(pick(rand, ['[1, 0]', '0', '2', '[1', '{}', '[NaN]', '-1', '[1e999, 0]'])),
    () => model.setOptimizer(pick(rand, ['{"type":"adam","lr":0.01}', '{"type":"sgd","lr":1e9}', '{"type":"sgd","momentum":0.9}', 'null', '{'])),
    () => model.view(Math.floor(rand() * 6) - 1, pick(rand, ['output', 'weight.grad', 'argmax', 'nothing'])),
    () => model.explainConv(Math.floor(rand() * 3), 0, Math.floor(rand() * 5) - 1, Math.floor(rand() * 5) - 1),
    () => model.explainPool(Math.floor(rand() * 3), 0, Math.floor(rand() * 3), Math.floor(rand() * 3)),
    () => model.explainConvWeightGrad(0, 0, 0, Math.floor(rand() * 4), Math.floor(rand() * 4)),
    () => model.explainConvInputGrad(0, 0, Math.floor(rand() * 7) - 1, 0),
    () => model.trace(),
    () => model.toJSON(),
    () => model.nodeTensors(pick(rand, [...model.nodeIds(), 'nope', ''])),
    () => model.nodeView(pick(rand, model.nodeIds()), pick(rand, ['output', 'grad_output', 'weight', 'running_mean', 'mask', 'x'])),
    () => model.setNodeParam(pick(rand, model.nodeIds()), pick(rand, ['weight', 'bias', 'x']), pick(rand, [[1, 2], [], new Float32Array(4)])),
    () => model.losses(),
    () => model.trainBatch(new Float32Array(Math.floor(rand() * 3) * 36 + pick(rand, [0, 1])), new Int32Array([0, 1])),
    () => model.predict(new Float32Array(pick(rand, [0, 36, 72]))),
    () => model.evaluate(new Float32Array(pick(rand, [36, 72])), pick(rand, [undefined, new Int32Array([0, 9])])),
  ];
  for (let k = 0; k < 6; k++) {
    try {
      pick(rand, calls)();
    } catch (e) {
      assertError(e, context);
    }
  }
  // Whatever happened, the model still describes a loadable scene.
  const again = new model.constructor(model.toJSON());
  again.delete();
}

test('10,000 random and mutated scenes with random calls: only Errors, no abort, no leak', async () => {
  const lens = await loadModule();
  const bases = [JSON.parse(classicScene()), ...referenceFixtures().map((f) => f.scene), ...graphScenes(), ...graphScenes()];
  const rand = seededRandom(20261127);
  let loaded = 0;
  let rejected = 0;
  // Warm up the allocator with one full pass before measuring.
  new lens.Model(classicScene()).delete();
  const before = lens.heapInUse();
  for (let k = 0; k < 10_000; k++) {
    const base = pick(rand, bases);
    const text = rand() < 0.8 ? JSON.stringify(mutateScene(rand, base)) : textJunk(rand, JSON.stringify(base));
    let model;
    try {
      model = new lens.Model(text);
    } catch (e) {
      assertError(e, `case ${k}`);
      rejected++;
      continue;
    }
    loaded++;
    try {
      randomCalls(rand, model, `case ${k}`);
    } finally {
      model.delete();
    }
  }
  assert.ok(loaded > 500 && rejected > 500, `both paths exercised: ${loaded} loaded, ${rejected} rejected`);
  const grown = lens.heapInUse() - before;
  assert.ok(grown <= 4096, `heap in use grew by ${grown} bytes`);
  console.log(`# fuzz: 10000 scenes, ${loaded} loaded, ${rejected} rejected, heap growth ${grown} bytes`);
});
