// Loads the "Teach it your classes" dashboard (web/src/teach/dashboard.ts) the first time its
// example is open, so the page and the <cnn-lens> element carry none of it until then.
import type { App } from '../app';
import type { Engine } from '../engine';
import { TEACH_PRESET } from '../presets';
import type { UIState } from '../state';

export function mountTeachWhenOpened(app: App, engine: Engine, state: UIState, root: HTMLElement): void {
  let afterRender: (() => void) | null = null;
  let loading = false;
  const check = () => {
    if (afterRender) { afterRender(); return; }
    if (loading || state.presetId !== TEACH_PRESET) return;
    loading = true;
    void import('./dashboard').then((m) => {
      afterRender = m.mountTeach(app, engine, state, root);
      afterRender();
    });
  };
  app.onRender(check);
  check();
}
