// A helper's copy of the trainer's model when a mini-batch is shared between workers
// (shardPool.ts has the trainer's side, protocol.ts the messages): it computes its shard of each
// step, sends the gradients to every other worker, and once it has every worker's it adds them in
// worker order and takes the optimizer step itself, as every other worker does. So a step waits
// for one message between the workers, not two (gradients to the trainer, then its parameters
// back), and no parameters travel. The trainer's gradients of a step carry this helper's shard of
// the next one when training goes straight on; after anything else (a pause with a step left
// hanging, an evaluation, an edit) the trainer syncs: its parameters and optimizer state replace
// this copy's, and the contributions of before the sync are dropped.
//
// Why the copies stay equal: every worker starts from the same values, adds the same gradients
// in the same order (contributions.ts) and runs the same wasm code for the step, whose float
// arithmetic is deterministic; tests/browser/workers.test.mjs checks that training that runs on
// takes the same steps, bit for bit, as Step, which syncs before each one.
import { Contributions, Shelf } from './contributions';
import type { Contribution, ReplicaState, Shard } from './protocol';

/** What the replica needs of the core's Model (tests give a stand-in). */
export interface ReplicaModel {
  setParameters(values: Float32Array): void;
  setOptimizer(json: string): void;
  setOptimizerState(state: ReplicaState['optimizerState']): void;
  shardGradients(inputs: Uint8Array | Float32Array, labels: Uint8Array, batchTotal: number): number;
  gradients(into: Float32Array): Float32Array;
  setGradients(values: Float32Array): void;
  applyGradients(meanLoss: number): void;
}

/** Where the replica's messages go: the trainer (with the shard's arrays back) and the other helpers. */
export interface ReplicaLinks {
  toTrainer(c: Contribution, used: Shard): void;
  toPeer(worker: number, c: Contribution): void;
}

export class Replica {
  private index = 1;
  private workers = 2;
  private gen = -1;
  private ledger = new Contributions(2);
  /** contributions of a sync this helper has not had yet (a peer may hear of it first) */
  private early: Contribution[] = [];
  /** the batch size of each step this helper computed a shard of */
  private readonly totals = new Map<number, number>();
  /** this helper's shard of the step after each step, sent with the trainer's gradients */
  private readonly following = new Map<number, Shard>();
  private readonly shelf = new Shelf();
  /** the network's parameter count, from the last sync */
  private count = 0;
  private own = new Float32Array(0);
  private sumBuffer = new Float32Array(0);
  /** spin after an answer (keepAwake.ts), as the last sync said */
  keepAwake = false;
  private model: ReplicaModel | null = null;

  constructor(private readonly links: ReplicaLinks) {}

  /** The network to train (a new scene): steps in flight are forgotten, a sync follows. */
  useModel(model: ReplicaModel): void {
    this.model = model;
    this.restart(-1);
  }

  /** This helper is worker `index` of `workers`. */
  join(index: number, workers: number): void {
    this.index = index;
    this.workers = workers;
    this.restart(-1);
  }

  /** A sync: the trainer's model to start from, and this helper's shard of step `step`. */
  sync(gen: number, step: number, state: ReplicaState, shard: Shard, keepAwake: boolean): void {
    if (!this.model) throw new Error('a shard before the network');
    this.restart(gen);
    this.keepAwake = keepAwake;
    this.model.setParameters(state.params);
    this.count = state.params.length;
    this.model.setOptimizer(state.optimizer);
    this.model.setOptimizerState(state.optimizerState);
    const early = this.early.filter((c) => c.gen === gen);
    this.early = [];
    for (const c of early) this.ledger.add(c);
    this.compute(step, shard);
  }

  /** The shard of a step the trainer starts after a pause (no sync: nothing changed). */
  shard(gen: number, step: number, shard: Shard): void {
    if (gen === this.gen) this.compute(step, shard);
  }

  /** The trainer's contribution to a step, and this helper's shard of the next when training goes on. */
  trainerContribution(c: Contribution, next: Shard | null): void {
    if (c.gen !== this.gen) return;
    if (next) this.following.set(c.step + 1, next);
    this.ledger.add(c);
    this.tryStep(c.step);
  }

  /** Another helper's contribution. */
  peerContribution(c: Contribution): void {
    if (c.gen > this.gen) this.early.push(c);
    if (c.gen !== this.gen) return;
    this.ledger.add(c);
    this.tryStep(c.step);
  }

  /** Forgets every step in flight: a sync starts anew, and a helper that left the pool stops. */
  private restart(gen: number): void {
    this.gen = gen;
    this.ledger.clear((c) => this.release(c));
    this.ledger = new Contributions(this.workers);
    this.totals.clear();
    this.following.clear();
  }

  private release(c: Contribution): void {
    if (c.from !== this.index) this.shelf.put(c.from, c.gradients);
  }

  private compute(step: number, shard: Shard): void {
    const model = this.model!; // a sync came first
    const lossSum = model.shardGradients(shard.inputs, shard.labels, shard.batchTotal);
    const count = this.count;
    if (this.own.length !== count) this.own = new Float32Array(count);
    model.gradients(this.own);
    this.totals.set(step, shard.batchTotal);
    const mine = (gradients: Float32Array): Contribution => ({ gen: this.gen, step, from: this.index, lossSum, gradients });
    for (let w = 0; w < this.workers; w++) {
      if (w === this.index) continue;
      const copy = this.shelf.take(w, count);
      copy.set(this.own);
      if (w === 0) this.links.toTrainer(mine(copy), shard);
      else this.links.toPeer(w, mine(copy));
    }
    this.ledger.add(mine(this.own));
    this.tryStep(step);
  }

  /** Takes step `step` once every worker's contribution is in, then computes the next shard if it came. */
  private tryStep(step: number): void {
    const total = this.totals.get(step);
    if (total === undefined) return; // this helper's own shard comes first
    if (this.sumBuffer.length !== this.own.length) this.sumBuffer = new Float32Array(this.own.length);
    const summed = this.ledger.sum(step, total, this.sumBuffer, (c) => this.release(c));
    if (!summed) return;
    this.totals.delete(step);
    this.model!.setGradients(summed.gradients);
    this.model!.applyGradients(summed.loss);
    const next = this.following.get(step + 1);
    this.following.delete(step + 1);
    if (next) this.compute(step + 1, next);
  }
}
