// Shared helpers for the Node tests of the wasm module: loading it, reading committed files,
// running the native CLI, and comparing traces element by element.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { mulberry32 } from '../../tools/lib/mulberry32.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

let modulePromise;
/** The wasm module, loaded once per test file. */
export function loadModule() {
  modulePromise ??= import(join(root, 'build/wasm/bindings/cnnlens.mjs')).then((m) => m.default());
  return modulePromise;
}

let onnxModulePromise;
/** The ONNX module (importOnnx, exportOnnx), loaded once per test file. */
export function loadOnnxModule() {
  onnxModulePromise ??= import(join(root, 'build/wasm/bindings/cnnlens-onnx.mjs')).then((m) => m.default());
  return onnxModulePromise;
}

export const readText = (relative) => readFileSync(join(root, relative), 'utf8');

/**
 * A page module (`relative`, e.g. 'web/src/graphEdit.ts') whose only imports are other page
 * modules by relative path (`from './shards'`, `from '../random'`; type-only imports vanish),
 * transpiled with TypeScript (no bundler) into one temporary folder, each by its file name (so two
 * of them must not share one), and imported.
 */
export async function importTypeScript(relative) {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlens-ts-'));
  const written = new Set();
  const emit = (path) => {
    if (written.has(path)) return;
    written.add(path);
    const js = ts.transpileModule(readText(path), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
      .replace(/from '((?:\.\.?\/)+[\w./]+)'/g, (_, spec) => {
        emit(join(dirname(path), `${spec}.ts`));
        return `from './${basename(spec)}.mjs'`;
      });
    writeFileSync(join(dir, `${basename(path, '.ts')}.mjs`), js);
  };
  emit(relative);
  return import(pathToFileURL(join(dir, `${basename(relative, '.ts')}.mjs`)).href);
}
export const classicScene = () => readText('examples/classic.json');

/** Every committed PyTorch reference fixture: { name, steps, scene, trace }. */
export function referenceFixtures() {
  const folder = join(root, 'tests/fixtures/reference');
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')));
}

/** The native CLI's trace of a scene after `steps` steps. */
export function nativeTrace(scene, steps) {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlens-'));
  const file = join(dir, 'scene.json');
  writeFileSync(file, JSON.stringify(scene));
  const out = execFileSync(join(root, 'build/native/cnnlens'), ['trace', file, '--steps', String(steps)]);
  return JSON.parse(out.toString());
}

/** Asserts |a - e| <= abs + rel * |e| everywhere, naming the worst element on failure. */
export function assertClose(actual, expected, what, abs = 1e-5, rel = 1e-4) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = -1;
  let worstExcess = 0;
  for (let k = 0; k < actual.length; k++) {
    const excess = Math.abs(actual[k] - expected[k]) - (abs + rel * Math.abs(expected[k]));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) {
      worst = k;
      worstExcess = excess;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]}`);
}

/** Compares two traces: loss, history, and every tensor of every layer. */
export function assertTracesClose(actual, expected, label) {
  assertClose([actual.loss], [expected.loss], `${label} loss`);
  assertClose(actual.loss_history, expected.loss_history, `${label} loss_history`);
  assert.equal(actual.layers.length, expected.layers.length, `${label} layer count`);
  actual.layers.forEach((layer, i) => {
    const want = expected.layers[i];
    assert.equal(layer.type, want.type, `${label} layer ${i} type`);
    for (const key of ['output', 'grad_output', 'grad_input']) {
      assert.deepEqual(layer[key].shape, want[key].shape, `${label} layer ${i} ${key} shape`);
      assertClose(layer[key].data, want[key].data, `${label} layer ${i} ${key}`);
    }
    assert.deepEqual(Object.keys(layer.params).sort(), Object.keys(want.params).sort(), `${label} layer ${i} params`);
    for (const [name, param] of Object.entries(layer.params)) {
      assert.deepEqual(param.shape, want.params[name].shape, `${label} layer ${i} ${name} shape`);
      assertClose(param.data, want.params[name].data, `${label} layer ${i} ${name}`);
      assertClose(param.grad, want.params[name].grad, `${label} layer ${i} ${name}.grad`);
    }
  });
}

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
export const seededRandom = mulberry32;
