// Export as code: the page's PyTorch generator (web/src/share/pytorchExport.ts, transpiled here
// with TypeScript, no bundler) writes a script for the classic example and for every reference
// fixture; Debian's python3 + torch runs it, and its printed loss and gradients must match the
// wasm core's after the same number of optimizer steps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { loadModule, root, classicScene, referenceFixtures, assertClose } from '../node/support.mjs';

const PYTHON = '/usr/bin/python3';
let exporter;
let lens;

/** Transpiles the pure share modules to .mjs files in a temp dir and imports the generator. */
async function loadExporter() {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlens-export-'));
  for (const name of ['numbers', 'pytorchExport']) {
    const src = readFileSync(join(root, `web/src/share/${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
      .replace(/from '\.\/(\w+)'/g, "from './$1.mjs'");
    writeFileSync(join(dir, `${name}.mjs`), js);
  }
  return import(pathToFileURL(join(dir, 'pytorchExport.mjs')).href);
}

function runPython(script) {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlens-py-'));
  const file = join(dir, 'export.py');
  writeFileSync(file, script);
  const out = execFileSync(PYTHON, [file], { encoding: 'utf8' });
  const result = { loss: NaN, history: [], grads: new Map() };
  for (const line of out.split('\n')) {
    let m;
    if ((m = /^loss (\S+)$/.exec(line))) result.loss = Number(m[1]);
    else if ((m = /^step \d+: loss (\S+)$/.exec(line))) result.history.push(Number(m[1]));
    else if ((m = /^layer (\d+) (weight|bias)\.grad (\[.*\])$/.exec(line))) result.grads.set(`${Number(m[1]) - 1}.${m[2]}`, JSON.parse(m[3]));
    else if ((m = /^input\.grad (\[.*\])$/.exec(line))) result.grads.set('input', JSON.parse(m[1]));
  }
  return result;
}

function compare(sceneJson, steps, label) {
  const model = new lens.Model(sceneJson);
  try {
    // the page exports Model.toJSON(): every parameter written out
    const script = exporter.pytorchScript(model.toJSON(), { steps });
    const history = steps ? Array.from(model.train(steps)) : [];
    const trace = JSON.parse(model.trace());
    const py = runPython(script);
    assertClose([py.loss], [trace.loss], `${label} loss`);
    assertClose(py.history, history, `${label} loss history`);
    trace.layers.forEach((layer, i) => {
      for (const [name, p] of Object.entries(layer.params ?? {})) {
        assert.ok(py.grads.has(`${i}.${name}`), `${label}: python printed layer ${i} ${name}.grad`);
        assertClose(py.grads.get(`${i}.${name}`), p.grad, `${label} layer ${i} ${name}.grad`);
      }
    });
    assertClose(py.grads.get('input'), trace.layers[0].grad_input.data, `${label} input.grad`);
    return script;
  } finally {
    model.delete();
  }
}

before(async () => {
  assert.ok(existsSync(PYTHON), 'Debian python3 is needed (tools/setup.sh installs python3-torch)');
  exporter = await loadExporter();
  lens = await loadModule();
});

test('classic example: the exported script prints the page\'s loss and gradients', () => {
  const script = compare(classicScene(), 0, 'classic');
  assert.match(script, /nn\.Conv2d\(1, 2, kernel_size=\(3, 3\)/);
  assert.match(script, /torch\.optim\.SGD\(model\.parameters\(\), lr=0\.5/);
});

test('classic example after 3 steps of Adam', () => {
  const scene = JSON.parse(classicScene());
  scene.optimizer = { type: 'adam', lr: 0.01 };
  compare(JSON.stringify(scene), 3, 'classic adam');
});

for (const fixture of referenceFixtures()) {
  test(`fixture ${fixture.name} (${fixture.steps} steps)`, () => {
    compare(JSON.stringify(fixture.scene), fixture.steps, fixture.name);
  });
}

test('global pooling before the dense layer (the teach network\'s shape), 2 steps of Adam', () => {
  const data = Array.from({ length: 3 * 8 * 8 }, (_, i) => ((i * 29) % 31) / 31);
  for (const pool of ['global_avgpool2d', 'global_maxpool2d']) {
    const scene = {
      version: 1, input: { shape: [3, 8, 8], data }, seed: 3,
      layers: [{ type: 'conv2d', out_channels: 4, kernel_size: 3, padding: 1 }, { type: 'relu' }, { type: 'maxpool2d', kernel_size: 2 },
        { type: pool }, { type: 'flatten' }, { type: 'dense', out_features: 3 }],
      loss: 'cross_entropy', target: 2, optimizer: { type: 'adam', lr: 0.01 },
    };
    const script = compare(JSON.stringify(scene), 2, pool);
    assert.match(script, pool === 'global_avgpool2d' ? /nn\.AdaptiveAvgPool2d\(1\)/ : /nn\.AdaptiveMaxPool2d\(1\)/);
    assert.match(script, /nn\.Linear\(4, 3\)/);
  }
});

test('a forward-only scene with a grouped convolution: the script prints the page\'s output', () => {
  // the photo example's shape of network, small: one 3×3 kernel per colour channel, no loss
  const data = Array.from({ length: 3 * 6 * 6 }, (_, i) => ((i * 37) % 23) / 23);
  const scene = { version: 1, input: { shape: [3, 6, 6], data }, layers: [{ type: 'conv2d', out_channels: 3, kernel_size: 3, padding: 1, groups: 3 }, { type: 'relu' }], loss: 'none', seed: 5 };
  const model = new lens.Model(JSON.stringify(scene));
  try {
    const script = exporter.pytorchScript(model.toJSON());
    assert.match(script, /nn\.Conv2d\(3, 3, kernel_size=\(3, 3\).*groups=3\)/);
    const dir = mkdtempSync(join(tmpdir(), 'cnnlens-py-'));
    writeFileSync(join(dir, 'export.py'), script);
    const out = execFileSync(PYTHON, [join(dir, 'export.py')], { encoding: 'utf8' });
    const printed = JSON.parse(/^output (\[.*\])$/m.exec(out)[1]);
    const trace = JSON.parse(model.trace());
    assertClose(printed, trace.layers.at(-1).output.data, 'forward-only output');
  } finally {
    model.delete();
  }
});
