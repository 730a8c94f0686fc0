// Starts the training worker — in this default version, nothing: it is what a build without
// web/vite.config.ts gets (tools/build-offline.mjs makes one self-contained HTML file, which can
// hold no worker chunk and has no digits data anyway). web/vite.config.ts resolves this module
// to ./spawnWorker.ts, which bundles trainer.worker.ts with its own copy of the wasm core.
export function spawnTrainer(): Worker | null {
  return null;
}
