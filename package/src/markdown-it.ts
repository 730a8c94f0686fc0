// markdown-it plugin (`cnn-lens/markdown-it`): renders ```cnn-lens fences as <cnn-lens> elements
// and leaves every other fence to the renderer that was there before (highlighters included).
//   import MarkdownIt from 'markdown-it';
//   import cnnLens from 'cnn-lens/markdown-it';
//   const html = new MarkdownIt().use(cnnLens).render(text);
// The page still needs the element itself: `import 'cnn-lens'` or the script tag (README).
import { elementHtml, isCnnLensFence, parseFence, report, type FenceOptions } from './fence';

// The few markdown-it shapes used here, so the package needs neither markdown-it nor its types.
interface Token { info: string; content: string; map: [number, number] | null }
type RenderRule = (tokens: Token[], idx: number, options: unknown, env: unknown, self: { renderToken(tokens: Token[], idx: number, options: unknown): string }) => string;
export interface MarkdownItLike { renderer: { rules: Record<string, RenderRule | undefined> } }

export type { FenceOptions };

export default function cnnLensMarkdownIt(md: MarkdownItLike, options?: FenceOptions): void {
  const previous = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, idx, opts, env, self) => {
    const token = tokens[idx];
    if (!isCnnLensFence(token.info)) return previous ? previous(tokens, idx, opts, env, self) : self.renderToken(tokens, idx, opts);
    const result = parseFence(token.content);
    report(result, options, token.map ? ` at line ${token.map[0] + 1}` : '');
    return `${elementHtml(result.attributes)}\n`;
  };
}
