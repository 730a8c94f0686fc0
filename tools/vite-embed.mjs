// Vite pieces for embedding (imported by web/vite.config.ts): the <cnn-lens> element is a second
// entry built to a stable name, dist/cnn-lens-element.js, and web/embed-example.html is copied
// into the output as written, so it shows the exact copy-paste snippet of docs/embedding.md.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

export const ELEMENT_ENTRY = 'cnn-lens-element';

export function embedInputs(webRoot) {
  return { index: join(webRoot, 'index.html'), [ELEMENT_ENTRY]: join(webRoot, 'src/embed/element.ts') };
}

export function entryFileNames(chunk) {
  return chunk.name === ELEMENT_ENTRY ? `${ELEMENT_ENTRY}.js` : 'assets/[name]-[hash].js';
}

export function embedExample(webRoot) {
  return {
    name: 'cnnlens-embed-example',
    apply: 'build',
    writeBundle(options) {
      copyFileSync(join(webRoot, 'embed-example.html'), join(options.dir, 'embed-example.html'));
    },
  };
}
