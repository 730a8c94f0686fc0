// The bookkeeping every worker of a shared step does alike (the trainer in shardPool.ts, each
// helper in replica.ts): gathering the workers' contributions to a step until all are in, adding
// them in worker order, and keeping the arrays that arrived for the next message back to their
// sender, so a step allocates no arrays once training runs (a garbage collection would pause one
// worker, and so all of them). It imports only shards.ts, so Node tests run it as it is.
import type { Contribution } from './protocol';
import { sumInOrder } from './shards';

/** The contributions to the steps in flight (at most two: one being added, one computed ahead). */
export class Contributions {
  private readonly byStep = new Map<number, (Contribution | undefined)[]>();

  constructor(readonly workers: number) {}

  add(c: Contribution): void {
    let slots = this.byStep.get(c.step);
    // filled, not sparse: some() and every() skip the holes of a sparse array
    if (!slots) this.byStep.set(c.step, (slots = Array<Contribution | undefined>(this.workers).fill(undefined)));
    slots[c.from] = c;
  }

  /**
   * When every worker's contribution to `step` is in: the batch's gradient (written into `into`)
   * and mean loss, the same bits on every worker; the step's contributions are then forgotten
   * and handed to `release`. Else null.
   */
  sum(step: number, batchTotal: number, into: Float32Array, release: (c: Contribution) => void): { gradients: Float32Array; loss: number } | null {
    const slots = this.byStep.get(step);
    if (!slots || slots.length !== this.workers || slots.some((c) => c === undefined)) return null;
    const all = slots as Contribution[];
    const result = sumInOrder(all.map((c) => c.gradients), all.map((c) => c.lossSum), batchTotal, into);
    this.byStep.delete(step);
    for (const c of all) release(c);
    return result;
  }

  /** Forgets every step (a sync restarts the copies): their arrays go to `release`. */
  clear(release: (c: Contribution) => void): void {
    for (const slots of this.byStep.values()) for (const c of slots) if (c) release(c);
    this.byStep.clear();
  }
}

/**
 * Arrays that came from each worker, kept to carry the next message to it: each pair of workers
 * sends each other one array a step, so what comes in is what goes out.
 */
export class Shelf {
  private readonly kept = new Map<number, Float32Array[]>();

  /** An array of `length` values for a message to worker `to`: one it sent, else a new one. */
  take(to: number, length: number): Float32Array {
    const list = this.kept.get(to);
    while (list?.length) {
      const a = list.pop()!;
      if (a.length === length) return a;
    }
    return new Float32Array(length);
  }

  /** Keeps `array`, which came from worker `from` (arrays of another length are dropped when taken). */
  put(from: number, array: Float32Array): void {
    const list = this.kept.get(from) ?? [];
    // two per worker cover a step being added and one computed ahead
    if (list.length < 2) list.push(array);
    this.kept.set(from, list);
  }
}
