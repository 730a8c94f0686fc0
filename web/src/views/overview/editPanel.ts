// The editing panel of a graph node's detail: its settings (the registry's fields, defaults and
// limits from layerKinds()), which earlier node feeds each input, inserting a layer or a block
// after it, removing it. Every change is one controller call (one undo step); when the core
// refuses the result, its reason is shown next to the control and the network stays as it was.
import type { Result } from '../../engine';
import { BLOCKS, INPUT, addInput, dropInput, insertBlock, insertKind, removeNode, rewire, setField, type BlockKind } from '../../graphEdit';
import { LANG, setMessage } from '../../i18n';
import { graphEditStrings } from '../../i18n/graphEdit';
import { S } from '../../strings';
import type { LayerFieldInfo, LayerKindInfo } from '../../wasm/cnnlens.mjs';
import { button, h } from '../dom';
import { fieldText, parseField } from './fieldText';
import type { Graph, GraphNode } from './graph';

const L = graphEditStrings[LANG] ?? graphEditStrings.en;

export interface EditActions {
  /** `edit` turns the current scene into the next; one undo step, or the core's reason and no change */
  editGraph(edit: (scene: Record<string, unknown>) => Record<string, unknown>, label: string): Result<void>;
}

export interface EditContext {
  graph: Graph;
  node: GraphNode;
  /** the node as the scene writes it (its settings) */
  raw: Record<string, unknown> | undefined;
  /** one sample's shape of a node's output (the network input's for INPUT) */
  shapeOf: (id: string) => number[];
  /** the scene's structure (graph.ts structureKey): the panel is rebuilt when it changes */
  structure: string;
}

/** A field's name as the page says it: a known word, else the registry's name as code. */
function fieldName(name: string): HTMLElement {
  const word = S.settingNames[name];
  return word ? h('span', {}, word) : h('code', {}, name);
}

export class EditPanel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private key = '';
  /** after nodes were added or removed: the node to show in the overview and what happened */
  onMoved: (focus: string, status: string) => void = () => {};

  private readonly titles: (type: string) => string;

  constructor(private readonly actions: EditActions, private readonly kinds: LayerKindInfo[], titles: (type: string) => string) {
    this.titles = (type) => L.editKindNames[type] ?? titles(type);
    this.body = h('div', { class: 'ge-body' });
    // named by its words, not an id: several <cnn-lens> elements may share a page
    this.el = h('section', { class: 'ge-panel', testid: 'node-edit', 'aria-label': L.editTitle },
      h('h3', { class: 'ge-title' }, L.editTitle), this.body);
  }

  render(ctx: EditContext): void {
    const key = JSON.stringify([ctx.node.id, ctx.structure]);
    if (key === this.key) return; // a refused edit leaves the typed text and its message in place
    this.key = key;
    // the control just used keeps the focus across the rebuild: the same place among the controls
    const controls = () => [...this.body.querySelectorAll<HTMLElement>('input, select, button, textarea')];
    const active = controls().indexOf(document.activeElement as HTMLElement);
    const kind = this.kinds.find((k) => k.type === ctx.node.type);
    this.body.replaceChildren(...[
      kind && ctx.node.id !== INPUT ? this.settings(ctx, kind) : null,
      kind && ctx.node.id !== INPUT ? this.inputs(ctx, kind) : null,
      this.insert(ctx),
      ctx.node.id !== INPUT ? this.remove(ctx) : null,
    ].filter((x): x is HTMLElement => x !== null));
    if (active >= 0) controls()[active]?.focus();
  }

  /** Runs an edit; a refusal is shown in `where` (the section of the control used). */
  private run(where: HTMLElement, edit: (scene: Record<string, unknown>) => Record<string, unknown>, label: string): boolean {
    let r: Result<void>;
    try {
      r = this.actions.editGraph(edit, label);
    } catch (e) {
      r = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    // the core's worded reason names a graph node itself ("node “sum” (Add): …"); others get the node here
    if (!r.ok) this.say(where, L.editFailed(r.error, r.node && !r.error.includes(`“${r.node}”`) ? r.node : ''));
    return r.ok;
  }

  private say(where: HTMLElement, text: string): void {
    const msg = where.querySelector<HTMLElement>('.ge-msg');
    if (!msg) return;
    msg.hidden = !text;
    setMessage(msg, text);
  }

  private section(name: string, title: string, ...rows: (Node | string)[]): HTMLElement {
    const msg = h('p', { class: 'ge-msg layer-error', role: 'alert', testid: `edit-${name}-message` });
    msg.hidden = true;
    return h('div', { class: 'ge-section', testid: `edit-section-${name}` }, h('h4', {}, title), ...rows, msg);
  }

  private settings(ctx: EditContext, kind: LayerKindInfo): HTMLElement | null {
    if (!kind.fields.length) return null;
    const sec = this.section('settings', L.editSettings);
    const form = h('div', { class: 'settings' });
    for (const f of kind.fields) form.append(this.field(ctx, f, sec));
    sec.insertBefore(form, sec.lastChild);
    return sec;
  }

  private field(ctx: EditContext, f: LayerFieldInfo, sec: HTMLElement): HTMLElement {
    const id = ctx.node.id;
    const raw = ctx.raw ?? {};
    const name = S.settingNames[f.name] ?? f.name;
    /** false: the core refused the value */
    const apply = (value: unknown): boolean => {
      if (JSON.stringify(value) === JSON.stringify(raw[f.name])) return true;
      this.say(sec, '');
      return this.run(sec, (s) => setField(s, id, f.name, value), L.histSetting(id, name));
    };
    const testid = `edit-field-${f.name}`;
    let control: HTMLElement;
    if (f.type === 'choice') {
      const sel = h('select', { testid });
      for (const c of f.choices ?? []) sel.append(h('option', { value: c }, c));
      sel.value = String(raw[f.name] ?? f.default ?? '');
      sel.addEventListener('change', () => apply(sel.value));
      control = sel;
    } else if (f.type === 'bool') {
      const box = h('input', { type: 'checkbox', testid });
      box.checked = Boolean(raw[f.name] ?? f.default);
      box.addEventListener('change', () => apply(box.checked));
      control = box;
    } else {
      const fallback = f.default_from ? fieldText(raw[f.default_from]) : fieldText(f.default);
      const input = h('input', {
        type: 'text', size: 5, value: fieldText(raw[f.name]), placeholder: fallback, testid,
        title: L.editFieldTitle(L.editLimits(f.min, f.max), fallback),
      });
      const commit = () => {
        const v = parseField(f, input.value);
        const typo = v === null || (typeof v === 'number' && Number.isNaN(v));
        if (v === null) this.say(sec, L.editRequired(name));
        else if (typo) this.say(sec, L.editBadValue(input.value, name));
        // the typed text stays in its box, marked, until it is fixed
        const bad = typo || !apply(v);
        input.setAttribute('aria-invalid', String(bad));
        input.classList.toggle('invalid', bad);
      };
      input.addEventListener('change', commit);
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') commit(); });
      control = input;
    }
    return h('label', {}, fieldName(f.name), control);
  }

  private inputs(ctx: EditContext, kind: LayerKindInfo): HTMLElement {
    const { node, graph } = ctx;
    const earlier = graph.nodes.slice(0, node.column).map((n) => n.id);
    const many = kind.max_inputs !== 1;
    const sec = this.section('inputs', many ? L.editInputs : L.editInputFrom);
    const rows = h('div', { class: 'ge-rows' });
    node.inputs.forEach((from, slot) => {
      const sel = h('select', { testid: `edit-input-${slot}`, 'aria-label': many ? L.editInputN(slot + 1) : L.editInputFrom });
      for (const id of earlier) sel.append(h('option', { value: id }, id === INPUT ? `${id} (${L.editNetworkInput})` : id));
      sel.value = from;
      sel.addEventListener('change', () => {
        this.say(sec, '');
        // refused: the menu shows what the node still reads
        if (!this.run(sec, (s) => rewire(s, node.id, slot, sel.value), L.histRewire(node.id))) sel.value = from;
      });
      // one input: the section's heading names it already
      const row = h('div', { class: 'ge-row' }, ...(many ? [h('span', { 'aria-hidden': 'true' }, L.editInputN(slot + 1))] : []), sel);
      if (many && node.inputs.length > kind.min_inputs) {
        row.append(button('✕', () => this.run(sec, (s) => dropInput(s, node.id, slot), L.histRewire(node.id)),
          { class: 'icon', title: L.editDropInput(slot + 1), 'aria-label': L.editDropInput(slot + 1), testid: `edit-drop-input-${slot}` }));
      }
      rows.append(row);
    });
    if (many && (kind.max_inputs < 0 || node.inputs.length < kind.max_inputs)) {
      rows.append(button(L.editAddInput, () => this.run(sec, (s) => addInput(s, node.id, node.inputs[node.inputs.length - 1] ?? INPUT), L.histRewire(node.id)), { testid: 'edit-add-input' }));
    }
    sec.insertBefore(rows, sec.lastChild);
    return sec;
  }

  private insert(ctx: EditContext): HTMLElement {
    const { node, graph } = ctx;
    const sec = this.section('insert', L.editInsert);
    const kinds = this.kinds.filter((k) => k.min_inputs <= 1 && k.max_inputs === 1);
    const menu = h('select', { testid: 'edit-insert-kind', 'aria-label': L.editInsert },
      h('optgroup', { label: L.editGroupLayers }, ...kinds.map((k) => h('option', { value: `kind:${k.type}` }, this.titles(k.type)))),
      h('optgroup', { label: L.editGroupBlocks }, ...BLOCKS.map((b) => h('option', { value: `block:${b}` }, L.editBlocks[b]))));
    const readers = graph.nodes.filter((n) => n.inputs.includes(node.id)).map((n) => n.id);
    const go = () => {
      const [what, type] = menu.value.split(':');
      const shape = ctx.shapeOf(node.id);
      let added: string[] = [];
      const label = L.histInsert(what === 'block' ? L.editBlockNames[type] : this.titles(type), node.id);
      this.say(sec, '');
      const ok = this.run(sec, (s) => {
        const kind = this.kinds.find((k) => k.type === type);
        const r = what === 'block' ? insertBlock(s, node.id, type as BlockKind, shape[0] ?? 1) : insertKind(s, node.id, kind!, shape);
        added = r.added;
        return r.scene;
      }, label);
      if (ok) this.onMoved(added[0], L.editInserted(added.join(', '), node.id));
    };
    const row = h('div', { class: 'ge-row' }, menu, button(L.editInsertButton, go, { testid: 'edit-insert-button' }));
    sec.insertBefore(row, sec.lastChild);
    sec.insertBefore(h('p', { class: 'muted small' }, L.editInsertHint(node.id, readers.join(', '))), sec.lastChild);
    return sec;
  }

  private remove(ctx: EditContext): HTMLElement {
    const { node, graph } = ctx;
    const sec = this.section('remove', L.editRemoveTitle);
    const to = node.inputs[0] ?? INPUT;
    const readers = graph.nodes.filter((n) => n.inputs.includes(node.id)).map((n) => n.id);
    const go = () => {
      this.say(sec, '');
      if (this.run(sec, (s) => removeNode(s, node.id).scene, L.histRemove(node.id))) this.onMoved(to, L.editRemoved(node.id, to));
    };
    sec.insertBefore(h('div', { class: 'ge-row' },
      button(L.editRemove(node.id), go, { testid: 'edit-remove' }),
      h('span', { class: 'muted small' }, L.editRemoveHint(readers.join(', '), to))), sec.lastChild);
    return sec;
  }
}
