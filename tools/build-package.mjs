// Builds the npm package `cnn-lens` into dist/ (step of `npm run build`; `npm pack` then packs
// it, see "files" and "exports" in package.json). Entries: the <cnn-lens> element (dist/cnn-lens.js),
// the wasm core for scripting (dist/core.js) and the Markdown fence plugins (dist/markdown-it.js,
// remark.js, rehype.js); hand-written declarations from package/types plus bindings/cnnlens.d.ts.
// The wasm is inside the package (gzip-compressed, package/src/lean-wasm.mjs): nothing is fetched at run time.
// Fails when what a page loads for `import 'cnn-lens'` is over the gzip budget.
// Usage: node tools/build-package.mjs
import { build } from 'vite';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leanWasmPlugin } from './lean-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const LIMIT_GZIP = 300 * 1024;

if (!existsSync(join(root, 'web/src/wasm/cnnlens.mjs'))) {
  console.error('missing web/src/wasm/cnnlens.mjs: run `npm run wasm:copy` (after building the wasm module) first');
  process.exit(1);
}

// The wasm travels gzip-compressed inside the package (tools/lean-wasm.mjs).
let leanWasm;
try {
  leanWasm = leanWasmPlugin(root);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}

const entries = ['cnn-lens', 'core', 'markdown-it', 'remark', 'rehype'];
await build({
  configFile: false,
  root,
  publicDir: false,
  logLevel: 'warn',
  plugins: [leanWasm],
  build: {
    outDir: out,
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    // the wasm chunk is large on purpose (the binary is inside it)
    chunkSizeWarningLimit: 2000,
    lib: {
      entry: Object.fromEntries(entries.map((e) => [e, join(root, 'package/src', `${e === 'cnn-lens' ? 'index' : e}.ts`)])),
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    // shared code (the wasm module, the example scenes, the fence parser) goes into chunks/, loaded
    // by relative imports, so the element and the core share one copy of the wasm in a page
    // Vite leaves the whitespace of an ES library build (it minifies names and syntax only, so
    // bundlers downstream still see each line's /* @__PURE__ */ notes); the notes survive a
    // whitespace-free output too, and the element's page downloads 6 KB (gzipped) less for it
    rollupOptions: { output: { minify: { codegen: true }, chunkFileNames: (chunk) => (chunk.moduleIds.some((id) => id.includes('cnnlens-lean') || id.endsWith('lean-wasm.mjs')) ? 'chunks/wasm-core.js' : 'chunks/[name].js') } },
  },
});

for (const f of readdirSync(join(root, 'package/types'))) copyFileSync(join(root, 'package/types', f), join(out, f));
copyFileSync(join(root, 'bindings/cnnlens.d.ts'), join(out, 'cnnlens.d.ts'));

/** The entry and every module it imports statically: what a page downloads for it. */
function loadedBy(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) loadedBy(join(dirname(file), m[1]), seen);
  return seen;
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sizes = {};
for (const e of ['cnn-lens', 'core']) {
  const files = [...loadedBy(join(out, `${e}.js`))];
  const raw = files.reduce((s, f) => s + readFileSync(f).length, 0);
  const gzip = files.reduce((s, f) => s + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  sizes[e] = { files: files.map((f) => relative(out, f)), raw, gzip };
  console.log(`package: ${e}.js loads ${files.length} file(s): ${kb(raw)} raw, ${kb(gzip)} gzipped`);
}
writeFileSync(join(out, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
if (sizes['cnn-lens'].gzip > LIMIT_GZIP) {
  console.error(`the element is over its budget of ${kb(LIMIT_GZIP)} gzipped`);
  process.exit(1);
}
