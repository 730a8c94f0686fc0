// The page for a graph scene: the overview, or one node's detail with a way back that keeps the
// place (the overview's sideways scroll, the page's scroll, the focused node).
import type { ViewMode } from '../../state';
import { themeOf } from '../../colors';
import { S } from '../../strings';
import { onThemeToggle } from '../../theme';
import { button, h, select } from '../dom';
import { graphOf, INPUT_ID, inputSource, structureKey, type Graph } from './graph';
import { helpOf, NodeDetail, type DetailActions } from './nodeDetail';
import { Overview, type GraphReader } from './overview';
import { BatchLoss, type LossReader } from './batchLoss';
import type { GraphCellRef } from '../../explainRecord';
import { imageShapeOf, pictureControls, type PictureActions } from '../inputCard';
import type { LayerKindInfo } from '../../wasm/cnnlens.mjs';
import { EditPanel, type EditActions } from './editPanel';

export interface GraphViewState {
  scene: { nodes?: Record<string, unknown>[]; input?: { shape?: number[] }; mode?: 'train' | 'eval'; loss?: string };
  mode: ViewMode;
}

export interface GraphActions extends DetailActions, PictureActions, EditActions {
  setSceneMode(mode: 'train' | 'eval'): void;
  /** the input from random values, for a model that came with zeros (Actions.randomInput) */
  randomInput(): void;
  /** ends when the view is removed (theme.ts onThemeToggle) */
  readonly lifetime: AbortController;
}

export class GraphView {
  readonly el: HTMLElement;
  readonly overview = new Overview();
  readonly detail: NodeDetail;
  readonly editor: EditPanel;
  /** what the last structural edit did (announced) */
  private readonly status: HTMLElement;
  /** each sample's loss and the batch mean, under the overview or the node detail */
  readonly loss = new BatchLoss();
  /** the node whose detail is open, else null (the overview shows) */
  private open: string | null = null;
  private place = { left: 0, top: 0 };
  /** the sample of the batch shown */
  sample = 0;
  private last: GraphViewState | null = null;
  /** a cell of the open node was pointed at (the app explains it) */
  onPoint: (ref: GraphCellRef) => void = () => {};

  private readonly modeSelect: HTMLSelectElement;
  private readonly sampleSelect: HTMLSelectElement;
  private readonly sampleLabel: HTMLElement;
  private readonly bar: HTMLElement;
  /** says the input is all zeros (a model file's), with a button that fills it */
  private readonly zeroNote: HTMLElement;
  /** the picture controls, for an image input (rebuilt when the input's shape changes) */
  private picture: { key: string; el: HTMLElement } | null = null;

  constructor(private readonly actions: GraphActions, private readonly reader: () => GraphReader & LossReader, private readonly titles: (type: string) => string, private readonly locked: () => boolean, kinds: LayerKindInfo[]) {
    this.detail = new NodeDetail(actions, locked);
    this.detail.el.hidden = true;
    this.editor = new EditPanel(actions, kinds, titles);
    this.detail.setTools(this.editor.el);
    // nodes added or removed: the overview shows the result, focus on the node that matters now
    this.editor.onMoved = (focus, status) => { this.status.textContent = status; this.back(focus); };
    this.status = h('p', { class: 'muted small ge-status', role: 'status', testid: 'graph-edit-status' });
    this.modeSelect = select([['train', S.ovModeTrain], ['eval', S.ovModeEval]], 'train', (v) => actions.setSceneMode(v === 'eval' ? 'eval' : 'train'), { testid: 'scene-mode' });
    this.sampleSelect = select([], '0', (v) => this.showSample(Number(v)), { testid: 'sample-select' });
    this.sampleLabel = h('label', {}, S.ovSampleLabel, this.sampleSelect);
    this.bar = h('div', { class: 'ov-bar' }, h('label', { title: S.ovModeTitle }, S.ovModeLabel, this.modeSelect), this.sampleLabel);
    this.zeroNote = h('p', { class: 'note zero-input', testid: 'zero-input-note', hidden: true }, S.zeroInputNote, ' ',
      button(S.randomInput, () => actions.randomInput(), { testid: 'random-input' }));
    this.el = h('div', { class: 'graph-view', testid: 'graph-view' }, this.bar, this.zeroNote, this.status, this.overview.el, this.detail.el, this.loss.el);
    this.loss.onPick = (k) => this.showSample(k);
    this.overview.onOpen = (id) => this.openNode(id);
    this.detail.onBack = () => this.back();
    this.detail.onPoint = (ref) => this.onPoint(ref);
    // the theme toggle redraws the thumbnails with the other scale
    onThemeToggle(actions.lifetime, () => { if (this.last && !this.el.hidden) this.render(this.last); });
  }

  /** Which node's detail is open (null: the overview). */
  get openId(): string | null {
    return this.open;
  }

  private showSample(k: number): void {
    this.sample = k;
    if (this.last) this.render(this.last);
  }

  openNode(id: string): void {
    this.status.textContent = '';
    this.place = { left: this.overview.scroller.scrollLeft, top: window.scrollY };
    this.open = id;
    if (this.last) this.render(this.last);
    this.detail.heading.focus({ preventScroll: true });
    // the detail starts where the overview was; bring its heading out from under the sticky header
    const header = document.querySelector('.app-header')?.getBoundingClientRect();
    const below = header && getComputedStyle(document.querySelector('.app-header')!).position === 'sticky' ? header.bottom : 0;
    const top = this.detail.el.getBoundingClientRect().top;
    if (top < below + 8 || top > window.innerHeight * 0.6) window.scrollBy(0, top - below - 8);
  }

  /** `focus`: the node to focus in the overview (default: the one whose detail closes). */
  back(focus?: string): void {
    const id = focus ?? this.open;
    this.open = null;
    if (this.last) this.render(this.last);
    this.overview.scroller.scrollLeft = this.place.left;
    window.scrollTo(window.scrollX, this.place.top);
    if (id) this.overview.button(id)?.focus({ preventScroll: true });
  }

  /** The sample menu lists the batch's samples (hidden for one sample). */
  private syncSamples(reader: GraphReader, graph: Graph): void {
    const first = graph.nodes[1];
    const n = first ? reader.nodeTensors(first.id).find((t) => t.role === 'output')?.shape[0] ?? 1 : 1;
    if (this.sample >= n) this.sample = 0;
    if (this.sampleSelect.options.length !== n) {
      this.sampleSelect.replaceChildren(...Array.from({ length: n }, (_, k) => h('option', { value: String(k) }, String(k + 1))));
    }
    this.sampleSelect.value = String(this.sample);
    this.sampleLabel.hidden = n < 2;
  }

  /** "Picture" in the bar when the input is one image ([C,H,W] or [1,C,H,W], C = 1 or 3) and the view is editable. */
  private syncPicture(shape: number[]): void {
    const image = this.locked() ? null : imageShapeOf(shape);
    const key = image ? `${image.channels}x${image.height}x${image.width}` : '';
    if (key === (this.picture?.key ?? '')) return;
    this.picture?.el.remove();
    this.picture = image ? { key, el: pictureControls(this.el, this.actions, image) } : null;
    if (this.picture) this.bar.append(this.picture.el);
  }

  /** One sample's shape of a node's output (of the network input for INPUT_ID), from the core. */
  private shapeOf(reader: GraphReader, graph: Graph, id: string): number[] {
    const src = id === INPUT_ID ? inputSource(graph) : { id, name: 'output' };
    const t = src ? reader.nodeTensors(src.id).find((x) => x.name === src.name) : undefined;
    return t ? t.shape.slice(1) : [];
  }

  render(st: GraphViewState): void {
    this.last = st;
    const graph = graphOf(st.scene as Parameters<typeof graphOf>[0]);
    const reader = this.reader();
    this.modeSelect.value = st.scene.mode ?? 'train';
    this.modeSelect.disabled = this.locked();
    this.syncSamples(reader, graph);
    this.syncPicture(st.scene.input?.shape ?? []);
    this.zeroNote.hidden = this.locked() || !inputIsZero(reader, graph);
    this.loss.render(reader, st.scene.loss ?? 'none', this.sample);
    const node = this.open === null ? undefined : graph.nodes.find((n) => n.id === this.open);
    if (!node) this.open = null; // the node went away (another network): back to the overview
    this.overview.el.hidden = !!node;
    this.detail.el.hidden = !node;
    if (!node) {
      this.overview.render(reader, graph, structureKey(st.scene as Parameters<typeof structureKey>[0]), this.titles, st.mode, this.sample, themeOf(this.el) === 'dark');
      return;
    }
    const readers = graph.nodes.filter((n) => n.inputs.includes(node.id)).map((n) => n.id);
    this.editor.el.hidden = this.locked();
    if (!this.locked()) {
      const raw = st.scene.nodes?.find((n) => n.id === node.id);
      this.editor.render({ graph, node, raw, shapeOf: (id) => this.shapeOf(reader, graph, id), structure: structureKey(st.scene as Parameters<typeof structureKey>[0]) });
    }
    if (node.id === INPUT_ID) {
      const src = inputSource(graph);
      if (!src) return;
      const grad = src.name.replace('input', 'grad_input');
      const all = reader.nodeTensors(src.id).filter((t) => t.name === src.name || t.name === grad);
      this.detail.render(reader, node, src.id, all, readers, S.ovInputKind, '', st.mode, this.sample);
    } else {
      this.detail.render(reader, node, node.id, reader.nodeTensors(node.id), readers, this.titles(node.type), helpOf(node.type), st.mode, this.sample);
    }
  }
}

/** Whether every number of the network input (all samples) is 0, read from the core. */
function inputIsZero(reader: GraphReader, graph: Graph): boolean {
  const src = inputSource(graph);
  if (!src) return false;
  const values = reader.nodeView(src.id, src.name);
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return values.length > 0;
}
