// Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redoes, anywhere on `target` except while
// typing in a text field, where the browser's own undo of the typing is what people expect.
import type { Actions } from './actions';

function typing(e: KeyboardEvent): boolean {
  const el = e.composedPath()[0] as HTMLElement | undefined;
  if (!el || !(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA') return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button', 'file'].includes((el as HTMLInputElement).type);
}

export function mountHistoryKeys(target: EventTarget, a: Pick<Actions, 'undo' | 'redo'>): void {
  target.addEventListener('keydown', (ev) => {
    const e = ev as KeyboardEvent;
    if (!(e.ctrlKey || e.metaKey) || e.altKey || typing(e)) return;
    const key = e.key.toLowerCase();
    if (key === 'z') { e.preventDefault(); if (e.shiftKey) a.redo(); else a.undo(); }
    else if (key === 'y' && !e.shiftKey) { e.preventDefault(); a.redo(); }
  });
}
