// Step of `npm run build`: renders docs/*.md (and README.md as the index) into a static site in
// web/dist/docs/, with the package's own Markdown plugin (dist/markdown-it.js, built just before
// by tools/build-package.mjs), so every ```cnn-lens fence in the docs is a live <cnn-lens>.
// Pages with a figure load the package's element from docs/cnn-lens/ (relative paths, no CDN).
// Usage: node tools/build-docs.mjs [outDir=web/dist/docs]
import MarkdownIt from 'markdown-it';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'web/dist/docs');
const pkg = join(root, 'dist');
if (!existsSync(join(pkg, 'markdown-it.js'))) {
  console.error('missing dist/markdown-it.js: run `node tools/build-package.mjs` first');
  process.exit(1);
}
const { default: cnnLens } = await import(pathToFileURL(join(pkg, 'markdown-it.js')).href);

const warnings = [];
let current = '';
const md = new MarkdownIt({ html: true }).use(cnnLens, { onWarning: (m) => warnings.push(`${current}: ${m}`) });

const pages = [['README.md', 'index.html'], ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => [`docs/${f}`, f.replace(/\.md$/, '.html')])];
const titleOf = (text, fallback) => text.match(/^#\s+(.+)$/m)?.[1].replace(/`/g, '') ?? fallback;
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Links between Markdown files become links between the pages; other repo paths stay text. */
function relink(html) {
  return html.replace(/href="(?:\.\/|docs\/)?([\w-]+)\.md(#[^"]*)?"/g, (_m, name, hash = '') =>
    `href="${name === 'README' ? 'index' : name}.html${hash}"`);
}

const nav = pages.map(([src, dest]) => `<a href="${dest}">${escape(titleOf(readFileSync(join(root, src), 'utf8'), basename(src)))}</a>`).join('\n      ');
const STYLE = `
  body { margin: 0; font: 16px/1.6 system-ui, sans-serif; color: #1c2330; background: #f6f7f9; }
  .layout { display: grid; grid-template-columns: 15rem minmax(0, 1fr); gap: 2rem; max-width: 78rem; margin: 0 auto; padding: 1.5rem; }
  nav { display: flex; flex-direction: column; gap: .4rem; position: sticky; top: 1rem; align-self: start; }
  nav a { color: #2166ac; text-decoration: none; } nav a[aria-current] { font-weight: 600; color: #1c2330; }
  main { min-width: 0; background: #fff; padding: 1rem 2rem 2rem; border: 1px solid #dde1e7; border-radius: 8px; }
  pre { background: #f3f4f6; padding: .75rem 1rem; overflow-x: auto; border-radius: 6px; }
  code { font-size: .9em; } table { border-collapse: collapse; display: block; overflow-x: auto; }
  th, td { border: 1px solid #dde1e7; padding: .3rem .6rem; vertical-align: top; text-align: left; }
  cnn-lens { margin: 1rem 0; border: 1px solid #dde1e7; border-radius: 8px; }
  @media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } nav { position: static; } }`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let figures = 0;
for (const [src, dest] of pages) {
  const text = readFileSync(join(root, src), 'utf8');
  current = src;
  const body = relink(md.render(text));
  const count = (body.match(/<cnn-lens[\s>]/g) ?? []).length;
  figures += count;
  const script = count ? '\n    <script type="module" src="cnn-lens/cnn-lens.js"></script>' : '';
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escape(titleOf(text, src))} · CNN Lens docs</title>
    <style>${STYLE}
    </style>${script}
  </head>
  <body>
    <div class="layout">
      <nav aria-label="Documentation">
      ${nav.replace(`href="${dest}"`, `href="${dest}" aria-current="page"`)}
      </nav>
      <main>
${body}      </main>
    </div>
  </body>
</html>
`;
  writeFileSync(join(out, dest), html);
}
// the element as the package ships it: entry + chunks, imported relatively
mkdirSync(join(out, 'cnn-lens'), { recursive: true });
cpSync(join(pkg, 'cnn-lens.js'), join(out, 'cnn-lens/cnn-lens.js'));
cpSync(join(pkg, 'chunks'), join(out, 'cnn-lens/chunks'), { recursive: true });
console.log(`docs site: ${pages.length} pages, ${figures} live figures in ${out}`);
for (const w of warnings) console.log(`  ${w}`);
