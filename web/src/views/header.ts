// Page header, in two parts: the bar that stays on screen (title, example menu, undo/redo, the
// view switch) kept to one short row so it never hides the network or the explanation on a
// projector, and the tools under it that scroll away (colour legend, lesson, language, theme,
// the share buttons that share/host.ts adds, the scene's description).
import type { Actions } from '../actions';
import { legendGradient, themeOf } from '../colors';
import { LANG, LANGUAGES, isLang, switchLanguage } from '../i18n';
import { presetTitle, sceneDescription } from '../labels';
import { PRESETS } from '../presets';
import type { UIState, ViewMode } from '../state';
import { S } from '../strings';
import { button, h, select, setText } from './dom';

export class Header {
  /** the sticky bar */
  readonly el: HTMLElement;
  /** the row under it, scrolled away with the page */
  readonly tools: HTMLElement;
  private readonly preset: HTMLSelectElement;
  private readonly custom: HTMLOptionElement;
  private readonly modes = new Map<ViewMode, HTMLButtonElement>();
  private readonly desc: HTMLElement;
  private readonly legendBar: HTMLElement;
  private readonly lesson: HTMLButtonElement;
  private readonly theme: HTMLButtonElement;
  private readonly undo: HTMLButtonElement;
  private readonly redo: HTMLButtonElement;
  private readonly dropped: HTMLElement;
  private readonly restored: HTMLElement;
  private readonly original: HTMLButtonElement;

  constructor(a: Actions) {
    this.preset = select(PRESETS.map((p) => [p.id, S.presetTitles[p.id] ?? p.title]), PRESETS[0].id, (v) => a.loadPreset(v), { testid: 'preset-select', class: 'preset-select' });
    // an opened file, a shared link or a script's scene: named in the menu, not a blank entry
    this.custom = h('option', { value: 'custom', disabled: true, hidden: true }, S.presetCustom);
    this.preset.append(this.custom);
    const group = h('div', { class: 'segmented', role: 'group', 'aria-label': S.viewLabel });
    for (const [m, label] of [['values', S.modeValues], ['gradients', S.modeGradients], ['both', S.modeBoth]] as [ViewMode, string][]) {
      const b = button(label, () => a.setMode(m), { testid: `mode-${m}` });
      this.modes.set(m, b);
      group.append(b);
    }
    // the scale's explanation opens on click, tap or Enter (nothing is hover-only)
    this.legendBar = h('span', { class: 'legend-bar' });
    const legend = h('details', { class: 'legend', testid: 'legend' },
      h('summary', {},
        h('span', { class: 'sr-only' }, S.legendTitle),
        h('span', {}, S.legendNeg), this.legendBar, h('span', {}, S.legendPos)),
      h('p', { class: 'legend-hint' }, `${S.legendHint}; `, h('span', { class: 'hatch-key', 'aria-hidden': 'true' }), ` ${S.legendNegHatch}`));
    // language: reloads the page in the chosen language (the work is saved in localStorage)
    const lang = select(Object.values(LANGUAGES).map((l) => [l.code, l.name] as [string, string]), LANG, (v) => { if (isLang(v)) switchLanguage(v); }, { testid: 'lang-select' });
    for (const o of lang.options) o.lang = (LANGUAGES as Record<string, { tag: string }>)[o.value]?.tag ?? o.value;
    // whoever owns the theme switches it: the page (main.ts) or a <cnn-lens> element, for itself
    this.theme = button('', () => {
      this.el.dispatchEvent(new CustomEvent(TOGGLE_THEME, { bubbles: true, detail: themeOf(this.el) === 'dark' ? 'light' : 'dark' }));
    }, { testid: 'theme-toggle', title: S.themeToggleTitle, class: 'theme-toggle' });
    this.desc = h('p', { class: 'scene-desc', testid: 'scene-desc' });
    // undo/redo of every change to the scene (web/src/history.ts keeps the states)
    this.undo = button(S.undo, () => a.undo(), { testid: 'btn-undo', disabled: true });
    this.redo = button(S.redo, () => a.redo(), { testid: 'btn-redo', disabled: true });
    this.dropped = h('span', { class: 'muted small history-dropped', testid: 'history-dropped', hidden: true });
    // always in place (disabled while the scene is the example): the page must not shift under a brush stroke
    this.original = button(S.original, () => a.loadOriginal(), { testid: 'btn-original', title: S.originalTitle, disabled: true });
    this.restored = h('span', { class: 'restored-note', testid: 'restored-note', role: 'status' });
    // the guided lesson (web/src/lesson) listens for this event
    this.lesson = button(S.lessonButton, () => document.dispatchEvent(new CustomEvent('cnnlens:lesson')), { testid: 'btn-lesson', title: S.lessonButtonTitle });
    // the lesson says when it closed: focus comes back to the button that opens it
    document.addEventListener('cnnlens:lesson-closed', () => this.lesson.focus({ preventScroll: true }), { signal: a.lifetime.signal });
    this.el = h('header', { class: 'app-header' },
      h('div', { class: 'brand' }, h('h1', {}, S.appTitle), h('span', { class: 'tagline' }, S.appTagline)),
      h('div', { class: 'controls' },
        h('label', {}, S.presetLabel, this.preset),
        h('div', { class: 'history', role: 'group', 'aria-label': S.undo.replace(/^\W+/, '') }, this.undo, this.redo, this.original, this.dropped),
        h('div', { class: 'mode' }, h('span', { class: 'label' }, S.viewLabel), group)));
    this.tools = h('div', { class: 'app-tools' },
      h('div', { class: 'tool-row' }, legend, this.lesson, h('div', { class: 'prefs' }, h('label', {}, S.languageLabel, lang), this.theme)),
      this.restored,
      this.desc);
  }

  render(st: UIState): void {
    // the menu names what is shown: "(edited)" beside a changed example; "Your own scene" can
    // be chosen again while a scene of one's own is kept aside
    const keptCustom = st.kept.includes('custom');
    this.custom.hidden = st.presetId !== 'custom' && !keptCustom;
    this.custom.disabled = !keptCustom || st.presetId === 'custom';
    for (const o of this.preset.options) {
      if (o === this.custom || o.dataset.hosted !== undefined) continue; // hosted models: web/src/hostedModels.ts
      const changed = (o.value === st.presetId && st.edited) || (o.value !== st.presetId && st.kept.includes(o.value));
      setText(o as unknown as HTMLElement, presetTitle(o.value) + (changed ? S.editedSuffix : ''));
    }
    if (this.preset.value !== st.presetId) this.preset.value = st.presetId;
    const forwardOnly = st.scene.loss === 'none';
    for (const [m, b] of this.modes) {
      b.setAttribute('aria-pressed', String(st.mode === m));
      // a forward-only scene has no gradients
      b.disabled = forwardOnly && m !== 'values';
      if (b.disabled) b.title = S.noGradientsWithoutLoss; else b.removeAttribute('title');
    }
    setText(this.desc, sceneDescription(st));
    const hist = st.history;
    this.undo.disabled = !hist.canUndo;
    this.redo.disabled = !hist.canRedo;
    this.undo.title = S.undoTitle(hist.undoLabel);
    this.redo.title = S.redoTitle(hist.redoLabel);
    this.dropped.hidden = hist.dropped === 0;
    setText(this.dropped, hist.dropped ? S.historyDropped(hist.dropped) : '');
    this.original.disabled = !st.edited || st.presetId === 'custom';
    setText(this.restored, st.restored === st.presetId ? S.restoredNote : '');
    const dark = themeOf(this.el) === 'dark';
    setText(this.theme, dark ? `☀ ${S.themeLight}` : `☾ ${S.themeDark}`);
    this.theme.setAttribute('aria-label', dark ? S.themeLight : S.themeDark);
    this.theme.removeAttribute('aria-pressed');
    this.legendBar.style.background = legendGradient(dark);
    this.lesson.setAttribute('aria-pressed', String(st.lesson !== null));
  }
}

/** Asked for by the header's theme button; detail: the theme wanted. Bubbles, not composed. */
export const TOGGLE_THEME = 'cnnlens:toggle-theme';
