// Vite's "?worker&inline" import: the worker's bundled code inlined, started from a blob: URL
// (so the single-file offline page has it too).
declare module '*?worker&inline' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}
