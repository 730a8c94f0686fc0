// ONNX through the wasm modules: the ONNX module's importOnnx gives exactly the scene the native CLI prints for every
// fixture of tests/fixtures/onnx; the imported models, run with the fixture's batch, loss and
// optimizer, give PyTorch's output, loss and gradients by initializer name before and after SGD
// steps; exportOnnx writes the bytes the native CLI writes and reads back the same scene; files
// that can't be read throw an Error with an onnx_ code, and the heap stays flat; cnnlens-onnx.d.ts
// declares exactly what register_onnx.cpp registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertClose, loadModule, loadOnnxModule, readText, root } from './support.mjs';

const folder = join(root, 'tests/fixtures/onnx');
const cli = join(root, 'build/native/cnnlens');
const fixtures = readdirSync(folder).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')));
const modelBytes = (fixture) => new Uint8Array(readFileSync(join(folder, fixture.model)));

/** The imported scene with the fixture's batch, loss, target and optimizer (as the native test does). */
function trainableScene(importedJson, fixture) {
  const scene = JSON.parse(importedJson);
  scene.input = fixture.input;
  scene.loss = fixture.loss;
  scene.target = fixture.target;
  scene.optimizer = fixture.optimizer;
  return JSON.stringify(scene);
}

/** name -> {data, grad?} of every named parameter and buffer of a trace. */
function namedTensors(trace) {
  const out = new Map();
  for (const node of trace.nodes) {
    for (const group of [node.params, node.buffers]) {
      for (const t of Object.values(group ?? {})) if (t.name) out.set(t.name, t);
    }
  }
  return out;
}

function worstDiff(a, b) {
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  return worst;
}

const abs = 2e-5;
const rel = 2e-4;

for (const fixture of fixtures.filter((f) => f.kinds !== null)) {
  test(`importOnnx gives the native CLI's scene: ${fixture.name}`, async () => {
    const onnx = await loadOnnxModule();
    const wasm = JSON.parse(onnx.importOnnx(modelBytes(fixture)));
    const native = JSON.parse(execFileSync(cli, ['import', join(folder, fixture.model)]).toString());
    assert.deepEqual(wasm, native);
    assert.deepEqual(wasm.nodes.map((n) => n.type), fixture.kinds);
    assert.equal(wasm.loss, 'none');
  });
}

for (const fixture of fixtures.filter((f) => f.initial)) {
  test(`an imported model gives PyTorch's numbers in wasm, before and after ${fixture.steps} steps: ${fixture.name}`, async () => {
    const [lens, onnx] = await Promise.all([loadModule(), loadOnnxModule()]);
    const bytes = modelBytes(fixture);
    // an ArrayBuffer is read as well as a Uint8Array
    const imported = onnx.importOnnx(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const model = new lens.Model(trainableScene(imported, fixture));
    try {
      let trace = JSON.parse(model.trace());
      const last = trace.nodes.at(-1).output;
      assert.deepEqual(last.shape, fixture.initial.output.shape);
      assertClose(last.data, fixture.initial.output.data, `${fixture.name} output`, abs, rel);
      assertClose([trace.loss], [fixture.initial.loss], `${fixture.name} loss`, abs, rel);
      let named = namedTensors(trace);
      let worst = worstDiff(last.data, fixture.initial.output.data);
      for (const [name, grad] of Object.entries(fixture.initial.grads)) {
        assert.ok(named.has(name), `${name} is a named tensor of the imported scene`);
        assertClose(named.get(name).grad, grad, `${fixture.name} grad of ${name}`, abs, rel);
        worst = Math.max(worst, worstDiff(named.get(name).grad, grad));
      }
      const history = model.train(fixture.steps);
      assertClose(Array.from(history), fixture.final.loss_history, `${fixture.name} loss history`, abs, rel);
      trace = JSON.parse(model.trace());
      named = namedTensors(trace);
      assertClose(trace.nodes.at(-1).output.data, fixture.final.output.data, `${fixture.name} output after steps`, abs, rel);
      for (const group of ['params', 'grads', 'buffers']) {
        for (const [name, data] of Object.entries(fixture.final[group])) {
          assert.ok(named.has(name), `${name} is a named tensor after training`);
          const actual = named.get(name)[group === 'grads' ? 'grad' : 'data'];
          assertClose(actual, data, `${fixture.name} ${group} ${name} after steps`, abs, rel);
          worst = Math.max(worst, worstDiff(actual, data));
        }
      }
      console.log(`[onnx wasm] ${fixture.name}: worst |diff| from PyTorch ${worst.toExponential(1)}`);
    } finally {
      model.delete();
    }
  });
}

/** Same nodes, settings and numbers; names kept (a tensor without a name is written as "<id>.<tensor>"). */
function assertSameNetwork(actual, expected, label) {
  assert.deepEqual(actual.input, expected.input, `${label}: input`);
  assert.equal(actual.mode, expected.mode, `${label}: mode`);
  assert.equal(actual.nodes.length, expected.nodes.length, `${label}: node count`);
  expected.nodes.forEach((want, k) => {
    const got = actual.nodes[k];
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${label}: ${want.id} fields`);
    for (const [key, value] of Object.entries(want)) {
      const tensor = (v) => (v && typeof v === 'object' && !Array.isArray(v) && 'data' in v ? v : null);
      if (tensor(value) || tensor(got[key])) {
        const data = (v) => tensor(v)?.data ?? v;
        assert.deepEqual(data(got[key]), data(value), `${label}: ${want.id}.${key}`);
        if (tensor(value)) assert.equal(got[key].name, value.name, `${label}: ${want.id}.${key} name`);
      } else {
        assert.deepEqual(got[key], value, `${label}: ${want.id}.${key}`);
      }
    }
  });
}

test('exportOnnx writes the native CLI\'s bytes, and they import back as the same scene', async () => {
  const lens = await loadOnnxModule();
  const dir = mkdtempSync(join(tmpdir(), 'cnnlens-onnx-'));
  for (const name of ['small_resnet', 'gelu_mlp', 'encoder_decoder']) {
    const fixture = fixtures.find((f) => f.name === name);
    const sceneJson = lens.importOnnx(modelBytes(fixture));
    const bytes = lens.exportOnnx(sceneJson);
    assert.ok(bytes instanceof Uint8Array && bytes.length > 100, `${name}: bytes`);
    writeFileSync(join(dir, `${name}.json`), sceneJson);
    execFileSync(cli, ['export', join(dir, `${name}.json`), '-o', join(dir, `${name}.onnx`)]);
    assert.deepEqual(bytes, new Uint8Array(readFileSync(join(dir, `${name}.onnx`))), `${name}: same bytes as the CLI`);
    assertSameNetwork(JSON.parse(lens.importOnnx(bytes)), JSON.parse(sceneJson), `${name}: round trip`);
  }
  // a version-1 example exports too
  const classic = lens.exportOnnx(readFileSync(join(root, 'examples/classic.json'), 'utf8'));
  assert.deepEqual(JSON.parse(lens.importOnnx(classic)).nodes.map((n) => n.type), ['conv2d', 'maxpool2d', 'flatten', 'dense', 'sigmoid']);
});

/** Calls f, which must throw; returns the Error. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('no error was thrown');
}

test('files that cannot be read throw an Error with an onnx_ code and details; the heap stays flat', async () => {
  const lens = await loadOnnxModule();
  const lenet = modelBytes(fixtures.find((f) => f.name === 'lenet5'));
  const channelsLast = modelBytes(fixtures.find((f) => f.name === 'channels_last'));
  // the same file with every op type "Relu" renamed "Selu": an op CNN Lens does not read
  const selu = lenet.slice();
  const relu = [...'Relu'].map((c) => c.charCodeAt(0));
  let renamed = 0;
  for (let k = 0; k + 4 <= selu.length; k++) {
    if (relu.every((c, j) => selu[k + j] === c) && selu[k - 1] === 4) { selu[k] = 'S'.charCodeAt(0); renamed++; }
  }
  assert.ok(renamed > 0);
  const cases = [
    [new Uint8Array(0), 'onnx_'],
    [lenet.subarray(0, lenet.length >> 1), 'onnx_malformed'],
    [new Uint8Array(1000).fill(0xff), 'onnx_malformed'],
    [channelsLast, 'onnx_transpose_activation'],
    [selu, 'onnx_unsupported_op'],
    // a graph field whose length says 4 GB - 1, and 2 GB: past the ptrdiff_t of wasm32
    [new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), 'onnx_malformed'],
    [new Uint8Array([0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3]), 'onnx_malformed'],
  ];
  const check = () => {
    for (const [bytes, code] of cases) {
      const e = thrown(() => lens.importOnnx(bytes));
      assert.ok(e instanceof Error, `${code}: an Error`);
      assert.ok(e.code.startsWith(code), `expected ${code}, got ${e.code}: ${e.message}`);
      assert.equal(e.details.code, e.code);
      assert.ok(e.message.length > 10);
    }
  };
  check();
  const e = thrown(() => lens.importOnnx(selu));
  assert.equal(e.details.op_type, 'Selu');
  assert.match(e.message, /Selu/);
  assert.match(e.message, /BatchNormalization/, 'the message lists the supported ops');
  for (const junk of ['text', 42, null, [1, 2, 3]]) {
    assert.equal(thrown(() => lens.importOnnx(junk)).code, 'onnx_argument');
  }
  assert.equal(thrown(() => lens.exportOnnx('{')).code, 'not_json');
  const circular = JSON.parse(readFileSync(join(root, 'tests/fixtures/graph/chain_batch3_groups_padding_modes.json'), 'utf8')).scene;
  assert.equal(thrown(() => lens.exportOnnx(JSON.stringify(circular))).code, 'onnx_export_unsupported');
  const before = lens.heapInUse();
  for (let k = 0; k < 200; k++) check();
  assert.ok(lens.heapInUse() <= before + 256, `heap in use grew from ${before} to ${lens.heapInUse()}`);
});

test('cnnlens-onnx.d.ts declares exactly what register_onnx.cpp registers', () => {
  const registered = [...readText('bindings/register_onnx.cpp').matchAll(/\bfunction\("(\w+)"/g)].map((m) => m[1]);
  const dts = readText('bindings/cnnlens-onnx.d.ts');
  const body = dts.slice(dts.indexOf('export interface CnnLensOnnxModule'), dts.indexOf('export default'));
  const declared = [...body.matchAll(/^\s{2}(\w+)\(/gm)].map((m) => m[1]);
  assert.deepEqual(registered.sort(), declared.sort());
  assert.ok(registered.includes('importOnnx') && registered.includes('exportOnnx'));
});
