// Vite config for the visualizer page. `base: './'` makes web/dist work from any static path.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

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
  },
  server: {
    // The page imports example scenes from ../examples.
    fs: { allow: ['..'] },
  },
});
