// The Markdown fence plugins of the package (dist/, built by `npm run build`): the fixture
// post with two ```cnn-lens fences, one invalid, renders with markdown-it, remark and rehype
// into the same two <cnn-lens> elements, reports the invalid one and never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import MarkdownIt from 'markdown-it';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { lensElements } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '../../dist');
if (!existsSync(join(dist, 'markdown-it.js'))) throw new Error('dist/ is missing: run `npm run build` first');
const plugin = async (name) => (await import(pathToFileURL(join(dist, `${name}.js`)).href)).default;
const fixture = readFileSync(join(here, 'fixtures/two-fences.md'), 'utf8');
const BROKEN = '{"title": "broken", "layers": [';

const renderers = {
  'markdown-it': async (text, onWarning) => new MarkdownIt({ html: true }).use(await plugin('markdown-it'), { onWarning }).render(text),
  remark: async (text, onWarning) => String(await unified().use(remarkParse).use(await plugin('remark'), { onWarning }).use(remarkRehype).use(rehypeStringify).process(text)),
  rehype: async (text, onWarning) => String(await unified().use(remarkParse).use(remarkRehype).use(await plugin('rehype'), { onWarning }).use(rehypeStringify).process(text)),
};

for (const [name, render] of Object.entries(renderers)) {
  test(`${name}: two fences become two elements; the invalid one is kept for the element's notice`, async () => {
    const warnings = [];
    const html = await render(fixture, (m) => warnings.push(m));
    assert.deepEqual(lensElements(html), [
      { scene: 'classic', view: 'both', panels: 'input, conv, loss', readonly: '' },
      { scene: BROKEN },
    ]);
    assert.match(html, /<pre><code class="language-js">console\.log\('not a figure'\);\n<\/code><\/pre>/, 'other fences are untouched');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /line 16: the scene is not valid JSON/);
  });

  test(`${name}: attribute lines, JSON after them, comments, readonly: false, unknown lines`, async () => {
    const warnings = [];
    const text = [
      '```cnn-lens', '# a comment', 'theme: dark', 'readonly', 'readonly: false', 'colour: red', 'view: sideways',
      '{ "title": "t",', '  "x": [1, 2] }', '```', '', '```cnn-lens', '```', '',
    ].join('\n');
    const html = await render(text, (m) => warnings.push(m));
    assert.deepEqual(lensElements(html), [{ scene: '{"title":"t","x":[1,2]}', view: 'sideways', theme: 'dark' }, {}]);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0], /"colour: red" is not one of scene, view, panels, readonly, theme/);
    assert.match(warnings[1], /view "sideways" is not one of values, gradients, both/);
  });
}

test('an attribute value cannot break out of the element', async () => {
  const html = new MarkdownIt().use(await plugin('markdown-it'), { onWarning() {} })
    .render('```cnn-lens\nscene: "><script>alert(1)</script>\n```\n');
  assert.doesNotMatch(html, /<script/);
  assert.deepEqual(lensElements(html), [{ scene: '"><script>alert(1)</script>' }]);
});
