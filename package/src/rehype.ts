// rehype plugin (`cnn-lens/rehype`) for pipelines where Markdown is already HTML (hast): turns
// <pre><code class="language-cnn-lens">…</code></pre> into <cnn-lens> elements. Use it when the
// Markdown step is not yours (e.g. a site generator's remark chain); otherwise prefer cnn-lens/remark.
import { hastProperties, isCnnLensFence, parseFence, report, type FenceOptions } from './fence';

interface HNode { type: string; tagName?: string; value?: string; properties?: Record<string, unknown>; children?: HNode[]; position?: { start?: { line?: number } } }

export type { FenceOptions };

const text = (node: HNode): string => node.type === 'text' ? node.value ?? '' : (node.children ?? []).map(text).join('');

function fenceCode(node: HNode): HNode | undefined {
  if (node.type !== 'element' || node.tagName !== 'pre' || node.children?.length !== 1) return undefined;
  const code = node.children[0];
  if (code.type !== 'element' || code.tagName !== 'code') return undefined;
  const classes = code.properties?.className;
  const list = Array.isArray(classes) ? classes.map(String) : typeof classes === 'string' ? classes.split(/\s+/) : [];
  return list.some((c) => c.startsWith('language-') && isCnnLensFence(c.slice('language-'.length))) ? code : undefined;
}

export default function rehypeCnnLens(options?: FenceOptions) {
  return (tree: HNode): void => {
    const visit = (node: HNode): void => {
      const children = node.children;
      if (!children) return;
      for (let i = 0; i < children.length; i++) {
        const code = fenceCode(children[i]);
        if (code) {
          const result = parseFence(text(code));
          const line = children[i].position?.start?.line;
          report(result, options, line ? ` at line ${line}` : '');
          children[i] = { type: 'element', tagName: 'cnn-lens', properties: hastProperties(result.attributes), children: [], position: children[i].position };
        } else visit(children[i]);
      }
    };
    visit(tree);
  };
}
