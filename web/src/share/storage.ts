// Work kept across reloads: the scene (compact, exact numbers) and the view in localStorage,
// saved at most every 300 ms while things change and on page hide. Malformed storage is
// reported once and removed, never thrown. A scene too large for the browser's storage is not
// written (its size is checked first, and a full storage is caught): the saver says so once, and
// keeps the address of a model opened from one, so a reload opens that model again.
import type { ViewMode } from '../state';
import { compactScene } from './numbers';
import { modelSource, sourceOf, type ModelSource } from './modelSource';

export const STORAGE_KEY = 'cnnlens:work';

/**
 * `scene` is '' when only `model`'s address was kept (the scene was too large to keep), or when
 * `example` says the work is the example `presetId` exactly as shipped (nothing to keep but its id).
 */
export interface Saved { v: 1; scene: string; view: ViewMode; presetId: string; model?: ModelSource; example?: true }

/**
 * Characters of saved work the page writes at most: browsers keep about 5 MB per site
 * (5 million UTF-16 characters in Chromium and Firefox), shared with the language and theme.
 * Tests (and hosts that know better) may set window.cnnlensStorageLimit.
 */
export const STORAGE_LIMIT = 4_000_000;

function storageLimit(): number {
  const set = (window as { cnnlensStorageLimit?: unknown }).cnnlensStorageLimit;
  return typeof set === 'number' && set > 0 ? set : STORAGE_LIMIT;
}

export type LoadResult = { kind: 'none' } | { kind: 'ok'; saved: Saved } | { kind: 'bad' };

const VIEWS: ViewMode[] = ['values', 'gradients', 'both'];
export const parseView = (v: string | null | undefined): ViewMode | null => (VIEWS.includes(v as ViewMode) ? (v as ViewMode) : null);

function storage(): Storage | null {
  try { return window.localStorage; } catch { return null; }
}

export function loadSaved(): LoadResult {
  const ls = storage();
  let text: string | null = null;
  try { text = ls?.getItem(STORAGE_KEY) ?? null; } catch { return { kind: 'none' }; }
  if (text === null) return { kind: 'none' };
  try {
    const s = JSON.parse(text) as Partial<Saved>;
    if (s?.v !== 1 || typeof s.scene !== 'string' || typeof s.presetId !== 'string') throw new Error('shape');
    const model = s.model && typeof s.model.url === 'string' ? s.model : undefined;
    const example = s.example === true && s.scene === '' ? true : undefined;
    if (s.scene !== '' || (!model && !example)) JSON.parse(s.scene);
    return { kind: 'ok', saved: { v: 1, scene: s.scene, view: parseView(s.view) ?? 'values', presetId: s.presetId, ...(model ? { model } : {}), ...(example ? { example } : {}) } };
  } catch {
    clearSaved();
    return { kind: 'bad' };
  }
}

export function clearSaved(): void {
  try { storage()?.removeItem(STORAGE_KEY); } catch { /* storage unavailable */ }
}

/** Scene text this long is saved only after edits pause for BIG_SCENE_PAUSE_MS. */
const BIG_SCENE_CHARS = 200_000;
const BIG_SCENE_PAUSE_MS = 1500;

/**
 * Debounced writer: schedule() on every change; flush() writes now. A scheduled save runs in
 * three short tasks (read the scene, compact it, store it) rather than one long one, and skips
 * the work when the scene text is the one saved last (the engine hands back the same string
 * until the model changes).
 */
export class Saver {
  private timer = 0;
  private last = '';
  private lastScene = '';
  private lastLabels = '';
  private generation = 0;
  /** the last scene was too large to keep (reported once until one fits again) */
  private over = false;
  /** Told when the scene can't be kept: its size in characters, and the address kept instead (or null). */
  onTooLarge: ((chars: number, keptUrl: string | null) => void) | null = null;

  /**
   * `read().shipped`: the scene is the example `presetId` as shipped, so only the id is written
   * (the Digits net as shipped is 90,000 characters of weights, compacted and stored on every
   * opening before; now nothing is compacted, and a reload opens the example itself).
   */
  constructor(private readonly read: () => { sceneJson: string; view: ViewMode; presetId: string; shipped: boolean }) {
    window.addEventListener('pagehide', () => this.flush());
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') this.flush(); });
  }

  schedule(): void {
    // a big scene (a photo as the input: megabytes of text) is saved once the edits pause, not
    // every 300 ms while they go on: compacting and storing it are long tasks of their own
    if (this.lastScene.length > BIG_SCENE_CHARS) {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => { this.timer = 0; void this.saveInSteps(); }, BIG_SCENE_PAUSE_MS);
      return;
    }
    if (!this.timer) this.timer = window.setTimeout(() => { this.timer = 0; void this.saveInSteps(); }, 300);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = 0;
    this.generation++;
    try {
      const { sceneJson, view, presetId, shipped } = this.read();
      this.store(sceneJson, shipped ? null : compactScene(sceneJson), view, presetId);
    } catch { /* quota exceeded or storage disabled: keep working without saving */ }
  }

  private async saveInSteps(): Promise<void> {
    const gen = ++this.generation;
    const pause = () => new Promise((done) => setTimeout(done, 0));
    try {
      const { sceneJson, view, presetId, shipped } = this.read();
      if (sceneJson === this.lastScene && `${view}|${presetId}` === this.lastLabels) return;
      if (shipped) {
        this.store(sceneJson, null, view, presetId);
        return;
      }
      await pause();
      if (gen !== this.generation) return;
      const compact = compactScene(sceneJson);
      await pause();
      if (gen !== this.generation) return;
      this.store(sceneJson, compact, view, presetId);
    } catch { /* quota exceeded or storage disabled: keep working without saving */ }
  }

  /** `compact` null: the example as shipped, kept by its id. */
  private store(sceneJson: string, compact: string | null, view: ViewMode, presetId: string): void {
    const model = modelSource() ?? undefined;
    const text = compact === null
      ? JSON.stringify({ v: 1, scene: '', view, presetId, example: true } satisfies Saved)
      : JSON.stringify({ v: 1, scene: compact, view, presetId, model } satisfies Saved);
    this.lastScene = sceneJson;
    this.lastLabels = `${view}|${presetId}`;
    if (text === this.last || !storage()) return;
    this.last = text; // written or not: the same text is not tried again
    if (text.length <= storageLimit() && write(text)) {
      this.over = false;
      return;
    }
    // Too large. A model opened from an address keeps the address (a reload opens it again, as
    // it was); otherwise the work saved last stays as it is.
    const from = sourceOf(sceneJson, presetId);
    const kept = from !== null && model !== undefined && write(JSON.stringify({ v: 1, scene: '', view, presetId, model } satisfies Saved));
    if (!this.over) this.onTooLarge?.(text.length, from && kept ? from.url : null);
    this.over = true;
  }
}

/** Writes the saved work; false when the storage refuses (full: QuotaExceededError, or disabled). */
function write(text: string): boolean {
  try {
    const ls = storage();
    if (!ls) return false;
    ls.setItem(STORAGE_KEY, text);
    return true;
  } catch {
    return false;
  }
}
