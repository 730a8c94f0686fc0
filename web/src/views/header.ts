// Page header: title, preset menu, view mode (values / gradients / side by side), colour legend.
import type { Actions } from '../actions';
import { legendGradient } from '../colors';
import { PRESETS } from '../presets';
import type { UIState, ViewMode } from '../state';
import { S } from '../strings';
import { button, h, select, setText } from './dom';

export class Header {
  readonly el: HTMLElement;
  private readonly preset: HTMLSelectElement;
  private readonly modes = new Map<ViewMode, HTMLButtonElement>();
  private readonly desc: HTMLElement;
  private readonly lesson: HTMLButtonElement;

  constructor(a: Actions) {
    this.preset = select(PRESETS.map((p) => [p.id, p.title]), PRESETS[0].id, (v) => a.loadPreset(v), { testid: 'preset-select' });
    const group = h('div', { class: 'segmented', role: 'group', 'aria-label': S.viewLabel });
    for (const [m, label] of [['values', S.modeValues], ['gradients', S.modeGradients], ['both', S.modeBoth]] as [ViewMode, string][]) {
      const b = button(label, () => a.setMode(m), { testid: `mode-${m}` });
      this.modes.set(m, b);
      group.append(b);
    }
    const legend = h('div', { class: 'legend', 'aria-label': S.legendTitle, role: 'img' },
      h('span', {}, S.legendNeg),
      h('span', { class: 'legend-bar', style: `background:${legendGradient()}` }),
      h('span', {}, S.legendPos));
    legend.title = S.legendHint;
    this.desc = h('p', { class: 'scene-desc', testid: 'scene-desc' });
    // the guided lesson (web/src/lesson) listens for this event
    this.lesson = button(S.lessonButton, () => document.dispatchEvent(new CustomEvent('cnnlens:lesson')), { testid: 'btn-lesson', title: S.lessonButtonTitle });
    this.el = h('header', { class: 'app-header' },
      h('div', { class: 'brand' }, h('h1', {}, S.appTitle), h('span', { class: 'tagline' }, S.appTagline)),
      h('div', { class: 'controls' },
        h('label', {}, S.presetLabel, this.preset),
        h('div', { class: 'mode' }, h('span', { class: 'label' }, S.viewLabel), group),
        legend,
        this.lesson),
      this.desc);
  }

  render(st: UIState): void {
    if (this.preset.value !== st.presetId) this.preset.value = st.presetId;
    for (const [m, b] of this.modes) b.setAttribute('aria-pressed', String(st.mode === m));
    setText(this.desc, st.scene.description ?? '');
    this.lesson.setAttribute('aria-pressed', String(st.lesson !== null));
  }
}
