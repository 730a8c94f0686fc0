// remark plugin (`cnn-lens/remark`) for unified pipelines (remark-rehype, MDX, Astro): turns
// ```cnn-lens code nodes into nodes that remark-rehype writes as <cnn-lens> elements (through
// `data.hName`, so no raw HTML and no allowDangerousHtml is needed).
//   unified().use(remarkParse).use(remarkCnnLens).use(remarkRehype).use(rehypeStringify)
// Walks the tree itself, so the package needs no unist utilities.
import { hastProperties, isCnnLensFence, parseFence, report, type FenceOptions } from './fence';

interface MdNode { type: string; lang?: string | null; meta?: string | null; value?: string; children?: MdNode[]; position?: { start?: { line?: number } }; data?: Record<string, unknown> }

export type { FenceOptions };

export default function remarkCnnLens(options?: FenceOptions) {
  return (tree: MdNode): void => {
    const visit = (node: MdNode): void => {
      const children = node.children;
      if (!children) return;
      for (let i = 0; i < children.length; i++) {
        const child = children[i];
        if (child.type === 'code' && isCnnLensFence(child.lang)) {
          const result = parseFence(child.value ?? '');
          const line = child.position?.start?.line;
          report(result, options, line ? ` at line ${line}` : '');
          // an unknown node type with data.hName becomes exactly that element in mdast-util-to-hast
          children[i] = { type: 'cnnLens', position: child.position, data: { hName: 'cnn-lens', hProperties: hastProperties(result.attributes), hChildren: [] } };
        } else visit(child);
      }
    };
    visit(tree);
  };
}
