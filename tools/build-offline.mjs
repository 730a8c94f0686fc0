// Post-build step of `npm run build`: web/dist/cnn-lens-offline.html, one self-contained page
// (JS with the wasm inlined as base64 of its gzip, CSS and the example scenes) that works from file:// with
// no network request. Builds the page once more without code splitting, then inlines the JS
// and CSS into the HTML. Usage: node tools/build-offline.mjs [outDir=web/dist]
import { build } from 'vite';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leanWasmPlugin } from './lean-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webRoot = join(root, 'web');
const outDir = resolve(root, process.argv[2] ?? 'web/dist');
const LIMIT_GZIP = 400 * 1024;

const tmp = mkdtempSync(join(tmpdir(), 'cnnlens-offline-'));
try {
  await build({
    configFile: false,
    root: webRoot,
    base: './',
    logLevel: 'warn',
    // web/src/hostedModels.ts offers no hosted model files here (the single file has none)
    mode: 'offline',
    // The ONNX module (loaded on demand by the hosted page) would be inlined here and put the file
    // over its budget: the offline page gets a stand-in that says so when a .onnx file is opened.
    // the wasm as base64 of its gzip, inflated at start (tools/lean-wasm.mjs): 70 KB less here
    plugins: [leanWasmPlugin(root), {
      name: 'cnnlens-offline-without-onnx',
      enforce: 'pre',
      resolveId: (id) => (id.endsWith('/wasm/cnnlens-onnx.mjs') ? '\0cnnlens-onnx-offline' : null),
      load: (id) => (id === '\0cnnlens-onnx-offline'
        ? "export default () => Promise.reject(Object.assign(new Error('no ONNX reader in the offline page'), { code: 'onnx_unavailable' }));"
        : null),
    }],
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: false,
      cssCodeSplit: false,
      assetsInlineLimit: Number.MAX_SAFE_INTEGER,
      chunkSizeWarningLimit: 5000,
      rollupOptions: { input: join(webRoot, 'index.html'), output: { codeSplitting: false } },
    },
  });
  let html = readFileSync(join(tmp, 'index.html'), 'utf8');
  const assets = readdirSync(join(tmp, 'assets'));
  const js = assets.filter((f) => f.endsWith('.js'));
  const cssFiles = assets.filter((f) => f.endsWith('.css'));
  if (js.length !== 1) throw new Error(`expected one JS file, got ${js.join(', ')}`);
  const rest = assets.filter((f) => !f.endsWith('.js') && !f.endsWith('.css'));
  if (rest.length) throw new Error(`assets that would need the network: ${rest.join(', ')}`);

  // Inside <script>, the HTML parser ends the element at "</script" and treats "<!--" specially.
  // Both can only appear in strings, template literals, regexes or comments, where "<\/" and
  // "<\!" mean the same characters, so escaping them keeps the code identical.
  let code = readFileSync(join(tmp, 'assets', js[0]), 'utf8');
  const before = (code.match(/<\/script|<!--/gi) ?? []).length;
  code = code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  if (/<\/script/i.test(code)) throw new Error('"</script" left in the inlined module');
  const css = cssFiles.map((f) => readFileSync(join(tmp, 'assets', f), 'utf8')).join('\n');
  if (/<\/style/i.test(css)) throw new Error('"</style" in the CSS');

  html = html
    .replace(/\s*<link rel="stylesheet"[^>]*>/g, '')
    .replace(/\s*<script type="module"[^>]*src="[^"]*"[^>]*><\/script>/, '')
    .replace('</head>', () => `    <style>\n${css}\n    </style>\n  </head>`)
    .replace('</body>', () => `    <script type="module">\n${code}\n    </script>\n  </body>`);
  if (/\b(src|href)="\.?\/?assets\//.test(html)) throw new Error('a reference to assets/ is left');

  const file = join(outDir, 'cnn-lens-offline.html');
  writeFileSync(file, html);
  const raw = Buffer.byteLength(html);
  const gz = gzipSync(html, { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`offline page: ${file}\n  ${kb(raw)} raw, ${kb(gz)} gzipped (limit ${kb(LIMIT_GZIP)}); escaped ${before} "</script"/"<!--" in strings`);
  if (gz > LIMIT_GZIP) { console.error('the offline page is over the gzip budget'); process.exit(1); }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
