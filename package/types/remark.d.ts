// Declarations of `cnn-lens/remark`: unified().use(remarkCnnLens, options?) before remark-rehype.
import type { FenceOptions } from './fence.js';
export type { FenceOptions };

export default function remarkCnnLens(options?: FenceOptions): (tree: any) => void;
