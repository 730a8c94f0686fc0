// The "Share and save" toolbar of the full page: copy link, save JSON, open JSON or ONNX (also by
// dropping the file on the page), PNG, print or PDF, PyTorch code, ONNX.
import type { App } from '../app';
import { S } from '../strings';
import { sceneLabel } from '../labels';
import { button, h } from '../views/dom';
import { encodeScene } from './codec';
import { canvasPng, download, drawCards, fileStem, visibleCards } from './exporters';
import { showNotice } from './notice';
import { openOnnx } from './onnxImport';
import { loadOnnxModule, onnxErrorText } from './onnxModule';
import { compactScene } from './numbers';
import { clearModelSource, sourceOf } from './modelSource';
import { pytorchScript } from './pytorchExport';
import { isGraph } from '../scene';
import { openPictureFor } from '../views/inputCard';

/**
 * The share link of the current scene and view; keeps lang and lesson when present. A model
 * opened from an address (./modelSource.ts), as it was or edited, is linked by its address
 * (`?model=URL`) rather than by its weights; `edited` says the link lacks the changes.
 */
async function linkOf(app: App): Promise<{ href: string; model: { url: string; edited: boolean } | null }> {
  const json = app.controller.engine.sceneJson();
  const from = sourceOf(json, app.state.presetId);
  const here = new URL(window.location.href);
  const url = new URL(here.origin === 'null' ? here.href.split(/[?#]/)[0] : here.origin + here.pathname);
  url.search = '';
  if (from) url.searchParams.set('model', from.url);
  else url.searchParams.set('scene', await encodeScene(json));
  url.searchParams.set('view', app.state.mode);
  for (const keep of ['lang', 'lesson']) {
    const v = here.searchParams.get(keep);
    if (v !== null) url.searchParams.set(keep, v);
  }
  return { href: url.href, model: from && { url: from.url, edited: from.state === 'edited' } };
}

/**
 * The longest link offered: 8,000 characters. Browsers take far longer addresses, but a link
 * travels through servers and apps: nginx's default request-header buffers (8 KB) refuse longer
 * requests, and chat and mail programs cut long links. A bigger scene (a photo as the input:
 * 3×64×64 = 12,288 numbers) is offered as a file instead.
 */
export const MAX_LINK_CHARS = 8000;

export async function shareLink(app: App): Promise<string> {
  return (await linkOf(app)).href;
}

export class ShareBar {
  readonly el: HTMLElement;
  private readonly linkBox: HTMLElement;
  private readonly localBox: HTMLElement;
  private readonly modelBox: HTMLElement;
  private readonly linkField: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly file: HTMLInputElement;
  private dialog: HTMLDialogElement | null = null;

  constructor(private readonly app: App, private readonly root: HTMLElement) {
    this.linkField = h('input', { type: 'text', readonly: true, class: 'cl-link-field', testid: 'share-link-field', 'aria-label': S.linkFallback });
    this.linkBox = h('div', { class: 'cl-link-box', hidden: true }, h('label', {}, S.linkFallback, this.linkField),
      button(S.close, () => { this.linkBox.hidden = true; }, { class: 'icon' }));
    // a page opened from a file: a link would point into this computer, so offer the file itself
    this.localBox = h('div', { class: 'cl-link-box', hidden: true, testid: 'local-link', role: 'status' },
      h('p', {}, S.localLink),
      button(S.saveFile, () => { this.exportJson(); this.localBox.hidden = true; }, { class: 'primary', testid: 'local-save-file' }),
      button(S.close, () => { this.localBox.hidden = true; }, { class: 'icon' }));
    // a link to a model's address, made after the model was edited or trained: say what it holds
    this.modelBox = h('div', { class: 'cl-link-box', hidden: true, testid: 'model-link', role: 'status' },
      h('p', { testid: 'model-link-text' }),
      button(S.saveFile, () => { this.exportJson(); this.modelBox.hidden = true; }, { class: 'primary', testid: 'model-save-file' }),
      button(S.close, () => { this.modelBox.hidden = true; }, { class: 'icon' }));
    this.status = h('span', { class: 'cl-share-status', role: 'status', testid: 'share-status' });
    this.file = h('input', { type: 'file', accept: '.json,application/json,.onnx', hidden: true, testid: 'import-file' });
    this.file.addEventListener('change', () => { const f = this.file.files?.[0]; this.file.value = ''; if (f) void this.openFile(f); });
    // a scene or model file dropped anywhere on the page opens as "Open file…" would open it
    root.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); });
    root.addEventListener('drop', (e) => {
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      e.preventDefault();
      void this.openFile(f);
    });
    this.el = h('div', { class: 'cl-sharebar', role: 'group', 'aria-label': S.shareBar, testid: 'sharebar' },
      button(S.copyLink, () => void this.copyLink(), { title: S.copyLinkTitle, testid: 'share-copy-link' }),
      button(S.exportJson, () => this.exportJson(), { title: S.exportJsonTitle, testid: 'export-json' }),
      button(S.importJson, () => this.file.click(), { title: S.importJsonTitle, testid: 'import-json' }),
      button(S.exportPng, () => void this.exportPng(), { title: S.exportPngTitle, testid: 'export-png' }),
      button(S.exportPdf, () => this.printPage(), { title: S.exportPdfTitle, testid: 'export-pdf' }),
      button(S.exportCode, () => this.showCode(), { title: S.exportCodeTitle, testid: 'export-code' }),
      button(S.exportOnnx, () => void this.exportOnnx(), { title: S.exportOnnxTitle, testid: 'export-onnx' }),
      this.file, this.status, this.linkBox, this.localBox, this.modelBox);
  }

  private title(): string | undefined {
    return this.app.state.scene.title;
  }

  async copyLink(): Promise<void> {
    if (window.location.protocol === 'file:') {
      this.linkBox.hidden = true;
      this.localBox.hidden = false;
      (this.localBox.firstElementChild as HTMLElement).textContent = S.localLink;
      this.localBox.dataset.reason = 'file';
      (this.localBox.querySelector('button') as HTMLButtonElement | null)?.focus();
      return;
    }
    const { href: link, model } = await linkOf(this.app);
    if (link.length > MAX_LINK_CHARS) {
      this.linkBox.hidden = true;
      this.modelBox.hidden = true;
      this.localBox.hidden = false;
      (this.localBox.firstElementChild as HTMLElement).textContent = S.linkTooLong(link.length.toLocaleString('en'), MAX_LINK_CHARS.toLocaleString('en'));
      this.localBox.dataset.reason = 'too-long';
      (this.localBox.querySelector('button') as HTMLButtonElement | null)?.focus();
      return;
    }
    this.linkField.value = link;
    this.modelBox.hidden = !model?.edited;
    if (model?.edited) (this.modelBox.firstElementChild as HTMLElement).textContent = S.linkModelEdited(model.url);
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(link);
      this.status.textContent = S.linkCopied;
      setTimeout(() => { this.status.textContent = ''; }, 2500);
    } catch {
      // no clipboard permission (or an insecure context): show the link to copy by hand
      this.linkBox.hidden = false;
      this.linkField.focus();
      this.linkField.select();
    }
  }

  exportJson(): void {
    const json = JSON.stringify(JSON.parse(compactScene(this.app.controller.engine.sceneJson())), null, 2);
    // JSON.stringify re-prints doubles; compactScene's short numbers are the same doubles, so
    // they print back identically short.
    download(`${fileStem(this.title())}.json`, json + '\n', 'application/json');
  }

  /** Loads a scene text; errors (the core's, with the line and column of broken JSON) go to the notice, the current work stays. */
  importText(text: string, name: string): boolean {
    // a Teach project is a scene with samples around it: its own example opens it
    if (/^\s*\{\s*"format"\s*:\s*"cnn-lens-project"/.test(text)) { showNotice(this.root, S.noticeImportFailed(S.isTeachProject)); return false; }
    const r = this.app.controller.loadScene(text, 'custom');
    if (!r.ok) { showNotice(this.root, S.noticeImportFailed(r.error)); return false; }
    clearModelSource(); // a file: no address to link to (./modelUrl.ts sets one after this)
    showNotice(this.root, S.noticeImported(name), 'info');
    return true;
  }

  /** Opens an ONNX model as one undo step; errors go to the notice, the current work stays. */
  async importOnnx(bytes: Uint8Array, name: string): Promise<boolean> {
    const r = await openOnnx(bytes, this.app.controller.engine.module);
    if (!r.ok) {
      showNotice(this.root, r.reason === 'not_chain' ? r.error : S.noticeImportFailed(r.error));
      return false;
    }
    const loaded = this.app.controller.loadScene(r.json, 'custom', S.histImportOnnx);
    if (!loaded.ok) { showNotice(this.root, S.noticeImportFailed(loaded.error)); return false; }
    clearModelSource();
    showNotice(this.root, S.noticeImported(name), 'info');
    return true;
  }

  /** A chosen or dropped file: a picture (to the input), an ONNX model by its extension, else scene JSON. */
  private async openFile(f: File): Promise<void> {
    // a picture dropped anywhere: the input's picture dialog, when the input is an image
    if (f.type.startsWith('image/') && openPictureFor(this.app.controller, f)) return;
    if (/\.onnx$/i.test(f.name)) await this.importOnnx(new Uint8Array(await f.arrayBuffer()), f.name);
    else this.importText(await f.text(), f.name);
  }

  async exportPng(): Promise<void> {
    // the image is titled with what it shows: "(edited)" or "Your own scene" when it is not the example
    const label = sceneLabel(this.app.state);
    const cv = drawCards(visibleCards(this.root, this.app.snapshot()), label);
    download(`${fileStem(label)}.png`, await canvasPng(cv));
  }

  /**
   * The browser's print dialog, which also saves a PDF: every card built first (a big network
   * builds its cards over a few frames), titled as the tab is (main.ts, styles.css @media print).
   */
  printPage(): void {
    this.app.settle();
    window.print();
  }

  /** Downloads the scene as an ONNX model (opset 15); what ONNX can't express gets a notice. */
  async exportOnnx(): Promise<void> {
    try {
      const bytes = (await loadOnnxModule()).exportOnnx(this.app.controller.engine.sceneJson());
      download(`${fileStem(this.title())}.onnx`, new Blob([bytes], { type: 'application/octet-stream' }));
    } catch (e) {
      showNotice(this.root, S.noticeExportFailed(onnxErrorText(e)));
    }
  }

  showCode(): void {
    // the script writes chains of classic layers: a graph goes out as ONNX or JSON instead
    if (isGraph(this.app.state.scene)) { showNotice(this.root, S.ovNoPytorch); return; }
    const code = pytorchScript(this.app.controller.engine.sceneJson());
    this.dialog?.remove();
    const text = h('textarea', { class: 'cl-code', readonly: true, rows: 22, cols: 90, spellcheck: 'false', testid: 'code-text', 'aria-label': S.codeDialogTitle });
    text.value = code;
    const dlg = h('dialog', { class: 'cl-dialog', testid: 'code-dialog', 'aria-label': S.codeDialogTitle },
      h('h2', {}, S.codeDialogTitle), h('p', { class: 'muted small' }, S.codeDialogHint), text,
      h('div', { class: 'buttons' },
        button(S.copy, () => { text.select(); void navigator.clipboard?.writeText(code).catch(() => undefined); }, { testid: 'code-copy' }),
        button(S.download, () => download(`${fileStem(this.title())}.py`, code, 'text/x-python'), { testid: 'code-download' }),
        button(S.close, () => dlg.close(), { testid: 'code-close' })));
    dlg.addEventListener('close', () => dlg.remove());
    this.root.append(dlg);
    this.dialog = dlg;
    dlg.showModal();
  }
}
