// Undo/redo of the whole scene, kept below the views: a list of snapshots (the scene JSON the
// core writes, the optimizer's state, which example it belongs to, and the page's loss curve)
// with a cursor. Every
// change the controller makes ends in one snapshot; undo/redo hand back a snapshot to load.
// Plain data, no DOM: whatever page draws the scene later can reuse it as it is.
import type { OptimizerState } from './wasm/cnnlens.mjs';

/** One state of the work: enough to rebuild the model and every label and counter beside it. */
export interface HistoryEntry {
  /** Model.toJSON(): network, parameters, input, target, optimizer settings */
  json: string;
  /** Model.optimizerState(): step count (Adam's t), moments, last change, the core's loss history */
  optimizer: OptimizerState;
  /** which example the scene belongs to ('custom' for files, links and scripts) */
  presetId: string;
  /** every training loss since the scene was opened (the curve and the step counter) */
  curve: number[];
  /** steps at which the optimizer was switched, and to what (drawn on the curve) */
  switches: OptimizerSwitch[];
  /** what led to this state ("edit a cell", "train 5 steps"), for the buttons' tooltips */
  label: string;
}

export interface OptimizerSwitch { at: number; kind: string }

export interface HistoryLimits { maxEntries: number; maxBytes: number }

/** Defaults: generous for the small examples, a few dozen steps of the digits net. */
export const DEFAULT_LIMITS: HistoryLimits = { maxEntries: 100, maxBytes: 24 * 1024 * 1024 };

/** Rough memory of an entry: UTF-16 strings, 8 bytes per number, the optimizer's Float32Arrays. */
export function entryBytes(e: HistoryEntry): number {
  return 2 * (e.json.length + e.label.length + e.presetId.length) + 8 * e.curve.length + 32 * e.switches.length + 64 +
    optimizerBytes(e.optimizer);
}

/** The optimizer state's arrays (4 bytes a value) and a little per parameter for the objects. */
export function optimizerBytes(o: OptimizerState): number {
  let n = o.lossHistory.byteLength + 32;
  for (const p of o.params) n += (p.momentum?.byteLength ?? 0) + (p.velocity?.byteLength ?? 0) + (p.delta?.byteLength ?? 0) + 2 * (p.node.length + p.name.length) + 64;
  return n;
}

export class History {
  private entries: HistoryEntry[] = [];
  private sizes: number[] = [];
  private cursor = -1;
  private bytes = 0;
  /** how many of the oldest steps were dropped to stay within the limits (since the page opened) */
  dropped = 0;

  constructor(readonly limits: HistoryLimits = DEFAULT_LIMITS) {}

  /** The state shown now. */
  get current(): HistoryEntry | null {
    return this.entries[this.cursor] ?? null;
  }

  get canUndo(): boolean { return this.cursor > 0; }
  get canRedo(): boolean { return this.cursor < this.entries.length - 1; }
  /** what undo would take back / redo would do again */
  get undoLabel(): string { return this.canUndo ? this.entries[this.cursor].label : ''; }
  get redoLabel(): string { return this.canRedo ? this.entries[this.cursor + 1].label : ''; }
  get size(): number { return this.entries.length; }
  get memory(): number { return this.bytes; }

  /**
   * Records a new state after the current one; anything that could have been redone is gone
   * (as in every editor). A state equal to the current one is not recorded twice.
   */
  push(e: HistoryEntry): boolean {
    const cur = this.current;
    if (cur && cur.json === e.json && cur.presetId === e.presetId && cur.curve.length === e.curve.length) return false;
    while (this.entries.length > this.cursor + 1) {
      this.entries.pop();
      this.bytes -= this.sizes.pop()!;
    }
    const size = entryBytes(e);
    this.entries.push(e);
    this.sizes.push(size);
    this.bytes += size;
    this.cursor = this.entries.length - 1;
    this.trim();
    return true;
  }

  /** Moves one state back; returns it to be loaded, or null at the oldest state kept. */
  undo(): HistoryEntry | null {
    if (!this.canUndo) return null;
    this.cursor--;
    return this.entries[this.cursor];
  }

  redo(): HistoryEntry | null {
    if (!this.canRedo) return null;
    this.cursor++;
    return this.entries[this.cursor];
  }

  /** Drops the oldest states (never the current one) until both limits hold. */
  private trim(): void {
    const { maxEntries, maxBytes } = this.limits;
    while (this.cursor > 0 && (this.entries.length > maxEntries || this.bytes > maxBytes)) {
      this.entries.shift();
      this.bytes -= this.sizes.shift()!;
      this.cursor--;
      this.dropped++;
    }
  }
}
