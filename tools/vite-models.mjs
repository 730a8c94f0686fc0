// Vite plugin (imported by web/vite.config.ts): the model files the hosted page offers in its
// example menu (web/src/hostedModels.ts), taken from the committed fixtures and written to
// dist/models/ at build time; the dev server serves them at /models/ too. The offline single
// file (tools/build-offline.mjs, no config) gets neither.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** dist path under models/ → committed source file */
export const HOSTED_MODEL_FILES = {
  'small-resnet.onnx': 'tests/fixtures/onnx/small_resnet.onnx',
};

export function hostedModels() {
  return {
    name: 'cnnlens-hosted-models',
    generateBundle() {
      for (const [name, source] of Object.entries(HOSTED_MODEL_FILES)) {
        this.emitFile({ type: 'asset', fileName: `models/${name}`, source: readFileSync(join(root, source)) });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = /^\/models\/([^/?#]+)/.exec(req.url ?? '')?.[1];
        const source = name && HOSTED_MODEL_FILES[name];
        if (!source) { next(); return; }
        res.setHeader('content-type', 'application/octet-stream');
        res.end(readFileSync(join(root, source)));
      });
    },
  };
}
