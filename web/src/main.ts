// Entry point: loads the wasm core, opens the classic example, exposes window.cnnlens.
import './styles.css';
import createCnnLens from './wasm/cnnlens.mjs';
import type { CnnLensModule, Model } from './wasm/cnnlens.mjs';
import { App } from './app';
import { Engine, type Result } from './engine';
import { PRESETS } from './presets';
import { parseScene } from './scene';
import { initialState, type UIState } from './state';
import { S, loadStrings } from './strings';
import { LANG, LANGUAGES, loadLanguage, wordError, wordedCodes } from './i18n';
import { initTheme, setTheme, THEME_TOGGLED, type Theme } from './theme';
import { TOGGLE_THEME } from './views/header';
import { mountLesson } from './lesson/lesson';
import { bootShare } from './share/host';
import { mountDataSets } from './digits/digits';
import { mountPhotoBar } from './photo/photoBar';
import { mountTeachWhenOpened } from './teach/mount';
import { mountHistoryKeys } from './historyKeys';
import { sceneLabel } from './labels';
import { h } from './views/dom';

/** The surface for course authors; see web/API-PAGE.md. */
export interface CnnLensPage {
  module: CnnLensModule;
  readonly model: Model;
  readonly state: UIState;
  readonly lastRenderMs: number;
  loadScene(scene: string | object): Result<void>;
  refresh(): void;
  sceneJSON(): string;
}

declare global {
  interface Window { cnnlens?: CnnLensPage }
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  // language (web/src/i18n) and theme (web/src/theme.ts) before the first render
  document.documentElement.lang = LANGUAGES[LANG].tag;
  const themeChanged = () => document.dispatchEvent(new CustomEvent(THEME_TOGGLED));
  initTheme(themeChanged);
  document.addEventListener(TOGGLE_THEME, (e) => { setTheme((e as CustomEvent<Theme>).detail); themeChanged(); });
  // for tests and course authors; `load(lang)` fetches a table this page did not need
  Object.assign(window, { cnnlensI18n: { lang: LANG, languages: LANGUAGES, load: loadLanguage, wordError, wordedCodes } });
  await loadStrings();
  root.classList.remove('loading');
  root.textContent = S.loading;
  try {
    const module = await createCnnLens();
    const engine = new Engine(module);
    const preset = PRESETS[0];
    const first = engine.load(preset.json);
    if (!first.ok) throw new Error(first.error);
    const state = initialState(preset.id, parseScene(engine.sceneJson()));
    const app = new App(root, engine, state);
    // the tab's title names the scene truthfully too ("The classic example (edited) — CNN Lens"),
    // and so does the heading a printed page or a PDF starts with (styles.css, @media print)
    const printTitle = h('h1', { class: 'print-title', testid: 'print-title' });
    root.prepend(printTitle);
    app.onLabels(() => {
      const label = sceneLabel(state);
      const t = `${label} — ${S.appTitle}`;
      if (document.title !== t) document.title = t;
      if (printTitle.textContent !== label) printTitle.textContent = label;
    });
    mountHistoryKeys(document, app.controller);
    app.render();
    window.cnnlens = {
      module,
      get model() { return engine.model; },
      get state() { return state; },
      get lastRenderMs() { return app.lastRenderMs; },
      loadScene: (scene) => app.controller.loadScene(typeof scene === 'string' ? scene : JSON.stringify(scene), 'custom'),
      refresh: () => { engine.changedOutside(); state.scene = app.controller.current(); app.render(); app.settle(); },
      sceneJSON: () => engine.sceneJson(),
    };
    await bootShare(app, root); // shared link / saved work, share toolbar, ?embed=1
    mountLesson(app, engine, state, root);
    mountDataSets(app, engine, state, root); // the Digits and Fashion examples' dashboards and training worker
    mountPhotoBar(app, state, root); // the photo example's choice of photo
    mountTeachWhenOpened(app, engine, state, root); // "Teach it your classes", loaded when first opened
    await app.whenBuilt(); // "ready" promises every card of the opening network, also to embedders
    // the graph view's code follows the first drawing, so choosing a graph example later is instant
    await app.loadGraphView();
    document.body.dataset.ready = 'true';
  } catch (e) {
    root.textContent = S.loadFailed(e instanceof Error ? e.message : String(e));
    root.setAttribute('role', 'alert');
  }
}

void start();
