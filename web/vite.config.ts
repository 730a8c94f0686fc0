// Vite config for the visualizer page. `base: './'` makes web/dist work from any static path.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { embedExample, embedInputs, entryFileNames } from '../tools/vite-embed.mjs';

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
  plugins: [embedExample(webRoot)],
  server: {
    // The page imports example scenes from ../examples.
    fs: { allow: ['..'] },
  },
});
