// <cnn-lens> custom element: a live, configured visualizer in any page with one script tag.
//   <script type="module" src="https://…/cnn-lens-element.js"></script>
//   <cnn-lens scene="classic" view="both" panels="input,conv,loss" readonly></cnn-lens>
// Each element owns its Model, UI state and App inside a shadow root (styles scoped there);
// the wasm module is created once per page and shared.
import css from '../styles.css?inline';
import createCnnLens from '../wasm/cnnlens.mjs';
import type { CnnLensModule, Model } from '../wasm/cnnlens.mjs';
import { App } from '../app';
import { Engine } from '../engine';
import { findPreset, PRESETS } from '../presets';
import { parseScene } from '../scene';
import { initialState, type UIState } from '../state';
import { S, loadStrings } from '../strings';
import { decodeScene } from '../share/codec';
import { openScene } from '../share/host';
import { showNotice } from '../share/notice';
import { parseView } from '../share/storage';
import type { Theme } from '../theme';
import { TOGGLE_THEME } from '../views/header';
import { applyPanels, parsePanels, setReadonly } from './panels';

let modulePromise: Promise<CnnLensModule> | null = null;
/** The one wasm module of the page, shared by every element. */
export function sharedModule(): Promise<CnnLensModule> {
  return (modulePromise ??= createCnnLens());
}

/**
 * The page stylesheet re-targeted at the shadow root: :root -> :host, body -> the app root, and
 * the dark theme's variables onto the app root when it carries data-theme="dark".
 */
function shadowCss(): string {
  return css.replace(/:root\[data-theme=(['"]?)dark\1\]/g, '.cnnlens-root[data-theme="dark"]')
    .replace(/:root\b/g, ':host').replace(/(^|[}\s,])body(?=\s*[{,])/g, '$1.cnnlens-root')
    + '\n:host { display: block; }\n';
}

const prefersDark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

/** theme="dark" | "light" | "auto" (follows the reader's system setting); light by default. */
function themeFor(attr: string | null): Theme {
  const t = attr?.trim().toLowerCase();
  return t === 'dark' || (t === 'auto' && prefersDark()) ? 'dark' : 'light';
}

type Resolved = { json: string; view?: string | null } | { error: string };

/** scene="classic" (a preset), a JSON URL, a share link (…?scene=1.…), or inline JSON. */
async function resolveScene(attr: string | null): Promise<Resolved | null> {
  const text = attr?.trim();
  if (!text) return null;
  const preset = findPreset(text);
  if (preset) return { json: preset.json };
  if (text.startsWith('{')) return { json: text };
  try {
    const url = new URL(text, document.baseURI);
    const payload = url.searchParams.get('scene');
    if (payload) {
      const d = await decodeScene(payload);
      return d.ok ? { json: d.json, view: url.searchParams.get('view') } : { error: `${d.reason === 'version' ? S.noticeOldLink : S.noticeDamagedLink} ${S.noticeShowingDefault}` };
    }
    const res = await fetch(url);
    // a bare word that is no file here was meant as an example's name: say which names there are
    if (res.status === 404 && /^[\w-]+$/.test(text)) return { error: S.noticeBadScene(text, S.noticeUnknownExample(PRESETS.map((p) => p.id).join(', '))) };
    if (!res.ok) return { error: S.noticeBadScene(text, `HTTP ${res.status}`) };
    return { json: await res.text() };
  } catch (e) {
    return { error: S.noticeBadScene(text, e instanceof Error ? e.message : String(e)) };
  }
}

export class CnnLensElement extends HTMLElement {
  static observedAttributes = ['scene', 'view', 'panels', 'readonly', 'theme'];
  private app: App | null = null;
  private root: HTMLElement | null = null;
  private starting: Promise<void> | null = null;
  /** counts removals, so a start still loading when its element was removed stops there */
  private generation = 0;

  /** Bytes of the shared wasm heap in use (leak checks: created and removed elements give it back). */
  static async heapInUse(): Promise<number> {
    return (await sharedModule()).heapInUse();
  }

  /** The element's own model (course authors, tests). */
  get model(): Model | undefined { return this.app?.controller.engine.model; }
  get state(): UIState | undefined { return this.app?.state; }
  /** Resolves once the element has drawn its scene. */
  get ready(): Promise<void> { return this.starting ?? Promise.resolve(); }
  sceneJSON(): string { return this.app?.controller.engine.sceneJson() ?? ''; }
  /** Redraw after changing the model directly; drawing is finished on return (like window.cnnlens.refresh). */
  refresh(): void {
    if (!this.app) return;
    this.app.state.scene = this.app.controller.current();
    this.app.render();
    this.app.settle();
  }

  connectedCallback(): void {
    this.starting ??= this.start();
  }

  disconnectedCallback(): void {
    // Moving an element disconnects and reconnects it in one task: only a lasting removal frees it.
    queueMicrotask(() => { if (!this.isConnected) this.dispose(); });
  }

  /**
   * Removed from the page: training stops, every page-wide listener goes, the Model is freed and
   * the shadow content cleared. Put back later, the element starts again from its attributes.
   */
  private dispose(): void {
    this.generation++;
    this.app?.dispose();
    this.app = null;
    this.root = null;
    this.starting = null;
    delete this.dataset.ready;
    this.shadowRoot?.replaceChildren();
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    const app = this.app, root = this.root;
    if (!app || !root || old === value) return;
    if (name === 'view') { const v = parseView(value); if (v) app.controller.setMode(v); }
    else if (name === 'panels') applyPanels(root, parsePanels(value));
    else if (name === 'readonly') { setReadonly(app, root, value !== null); app.render(); }
    else if (name === 'scene') void this.loadAttrScene();
    else if (name === 'theme') this.setTheme(themeFor(value));
  }

  private async start(): Promise<void> {
    const generation = this.generation;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = shadowCss();
    const root = document.createElement('div');
    root.className = 'cnnlens-root loading';
    root.dataset.theme = themeFor(this.getAttribute('theme'));
    root.style.colorScheme = root.dataset.theme;
    root.textContent = S.loading;
    shadow.replaceChildren(style, root);
    try {
      const [module] = await Promise.all([sharedModule(), loadStrings()]);
      if (generation !== this.generation) return; // removed while the module loaded
      const engine = new Engine(module);
      const first = engine.load(PRESETS[0].json);
      if (!first.ok) throw new Error(first.error);
      const state = initialState(PRESETS[0].id, parseScene(engine.sceneJson()));
      root.classList.remove('loading');
      const app = new App(root, engine, state);
      this.app = app;
      this.root = root;
      // the header's theme button switches this element only, never the host page
      root.addEventListener(TOGGLE_THEME, (e) => { e.stopPropagation(); this.setTheme((e as CustomEvent<Theme>).detail); });
      window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
        if (this.getAttribute('theme')?.trim().toLowerCase() === 'auto') this.setTheme(themeFor('auto'));
      }, { signal: app.controller.lifetime.signal });
      applyPanels(root, parsePanels(this.getAttribute('panels')));
      if (this.hasAttribute('readonly')) setReadonly(app, root, true);
      await this.loadAttrScene();
      await app.whenBuilt(); // ready: every card of the network exists
      if (generation !== this.generation) return;
      this.dataset.ready = 'true';
      this.dispatchEvent(new CustomEvent('cnnlens-ready', { bubbles: true, composed: true }));
    } catch (e) {
      root.textContent = S.loadFailed(e instanceof Error ? e.message : String(e));
      root.setAttribute('role', 'alert');
    }
  }

  private setTheme(theme: Theme): void {
    const root = this.root;
    if (!root || root.dataset.theme === theme) return;
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
    this.app?.render();
  }

  private async loadAttrScene(): Promise<void> {
    const app = this.app!, root = this.root!;
    const got = await resolveScene(this.getAttribute('scene'));
    if (this.app !== app) return; // removed (or restarted) while the scene was fetched
    let notice: string | null = null;
    let view = parseView(this.getAttribute('view'));
    if (got && 'error' in got) notice = got.error;
    else if (got) {
      const r = openScene(app, got.json);
      if (!r.ok) notice = S.noticeBadScene(this.getAttribute('scene') ?? '', r.error);
      view ??= parseView(got.view);
    }
    app.state.mode = view ?? app.state.mode;
    app.render();
    if (notice) showNotice(root, notice);
  }
}

if (!customElements.get('cnn-lens')) customElements.define('cnn-lens', CnnLensElement);

declare global {
  interface HTMLElementTagNameMap { 'cnn-lens': CnnLensElement }
}
