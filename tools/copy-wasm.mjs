// Copies the built wasm modules (the main one and the ONNX one, loaded on demand) and their
// TypeScript declarations into web/src/wasm/ (not committed), where the page imports them. Fails with a hint when the module is not built yet.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build/wasm/bindings/cnnlens.mjs');
const target = join(root, 'web/src/wasm');

if (!existsSync(built)) {
  console.error(`missing ${built}: build it first with  cmake --preset wasm && cmake --build --preset wasm`);
  process.exit(1);
}
mkdirSync(target, { recursive: true });
copyFileSync(built, join(target, 'cnnlens.mjs'));
copyFileSync(join(root, 'bindings/cnnlens.d.ts'), join(target, 'cnnlens.d.mts'));
copyFileSync(join(root, 'build/wasm/bindings/cnnlens-onnx.mjs'), join(target, 'cnnlens-onnx.mjs'));
copyFileSync(join(root, 'bindings/cnnlens-onnx.d.ts'), join(target, 'cnnlens-onnx.d.mts'));
console.log(`copied the wasm modules to ${target}`);
