// Work kept across reloads: the scene (compact, exact numbers) and the view in localStorage,
// saved at most every 300 ms while things change and on page hide. Malformed storage is
// reported once and removed, never thrown.
import type { ViewMode } from '../state';
import { compactScene } from './numbers';

export const STORAGE_KEY = 'cnnlens:work';

export interface Saved { v: 1; scene: string; view: ViewMode; presetId: string }

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
    JSON.parse(s.scene);
    return { kind: 'ok', saved: { v: 1, scene: s.scene, view: parseView(s.view) ?? 'values', presetId: s.presetId } };
  } catch {
    clearSaved();
    return { kind: 'bad' };
  }
}

export function clearSaved(): void {
  try { storage()?.removeItem(STORAGE_KEY); } catch { /* storage unavailable */ }
}

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

  constructor(private readonly read: () => { sceneJson: string; view: ViewMode; presetId: string }) {
    window.addEventListener('pagehide', () => this.flush());
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') this.flush(); });
  }

  schedule(): void {
    if (!this.timer) this.timer = window.setTimeout(() => { this.timer = 0; void this.saveInSteps(); }, 300);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = 0;
    this.generation++;
    try {
      const { sceneJson, view, presetId } = this.read();
      this.store(sceneJson, compactScene(sceneJson), view, presetId);
    } catch { /* quota exceeded or storage disabled: keep working without saving */ }
  }

  private async saveInSteps(): Promise<void> {
    const gen = ++this.generation;
    const pause = () => new Promise((done) => setTimeout(done, 0));
    try {
      const { sceneJson, view, presetId } = this.read();
      if (sceneJson === this.lastScene && `${view}|${presetId}` === this.lastLabels) return;
      await pause();
      if (gen !== this.generation) return;
      const compact = compactScene(sceneJson);
      await pause();
      if (gen !== this.generation) return;
      this.store(sceneJson, compact, view, presetId);
    } catch { /* quota exceeded or storage disabled: keep working without saving */ }
  }

  private store(sceneJson: string, compact: string, view: ViewMode, presetId: string): void {
    const text = JSON.stringify({ v: 1, scene: compact, view, presetId } satisfies Saved);
    this.lastScene = sceneJson;
    this.lastLabels = `${view}|${presetId}`;
    if (text === this.last) return;
    storage()?.setItem(STORAGE_KEY, text);
    this.last = text;
  }
}
