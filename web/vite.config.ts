// Vite config for the visualizer page. `base: './'` makes web/dist work from any static path.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { embedExample, embedInputs, entryFileNames } from '../tools/vite-embed.mjs';
import { hostedModels } from '../tools/vite-models.mjs';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The wasm module is one large file with the binary inlined; don't warn about its size.
    chunkSizeWarningLimit: 2000,
    // the page and the <cnn-lens> element (dist/cnn-lens-element.js), sharing chunks
    rollupOptions: { input: embedInputs(webRoot), output: { entryFileNames } },
  },
  // the training worker is an ES module; digits/spawn.ts becomes spawnWorker.ts here only,
  // so the single-file offline build (tools/build-offline.mjs, no config) gets no worker chunk
  worker: { format: 'es' },
  // dist/models/: the example menu's model files, fetched only when chosen (web/src/hostedModels.ts)
  plugins: [embedExample(webRoot), hostedModels(), {
    name: 'cnnlens-digits-worker',
    enforce: 'pre',
    resolveId(source, importer) {
      // the data-set dashboards (digits.ts) and "Teach it your classes" (teach/dashboard.ts) start it
      const from = importer?.replace(/\\/g, '/') ?? '';
      if ((source === './spawn' && from.endsWith('/src/digits/digits.ts')) || (source === '../digits/spawn' && from.endsWith('/src/teach/dashboard.ts'))) {
        return fileURLToPath(new URL('./src/digits/spawnWorker.ts', import.meta.url));
      }
    },
  }],
  server: {
    // The page imports example scenes from ../examples.
    fs: { allow: ['..'] },
  },
});
