// Boot-time glue of the full page (main.ts calls bootShare once, after the first render):
// opens a shared link (?scene=…&view=…) or, without one or when it fails, the saved work (a
// failed link never replaces it), adds the share toolbar, saves on every change, adds CSV
// buttons to tensor blocks, and runs the compact iframe mode (?embed=1).
// A model's address (?model=URL, or kept by autosave) is opened after the page is up, over the
// saved work, which stays if it fails (./modelUrl.ts).
import type { App } from '../app';
import { findPreset, PRESETS } from '../presets';
import { S } from '../strings';
import { button } from '../views/dom';
import { applyPanels, parsePanels, postHeight, setReadonly } from '../embed/panels';
import { decodeScene } from './codec';
import { csvName, download, fileStem, tensorCsv, tensorOf } from './exporters';
import { isTensorRef, regionOf, testIdOf } from '../tensorRef';
import { showNotice } from './notice';
import { ShareBar, shareLink } from './shareBar';
import { clearSaved, loadSaved, parseView, Saver } from './storage';
import { modelSource, restoreModelSource } from './modelSource';
import { openModelUrl } from './modelUrl';
import { addHostedModels } from '../hostedModels';

/** The preset a scene came from (same title), so per-layer Reset still means "the example's values". */
export function presetIdOf(json: string): string {
  try {
    const title = (JSON.parse(json) as { title?: string }).title;
    return PRESETS.find((p) => p.title === title)?.id ?? 'custom';
  } catch {
    return 'custom';
  }
}

/** Loads a scene keeping its preset as the per-layer reset reference. */
export function openScene(app: App, json: string): { ok: true } | { ok: false; error: string } {
  const id = presetIdOf(json);
  const preset = findPreset(id);
  if (preset && !app.controller.loadScene(preset.json, id).ok) return { ok: false, error: 'preset' };
  const r = preset ? app.controller.loadScene(json) : app.controller.loadScene(json, id);
  if (!r.ok && preset) app.controller.loadScene(PRESETS[0].json, PRESETS[0].id);
  return r.ok ? { ok: true } : r;
}

function addCsvButtons(app: App, root: HTMLElement): void {
  for (const head of root.querySelectorAll<HTMLElement>('.pipeline .block-head:not([data-cl-csv])')) {
    head.dataset.clCsv = '1';
    const ref = regionOf(head.parentElement as HTMLElement);
    if (!isTensorRef(ref)) continue;
    const title = head.querySelector('.block-title')?.textContent ?? '';
    head.append(button(S.csv, () => {
      const t = tensorOf(app.snapshot(), ref);
      if (t) download(csvName(fileStem(app.state.scene.title), ref), tensorCsv(t), 'text/csv');
    }, { class: 'cl-csv', title: S.csvTitle(title), 'aria-label': S.csvTitle(title), testid: `csv-${testIdOf(ref).replace(/^block-/, '')}` }));
  }
}

export async function bootShare(app: App, root: HTMLElement): Promise<void> {
  const url = new URL(window.location.href);
  const params = url.searchParams;
  const embed = params.get('embed') === '1';
  const view = parseView(params.get('view'));
  const st = app.state;
  let notice: string | null = null;
  /**
   * an address to open once the page is up: ?model=, or the one autosave kept for a large model
   * (an empty ?model= is no address: it would fetch the page itself)
   */
  let modelUrl = params.get('model')?.trim() || null;
  let openAfterNotice: (() => void) | null = null;

  const sceneParam = params.get('scene');
  /** why the link could not be opened ('' when it was, or there is none) */
  let linkProblem = '';
  if (sceneParam !== null) {
    const d = await decodeScene(sceneParam);
    if (!d.ok) linkProblem = d.reason === 'version' ? S.noticeOldLink : S.noticeDamagedLink;
    else {
      const r = openScene(app, d.json);
      if (!r.ok) linkProblem = S.noticeRejectedLink(r.error);
    }
  }
  // the saved work, unless a link opened: a link that fails leaves it as a reload would show it
  // (autosave then keeps it, rather than writing the default example over it)
  if ((sceneParam === null || linkProblem) && !embed) {
    const saved = loadSaved();
    let restored = false;
    if (saved.kind === 'bad') notice = S.noticeBadStorage;
    else if (saved.kind === 'ok' && saved.saved.example) {
      // the example as shipped: opened again from the menu's own copy
      if (findPreset(saved.saved.presetId)) {
        app.controller.loadPreset(saved.saved.presetId);
        restored = true;
      }
      if (!view) st.mode = saved.saved.view;
    } else if (saved.kind === 'ok' && saved.saved.scene === '') {
      // only the address of a model too large to keep: open it again from there
      modelUrl ??= saved.saved.model?.url ?? null;
      restored = modelUrl !== null;
      if (!view) st.mode = saved.saved.view;
    } else if (saved.kind === 'ok') {
      const r = openScene(app, saved.saved.scene);
      if (!r.ok) { clearSaved(); notice = S.noticeBadStorage; }
      else {
        restored = true;
        restoreModelSource(saved.saved.model);
        if (!view) st.mode = saved.saved.view;
      }
    }
    // (saved work that could not be read says so instead of "Showing the default example")
    if (linkProblem) notice = `${linkProblem} ${restored ? S.noticeShowingSaved : notice ?? S.noticeShowingDefault}`;
  } else if (linkProblem) notice = `${linkProblem} ${S.noticeShowingDefault}`;
  if (view) st.mode = view;

  if (embed) {
    applyPanels(root, parsePanels(params.get('panels')));
    if (params.get('readonly') === '1') setReadonly(app, root, true);
    app.render();
    postHeight(root);
  } else {
    // the address bar keeps lang/lesson; the scene now lives in the saved work, so a reload
    // shows the latest edits instead of the link's original state
    if (sceneParam !== null || view) {
      params.delete('scene');
      params.delete('view');
      history.replaceState(history.state, '', url.href);
    }
    const bar = new ShareBar(app, root);
    root.querySelector('.app-tools .tool-row')?.append(bar.el);
    const saver = new Saver(() => {
      const sceneJson = app.controller.engine.sceneJson();
      // a model opened from an address keeps its address (and its own saving rules)
      return { sceneJson, view: st.mode, presetId: st.presetId, shipped: modelSource() === null && app.controller.isShipped(sceneJson) };
    });
    saver.onTooLarge = (chars, keptUrl) => {
      const mb = chars / (1024 * 1024);
      const size = mb >= 0.1 ? mb.toFixed(1) : mb.toPrecision(1);
      const el = showNotice(root, keptUrl ? S.storageTooLargeUrl(size, keptUrl) : S.storageTooLarge(size));
      el.dataset.testid = 'notice-storage';
      el.insertBefore(button(S.saveFile, () => bar.exportJson(), { testid: 'notice-save-file' }), el.lastElementChild);
    };
    app.onRender(() => saver.schedule());
    app.onCards(() => addCsvButtons(app, root));
    app.render();
    if (sceneParam !== null && !notice) saver.flush();
    const openModel = (address: string) => openModelUrl(app, root, bar, address);
    const menu = root.querySelector<HTMLSelectElement>('select.preset-select');
    if (menu) addHostedModels(menu, () => st.presetId, (address) => void openModel(address));
    Object.assign(window.cnnlens ?? {}, { shareLink: () => shareLink(app), importScene: (text: string) => bar.importText(text, 'scene.json'), openModel });
    const address = modelUrl;
    if (address !== null && (sceneParam === null || linkProblem)) {
      openAfterNotice = () => void openModel(address).then((ok) => {
        // the model now lives in the saved work: a reload shows the latest edits, not a fresh download
        const now = new URL(window.location.href);
        if (ok && now.searchParams.get('model') === address) {
          now.searchParams.delete('model');
          history.replaceState(history.state, '', now.href);
        }
      });
    }
  }
  if (notice) showNotice(root, notice);
  // not awaited: the page is ready with the current work while the model downloads
  openAfterNotice?.();
}
