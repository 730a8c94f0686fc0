// Declarations of `cnn-lens/markdown-it`: md.use(cnnLens, options?) renders ```cnn-lens fences as <cnn-lens>.
import type { FenceOptions } from './fence.js';
export type { FenceOptions };

/** The part of a markdown-it instance the plugin uses (any markdown-it 12+ fits). */
export interface MarkdownItLike { renderer: { rules: Record<string, any> } }

export default function cnnLensMarkdownIt(md: MarkdownItLike, options?: FenceOptions): void;
