// A dismissible banner at the top of the app root for link, storage and import problems.
import { S } from '../strings';
import { setMessage } from '../i18n';
import { button, h } from '../views/dom';

export function showNotice(root: HTMLElement, message: string, kind: 'warn' | 'info' = 'warn'): HTMLElement {
  root.querySelector(':scope > .cl-notice')?.remove();
  const el = h('div', { class: `cl-notice cl-notice-${kind}`, role: kind === 'warn' ? 'alert' : 'status', testid: 'notice' },
    h('span', { class: 'cl-notice-text', testid: 'notice-text' }));
  setMessage(el.firstElementChild as HTMLElement, message);
  el.append(button(S.dismiss, () => el.remove(), { class: 'icon', testid: 'notice-dismiss', 'aria-label': S.dismiss }));
  root.prepend(el);
  return el;
}
