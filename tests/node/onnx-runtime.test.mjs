// CNN Lens against onnxruntime (onnxruntime-node, test-only): (a) every fixture model of
// tests/fixtures/onnx, run by onnxruntime as it is, gives the output the core computes for its
// import (train-mode batch norm included: run unoptimised, see below); (b) after import and SGD steps, the trained model exported in eval mode and run by
// onnxruntime gives the core's output; (c) the examples and the graph fixtures, exported by
// exportOnnx, give in onnxruntime what the core's forward gives. Prints the worst differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { assertClose, loadModule, loadOnnxModule, root } from './support.mjs';

const onnxFolder = join(root, 'tests/fixtures/onnx');
const fixtures = readdirSync(onnxFolder).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(onnxFolder, f), 'utf8')));

const abs = 1e-5;
const rel = 1e-4;

/** Runs ONNX bytes in onnxruntime on one input; returns the first output's dims and data. */
async function runOrt(bytes, shape, data, options = {}) {
  const session = await ort.InferenceSession.create(bytes, options);
  try {
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(data), shape) };
    const out = (await session.run(feeds))[session.outputNames[0]];
    return { shape: Array.from(out.dims, Number), data: Array.from(out.data) };
  } finally {
    await session.release();
  }
}

/** The core's output (last node) for a scene, and the scene as the core fills it in. */
function coreForward(lens, sceneJson) {
  const model = new lens.Model(sceneJson);
  try {
    const ids = model.nodeIds();
    const last = ids.at(-1);
    const info = model.nodeTensors(last).find((t) => t.name === 'output');
    return { shape: info.shape, data: Array.from(model.nodeCopy(last, 'output')), json: model.toJSON(),
      input: { shape: model.nodeTensors(ids[0]).find((t) => t.name === 'input').shape, data: Array.from(model.inputView()) } };
  } finally {
    model.delete();
  }
}

function worstDiff(a, b) {
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  return worst;
}

const worst = {};
function compare(label, ours, theirs) {
  assert.deepEqual(theirs.shape, ours.shape, `${label}: output shape`);
  assertClose(ours.data, theirs.data, `${label}: output`, abs, rel);
  worst[label] = worstDiff(ours.data, theirs.data);
}

for (const fixture of fixtures.filter((f) => f.initial)) {
  test(`onnxruntime runs the fixture file and gives the core's output for its import: ${fixture.name}`, async () => {
    const [lens, onnx] = await Promise.all([loadModule(), loadOnnxModule()]);
    const bytes = readFileSync(join(onnxFolder, fixture.model));
    const scene = JSON.parse(onnx.importOnnx(bytes));
    scene.input = fixture.input;
    // onnxruntime's graph optimiser fuses Conv + BatchNormalization with the running statistics
    // even where training_mode = 1, so the files are run as written, unoptimised
    const theirs = await runOrt(bytes, fixture.input.shape, fixture.input.data, { graphOptimizationLevel: 'disabled' });
    compare(`${fixture.name} (file, ${scene.mode})`, coreForward(lens, JSON.stringify(scene)), theirs);
    if (scene.mode === 'train') {
      const fused = await runOrt(bytes, fixture.input.shape, fixture.input.data);
      assert.ok(worstDiff(fused.data, theirs.data) > 1e-3, `${fixture.name}: the fusion changes a train-mode output (if not, drop the option)`);
    }
  });

  test(`import, ${fixture.steps} SGD steps, export in eval mode: onnxruntime gives the core's output: ${fixture.name}`, async () => {
    const [lens, onnx] = await Promise.all([loadModule(), loadOnnxModule()]);
    const scene = JSON.parse(onnx.importOnnx(readFileSync(join(onnxFolder, fixture.model))));
    Object.assign(scene, { input: fixture.input, loss: fixture.loss, target: fixture.target, optimizer: fixture.optimizer });
    const model = new lens.Model(JSON.stringify(scene));
    let trained;
    try {
      model.train(fixture.steps);
      trained = JSON.parse(model.toJSON());
    } finally {
      model.delete();
    }
    trained.mode = 'eval';
    const ours = coreForward(lens, JSON.stringify(trained));
    const theirs = await runOrt(onnx.exportOnnx(ours.json), fixture.input.shape, fixture.input.data);
    compare(`${fixture.name} (trained, exported, eval)`, ours, theirs);
    // the steps moved the weights: the trained output is not the file's
    const before = await runOrt(readFileSync(join(onnxFolder, fixture.model)), fixture.input.shape, fixture.input.data);
    assert.ok(worstDiff(before.data, theirs.data) > 1e-4, `${fixture.name}: training changed the exported output`);
  });
}

/** Examples and graph fixtures: [label, scene JSON] in eval mode. */
function exportableScenes() {
  const out = [];
  for (const f of readdirSync(join(root, 'examples')).filter((n) => n.endsWith('.json')).sort()) {
    out.push([`examples/${f}`, readFileSync(join(root, 'examples', f), 'utf8')]);
  }
  const graph = join(root, 'tests/fixtures/graph');
  for (const f of readdirSync(graph).filter((n) => n.endsWith('.json')).sort()) {
    const scene = JSON.parse(readFileSync(join(graph, f), 'utf8')).scene;
    scene.mode = 'eval'; // dropout is the identity; batch norm uses its running statistics, as onnxruntime does
    out.push([`graph/${f}`, JSON.stringify(scene)]);
  }
  return out;
}

test('examples and graph fixtures exported by exportOnnx give the core\'s output in onnxruntime', async () => {
  const [lens, onnx] = await Promise.all([loadModule(), loadOnnxModule()]);
  let exported = 0;
  const refused = [];
  const scenes = exportableScenes();
  for (const [label, json] of scenes) {
    const ours = coreForward(lens, json);
    let bytes;
    try {
      bytes = onnx.exportOnnx(ours.json);
    } catch (e) {
      assert.equal(e.code, 'onnx_export_unsupported', `${label}: ${e.message}`);
      refused.push(label);
      continue;
    }
    // node tensors are batch-first, also for version-1 scenes (a batch of 1), as ONNX's are
    compare(`${label} (exported)`, ours, await runOrt(bytes, ours.input.shape, ours.input.data));
    exported++;
  }
  assert.deepEqual(refused, ['graph/chain_batch3_groups_padding_modes.json'], 'only circular padding is refused');
  assert.equal(exported, scenes.length - 1, 'every other example and graph fixture is exported and runs');
  assert.ok(exported >= 18, `${exported} scenes exported (10 examples and 8 graph fixtures at least)`);
});

test('worst differences from onnxruntime', () => {
  for (const [label, diff] of Object.entries(worst)) console.log(`[onnxruntime] ${label}: worst |diff| ${diff.toExponential(1)}`);
  assert.ok(Object.keys(worst).length >= 10);
});
