// The Vite plugin that ships the wasm core gzip-compressed inside the JS (package/src/lean-wasm.mjs
// inflates it with DecompressionStream): build/wasm's single-file module with its base64 binary
// emptied ('lean'), plus the binary's gzip as base64. A page's own gzip cannot shrink base64 of
// the raw binary well (288 KB gzipped against 217 KB this way, measured on 2026-11-30), so the
// npm package (tools/build-package.mjs) and the offline single file (tools/build-offline.mjs)
// both use it. The hosted page keeps the plain module: the server's compression sees the bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** `root`: the checkout. Throws when web/src/wasm/cnnlens.mjs is not a SINGLE_FILE build. */
export function leanWasmPlugin(root) {
  const singleFile = readFileSync(join(root, 'web/src/wasm/cnnlens.mjs'), 'utf8');
  const dataUri = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(singleFile);
  if (!dataUri) throw new Error('web/src/wasm/cnnlens.mjs holds no base64 wasm binary (is it a SINGLE_FILE build?)');
  const leanModule = singleFile.replace(dataUri[0], 'data:application/octet-stream;base64,');
  const wasmGzip = gzipSync(Buffer.from(dataUri[1], 'base64'), { level: 9 }).toString('base64');
  const loader = join(root, 'package/src/lean-wasm.mjs');
  return {
    name: 'cnnlens-lean-wasm',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id === 'virtual:cnnlens-lean') return '\0cnnlens-lean.mjs';
      if (id === 'virtual:cnnlens-wasm-gzip') return '\0cnnlens-wasm-gzip.mjs';
      // every import of the page's module gets the lean loader instead
      if (importer && id.endsWith('wasm/cnnlens.mjs') && !importer.endsWith('lean-wasm.mjs')) return loader;
      return null;
    },
    load(id) {
      if (id === '\0cnnlens-lean.mjs') return leanModule;
      if (id === '\0cnnlens-wasm-gzip.mjs') return `export const wasmGzipBase64 = ${JSON.stringify(wasmGzip)};`;
      return null;
    },
  };
}
