// Options shared by the Markdown plugins (cnn-lens/markdown-it, cnn-lens/remark, cnn-lens/rehype).
export interface FenceOptions {
  /** Called with each problem found in a fence (default: console.warn); the build goes on. */
  onWarning?: (message: string) => void;
}
