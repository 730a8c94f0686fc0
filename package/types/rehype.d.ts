// Declarations of `cnn-lens/rehype`: unified().use(rehypeCnnLens, options?) after remark-rehype.
import type { FenceOptions } from './fence.js';
export type { FenceOptions };

export default function rehypeCnnLens(options?: FenceOptions): (tree: any) => void;
