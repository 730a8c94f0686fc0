// The graph surface of the wasm module: node ids, batch-first node tensors beside the per-sample
// index calls, the layer-kind registry, structured errors (Error.code and Error.details), every
// graph fixture against the native CLI and PyTorch, and cnnlens.d.ts against register.cpp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertClose, classicScene, loadModule, nativeTrace, readText, root } from './support.mjs';

function graphFixtures() {
  const folder = join(root, 'tests/fixtures/graph');
  return readdirSync(folder).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')));
}

function assertGraphTracesClose(actual, expected, label, abs = 2e-5, rel = 2e-4) {
  assertClose([actual.loss], [expected.loss], `${label} loss`, abs, rel);
  assertClose(actual.losses, expected.losses, `${label} losses`, abs, rel);
  assertClose(actual.grad_input.data, expected.grad_input.data, `${label} grad_input`, abs, rel);
  assert.equal(actual.nodes.length, expected.nodes.length, `${label} node count`);
  actual.nodes.forEach((node, i) => {
    const want = expected.nodes[i];
    const where = `${label} node ${want.id}`;
    assert.equal(node.id, want.id);
    for (const key of ['output', 'grad_output']) {
      assert.deepEqual(node[key].shape, want[key].shape, `${where} ${key} shape`);
      assertClose(node[key].data, want[key].data, `${where} ${key}`, abs, rel);
    }
    for (const [name, p] of Object.entries(want.params)) {
      assertClose(node.params[name].data, p.data, `${where} ${name}`, abs, rel);
      assertClose(node.params[name].grad, p.grad, `${where} ${name}.grad`, abs, rel);
    }
    for (const [name, b] of Object.entries(want.buffers)) assertClose(node.buffers[name].data, b.data, `${where} ${name}`, abs, rel);
  });
}

test('a version-1 scene gets node ids from its types; node tensors are batch-first, index calls per sample', async () => {
  const lens = await loadModule();
  const model = new lens.Model(classicScene());
  try {
    assert.deepEqual(model.nodeIds(), ['conv2d_1', 'maxpool2d_1', 'flatten_1', 'dense_1', 'sigmoid_1']);
    const byName = (list) => Object.fromEntries(list.map((t) => [t.name, t]));
    const node = byName(model.nodeTensors('conv2d_1'));
    const layer = byName(model.layerTensors(0));
    assert.deepEqual(node.output.shape, [1, 2, 4, 4]);
    assert.deepEqual(layer.output.shape, [2, 4, 4]);
    assert.equal(node.output.role, 'output');
    assert.equal(node.weight.role, 'param');
    assert.deepEqual(node.weight.shape, layer.weight.shape);
    assert.deepEqual(Array.from(model.nodeCopy('conv2d_1', 'output')).slice(0, 4), [3, -1, -3, -1]);
    assert.deepEqual(Array.from(model.nodeView('conv2d_1', 'output')), Array.from(model.view(0, 'output')));
    assert.equal(byName(model.nodeTensors('maxpool2d_1')).argmax.role, 'routing');
    model.setNodeParamElement('conv2d_1', 'bias', 0, 1);
    assert.equal(model.copy(0, 'output')[0], 4);
    model.setNodeParam('conv2d_1', 'bias', [0, 0]);
    assert.equal(model.copy(0, 'output')[0], 3);
    assert.equal(model.losses().length, 1);
    assert.throws(() => model.nodeTensors('nope'), (e) => e instanceof Error && e.code === 'no_such_node');
  } finally {
    model.delete();
  }
});

test('a graph node\'s error names the node by its id, not by its place in the list', async () => {
  const lens = await loadModule();
  const scene = JSON.parse(readText('examples/residual.json'));
  const conv = scene.nodes.find((n) => n.type === 'conv2d');
  conv.kernel_size = 99;
  assert.throws(() => new lens.Model(JSON.stringify(scene)), (e) => {
    assert.equal(e.code, 'kernel_too_large');
    assert.equal(e.details.node, conv.id);
    assert.equal(e.details.type, 'conv2d');
    assert.equal(e.details.layer, undefined, 'no chain position for a graph node');
    assert.match(e.message, new RegExp(`^node ${conv.id} \\(conv2d\\)`));
    return true;
  });
});

test('errors carry a code and the values they name, with 1-based layer numbers', async () => {
  const lens = await loadModule();
  const scene = JSON.parse(classicScene());
  scene.layers[0].kernel_size = 9;
  assert.throws(() => new lens.Model(JSON.stringify(scene)), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'kernel_too_large');
    assert.equal(e.details.layer, 1);
    assert.equal(e.details.type, 'conv2d');
    assert.equal(e.details.field, 'kernel_size');
    assert.deepEqual(e.details.kernel_size, [9, 9]);
    assert.match(e.message, /^layer 1 \(conv2d\): kernel_size 9x9 is larger than the padded input 6x6/);
    return true;
  });
  const graph = {
    version: 2, input: { shape: [1, 4, 4], data: new Array(16).fill(0) },
    nodes: [{ id: 'a', type: 'relu' }, { id: 'b', type: 'relu', inputs: ['c'] }], loss: 'none',
  };
  assert.throws(() => new lens.Model(JSON.stringify(graph)), (e) => e.code === 'unknown_input' && e.details.node === 'b');
});

test('layerKinds() lists every kind with its fields, defaults and limits', async () => {
  const lens = await loadModule();
  const kinds = lens.layerKinds();
  const conv = kinds.find((k) => k.type === 'conv2d');
  assert.ok(conv, 'conv2d is registered');
  assert.equal(conv.pytorch, 'nn.Conv2d');
  const field = (name) => conv.fields.find((f) => f.name === name);
  assert.equal(field('out_channels').required, true);
  assert.equal(field('stride').default, 1);
  assert.deepEqual(field('padding_mode').choices, ['zeros', 'reflect', 'replicate', 'circular']);
  assert.deepEqual(conv.tensors, ['weight', 'bias']);
  const pool = kinds.find((k) => k.type === 'maxpool2d');
  assert.equal(pool.fields.find((f) => f.name === 'stride').default_from, 'kernel_size');
  for (const kind of kinds) assert.ok(kind.title && kind.help.startsWith('kind.'), kind.type);
});

test('a forward-only scene (loss "none") has outputs but no gradients and cannot train', async () => {
  const lens = await loadModule();
  const scene = {
    version: 2, input: { shape: [1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    nodes: [{ id: 'edge', type: 'conv2d', out_channels: 1, kernel_size: 3, padding: 1, weight: [0, -1, 0, -1, 4, -1, 0, -1, 0], bias: [0] }],
    loss: 'none',
  };
  const model = new lens.Model(JSON.stringify(scene));
  try {
    assert.equal(model.nodeCopy('edge', 'output')[4], 0);  // 4*5 - 2 - 4 - 6 - 8
    assert.deepEqual(model.nodeTensors('edge').map((t) => t.name), ['input', 'output', 'weight', 'bias']);
    assert.equal(model.losses(), null);
    assert.throws(() => model.step(), (e) => e.code === 'no_loss');
    assert.equal(JSON.parse(model.trace()).loss, null);
  } finally {
    model.delete();
  }
});

const fixtures = graphFixtures();
for (const fixture of fixtures) {
  test(`graph fixture: wasm matches native and PyTorch: ${fixture.name}`, async () => {
    const lens = await loadModule();
    const model = new lens.Model(JSON.stringify(fixture.scene));
    try {
      model.train(fixture.steps);
      const wasm = JSON.parse(model.trace());
      assertGraphTracesClose(wasm, nativeTrace(fixture.scene, fixture.steps), `${fixture.name} (native)`);
      assertGraphTracesClose(wasm, fixture.trace, `${fixture.name} (PyTorch)`);
    } finally {
      model.delete();
    }
  });
}

test('cnnlens.d.ts declares exactly what register.cpp registers', () => {
  const registered = readText('bindings/register.cpp');
  const methods = new Set([...registered.matchAll(/\.function\("(\w+)"/g)].map((m) => m[1]));
  const functions = new Set([...registered.matchAll(/\bfunction\("(\w+)"/g)].map((m) => m[1]).filter((n) => !methods.has(n) || registered.includes(`  function("${n}"`)));
  const dts = readText('bindings/cnnlens.d.ts');
  const modelBody = dts.slice(dts.indexOf('export declare class Model'), dts.indexOf('export interface LossLandscape'));
  const declaredMethods = new Set([...modelBody.matchAll(/^\s{2}(\w+)\(/gm)].map((m) => m[1]).filter((n) => n !== 'constructor' && n !== 'delete'));
  const moduleBody = dts.slice(dts.indexOf('export interface CnnLensModule'));
  const declaredFunctions = new Set([...moduleBody.matchAll(/^\s{2}(\w+)\(/gm)].map((m) => m[1]));
  assert.deepEqual([...methods].sort(), [...declaredMethods].sort(), 'Model methods');
  for (const name of functions) {
    if (methods.has(name) && !registered.includes(`  function("${name}"`)) continue;
    assert.ok(declaredFunctions.has(name), `module function ${name} is declared`);
  }
  for (const name of declaredFunctions) assert.ok(registered.includes(`function("${name}"`), `${name} is registered`);
});

test('every registered kind has help text in every language of the page', async () => {
  const lens = await loadModule();
  const text = readText('web/src/i18n/kinds.ts');
  for (const kind of lens.layerKinds()) {
    const at = text.indexOf(`'${kind.help}':`);
    assert.ok(at >= 0, `${kind.help} has help text`);
    const entry = text.slice(at, text.indexOf('}', at));
    assert.match(entry, /en: '/, `${kind.help} in English`);
    assert.match(entry, /zh: '/, `${kind.help} in Chinese`);
  }
});

test('every registered kind has a name in every language of the page (cards, errors, the overview)', async () => {
  const lens = await loadModule();
  for (const language of ['en', 'zh']) {
    const text = readText(`web/src/i18n/${language}.ts`);
    const at = text.indexOf('layerNames: {');
    const names = text.slice(at, text.indexOf('}', at));
    for (const kind of lens.layerKinds()) assert.match(names, new RegExp(`\\b${kind.type}: '[^']+'`), `${kind.type} in ${language}`);
  }
});
