// A helper of the training worker (trainer.worker.ts) when it shares each mini-batch between
// cores (shardPool.ts): its own wasm instance holds a copy of the model that computes one shard
// of each batch and takes every optimizer step itself (replica.ts). It measures its part of each
// evaluation with the parameters the trainer sends with it.
import createCnnLens from '../wasm/cnnlens.mjs';
import type { CnnLensModule, Model } from '../wasm/cnnlens.mjs';
import { shardTransfer, type Contribution, type FromShardHelper, type ToShardHelper } from './protocol';
import { Replica } from './replica';
import { measurePart } from './shards';
import { KeepAwake } from './keepAwake';

/** while training runs, the next message comes well within this after this helper's answer (keepAwake.ts) */
const awake = new KeepAwake(3);

const scope = self as unknown as {
  postMessage(message: FromShardHelper, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToShardHelper>) => void) | null;
};

const lensReady: Promise<CnnLensModule> = createCnnLens();
let model: Model | null = null;
/** made at once: another helper's gradients may come before this one's network */
const replica = new Replica({
  toTrainer(c, used) {
    scope.postMessage({ type: 'gradients', contribution: c, used }, [c.gradients.buffer, ...shardTransfer(used)]);
    if (replica.keepAwake) awake.start();
  },
  toPeer(worker, c) {
    peers[worker]?.postMessage(c, [c.gradients.buffer]);
  },
});
/** a port to each other helper, by worker number */
let peers: (MessagePort | null)[] = [];
/** the sync and step being worked on, to say which one failed */
let current = { gen: -1, step: -1 };

function report(e: unknown, job?: number): void {
  const core = e as { code?: unknown; details?: unknown };
  scope.postMessage({
    type: 'error', gen: current.gen, step: current.step, job,
    message: e instanceof Error ? e.message : String(e),
    code: typeof core?.code === 'string' ? core.code : undefined, details: core?.details,
  });
}

async function handle(msg: ToShardHelper): Promise<void> {
  awake.stop();
  // Every message waits for the same promise: they still run in the order they came.
  const lens = await lensReady;
  try {
    switch (msg.type) {
      case 'scene': {
        model?.delete();
        model = null;
        model = new lens.Model(msg.scene);
        replica.useModel(model);
        return;
      }
      case 'peers':
        for (const p of peers) p?.close();
        peers = msg.ports;
        for (const p of peers) if (p) p.onmessage = (e: MessageEvent<Contribution>) => void peerMessage(e.data);
        replica.join(msg.index, msg.workers);
        return;
    }
    if (!model) throw new Error('a shard before the network');
    switch (msg.type) {
      case 'evaluate': {
        model.setParameters(msg.params);
        const results = msg.sets.map(({ images, labels }) => measurePart(model!, images, labels));
        scope.postMessage({ type: 'evaluated', job: msg.job, results }, results.map((r) => r.predictions.buffer));
        return;
      }
      case 'sync':
        current = { gen: msg.gen, step: msg.step };
        replica.sync(msg.gen, msg.step, msg.state, msg.shard, msg.keepAwake);
        return;
      case 'shard':
        current = { gen: msg.gen, step: msg.step };
        replica.shard(msg.gen, msg.step, msg.shard);
        return;
      case 'apply':
        current = { gen: msg.contribution.gen, step: msg.contribution.step };
        replica.trainerContribution(msg.contribution, msg.next);
        return;
    }
  } catch (e) {
    report(e, msg.type === 'evaluate' ? msg.job : undefined);
  }
}

async function peerMessage(c: Contribution): Promise<void> {
  awake.stop();
  await lensReady;
  try {
    replica.peerContribution(c);
  } catch (e) {
    report(e);
  }
}

scope.onmessage = (e) => { void handle(e.data); };
