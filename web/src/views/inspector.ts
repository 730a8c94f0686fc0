// The "Explain" panel: draws the sections of an Explanation (title, formula with numbers, notes)
// and the slide controls for stepping a kernel across its input.
import type { Actions } from '../actions';
import type { Explanation } from '../explain';
import type { UIState } from '../state';
import { S } from '../strings';
import { button, h } from './dom';

export class Inspector {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly slideBar: HTMLElement;
  private readonly slideToggle: HTMLButtonElement;
  private last = '';

  constructor(actions: Actions) {
    this.body = h('div', { class: 'explain-body', testid: 'explain', 'aria-live': 'polite' });
    this.slideToggle = button(S.slideStop, () => actions.slide(-1), { testid: 'slide-stop' });
    this.slideBar = h('div', { class: 'slide-bar', hidden: true },
      button('◀', () => actions.slideStep(-1), { 'aria-label': S.slidePrev, title: S.slidePrev, class: 'icon', testid: 'slide-prev' }),
      button('▶', () => actions.slideStep(1), { 'aria-label': S.slideNext, title: S.slideNext, class: 'icon', testid: 'slide-next' }),
      this.slideToggle);
    // on phones a selection opens the panel as a bottom sheet (styles.css); this closes it
    const close = button('×', () => actions.clearSelection(), { class: 'icon sheet-close', 'aria-label': S.inspectorClose, title: S.inspectorClose, testid: 'explain-close' });
    this.el = h('section', { class: 'panel inspector', 'aria-label': S.inspector, testid: 'inspector' },
      h('div', { class: 'panel-head' }, h('h2', {}, S.inspector), close), this.slideBar, this.body);
  }

  /**
   * On phones the panel is a bottom sheet over the page (styles.css): scroll so the matrix with
   * the selected cell (and its Edit button) stays above it.
   */
  private keepFocusAboveSheet(): void {
    if (getComputedStyle(this.el).position !== 'fixed') return;
    const target = (document.activeElement as HTMLElement | null)?.closest('.matrix');
    if (!target) return;
    const overlap = target.getBoundingClientRect().bottom - this.el.getBoundingClientRect().top + 12;
    if (overlap > 0) window.scrollBy({ top: overlap });
  }

  render(ex: Explanation | null, st: UIState): void {
    this.slideBar.hidden = !st.slide;
    this.el.classList.toggle('has-selection', Boolean(ex?.sections.length));
    if (ex?.sections.length) requestAnimationFrame(() => this.keepFocusAboveSheet());
    const key = JSON.stringify(ex?.sections ?? null);
    if (key === this.last) return;
    this.last = key;
    if (!ex || !ex.sections.length) {
      this.body.replaceChildren(h('p', { class: 'muted' }, S.inspectorEmpty));
      return;
    }
    this.body.replaceChildren(...ex.sections.map((s) => h('div', { class: 'section' },
      h('h3', {}, s.title),
      ...(s.formula ? [h('p', { class: 'formula', testid: 'explain-formula' }, s.formula)] : []),
      ...s.lines.map((l) => h('p', { class: 'muted' }, l)))));
  }
}
