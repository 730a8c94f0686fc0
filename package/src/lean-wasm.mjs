// The package's wasm loader. The page's module carries the wasm as base64 inside the JS; here the
// binary travels as base64 of its gzip instead (about 30% smaller after the page's own gzip) and
// is inflated with the platform's DecompressionStream before the module starts. Nothing is
// fetched: the Emscripten module is given the bytes (wasmBinary). tools/build-package.mjs
// supplies both virtual modules from build/wasm's single-file module.
import createLeanModule from 'virtual:cnnlens-lean';
import { wasmGzipBase64 } from 'virtual:cnnlens-wasm-gzip';

async function inflate() {
  const packed = Uint8Array.from(atob(wasmGzipBase64), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export default async function createCnnLens(options = {}) {
  return createLeanModule({ ...options, wasmBinary: await inflate() });
}
