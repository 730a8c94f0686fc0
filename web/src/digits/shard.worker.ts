// A helper of the training worker (trainer.worker.ts) when it shares each mini-batch between
// cores (shardPool.ts): its own wasm instance computes the gradients of one shard of a batch,
// from the parameters the trainer sends with it, and sends them back. It measures its part of
// each evaluation the same way. It keeps no state between steps besides the network's
// structure, so it can never drift from the trainer's model.
import createCnnLens from '../wasm/cnnlens.mjs';
import type { CnnLensModule, Model } from '../wasm/cnnlens.mjs';
import { shardTransfer, type FromShardHelper, type ToShardHelper } from './protocol';
import { measurePart } from './shards';
import { KeepAwake } from './keepAwake';

/** while training runs, the next shard comes well within this after the answer to the last (keepAwake.ts) */
const awake = new KeepAwake(3);

const scope = self as unknown as {
  postMessage(message: FromShardHelper, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToShardHelper>) => void) | null;
};

const lensReady: Promise<CnnLensModule> = createCnnLens();
let model: Model | null = null;

async function handle(msg: ToShardHelper): Promise<void> {
  awake.stop();
  // Every message waits for the same promise: they still run in the order they came.
  const lens = await lensReady;
  try {
    if (msg.type === 'scene') {
      model?.delete();
      model = null;
      model = new lens.Model(msg.scene);
      return;
    }
    if (!model) throw new Error('a shard before the network');
    if (msg.type === 'evaluate') {
      model.setParameters(msg.params);
      const results = msg.sets.map(({ images, labels }) => measurePart(model!, images, labels));
      scope.postMessage({ type: 'evaluated', job: msg.job, results }, results.map((r) => r.predictions.buffer));
      return;
    }
    const { buffers } = msg;
    model.setParameters(buffers.params);
    const lossSum = model.shardGradients(buffers.inputs, buffers.labels, msg.batchTotal);
    model.gradients(buffers.gradients);
    scope.postMessage({ type: 'gradients', step: msg.step, lossSum, buffers }, shardTransfer(buffers));
    if (msg.keepAwake) awake.start();
  } catch (e) {
    const core = e as { code?: unknown; details?: unknown };
    scope.postMessage({
      type: 'error', step: msg.type === 'shard' ? msg.step : -1, job: msg.type === 'evaluate' ? msg.job : undefined,
      message: e instanceof Error ? e.message : String(e),
      code: typeof core?.code === 'string' ? core.code : undefined, details: core?.details,
    });
  }
}

scope.onmessage = (e) => { void handle(e.data); };
