// Starts the training worker (used instead of ./spawn.ts by web/vite.config.ts). Vite bundles
// trainer.worker.ts, with its own copy of the wasm module, into a separate chunk that is
// downloaded only here, when the Digits example opens.
export function spawnTrainer(): Worker | null {
  return new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'cnnlens-digits' });
}
