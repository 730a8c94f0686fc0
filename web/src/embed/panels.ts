// Compact embed mode, shared by the iframe page (?embed=1) and the <cnn-lens> element: which
// panels show, read-only, and a hook after every redraw. Everything is scoped to one app root,
// so several instances on a page never touch each other.
import type { App } from '../app';

/** Panel names for `panels=` / `panels="..."`, in page order. */
export const PANELS = ['controls', 'input', 'conv', 'pool', 'flatten', 'dense', 'activation', 'loss', 'explain', 'training', 'gradcheck'] as const;
export type Panel = (typeof PANELS)[number];
/** What an embed shows when `panels` is not given: the whole network and the explanation. */
export const DEFAULT_PANELS: Panel[] = ['input', 'conv', 'pool', 'flatten', 'dense', 'activation', 'loss', 'explain'];
const SIDE: Panel[] = ['explain', 'training', 'gradcheck'];

export function parsePanels(text: string | null | undefined): Panel[] {
  if (text === null || text === undefined || !text.trim()) return DEFAULT_PANELS;
  const want = text.split(/[\s,]+/).map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (want.includes('all')) return [...PANELS];
  const aliases: Record<string, Panel> = { inspector: 'explain', header: 'controls', network: 'conv', activations: 'activation' };
  const out = new Set<Panel>();
  for (const w of want) {
    const p = (aliases[w] ?? w) as Panel;
    if (PANELS.includes(p)) out.add(p);
    // a misspelt name hides nothing and shows nothing: the page author hears of it in the console
    else if (w !== 'network') console.warn(`cnn-lens: no panel "${w}" (the panels: ${PANELS.join(', ')}, all, network)`);
    if (w === 'network') for (const q of ['input', 'conv', 'pool', 'flatten', 'dense', 'activation', 'loss'] as Panel[]) out.add(q);
  }
  return out.size ? [...out] : DEFAULT_PANELS;
}

export function applyPanels(root: HTMLElement, panels: readonly Panel[]): void {
  root.classList.add('cl-embed');
  for (const p of PANELS) root.classList.toggle(`cl-hide-${p}`, !panels.includes(p));
  root.classList.toggle('cl-no-side', !SIDE.some((p) => panels.includes(p)));
}

const EDIT_KEYS = /^(Enter|F2|[-0-9.\u2212])$/;
const wired = new WeakSet<HTMLElement>();

/**
 * Read-only: the scene can't be edited (cells, settings, layers, loss, optimizer); hovering,
 * explanations, the view switch and training (Step/Run/Reset) still work.
 */
export function setReadonly(app: App, root: HTMLElement, on: boolean): void {
  app.controller.locked = on;
  root.classList.toggle('cl-readonly', on);
  if (!wired.has(root)) {
    wired.add(root);
    const inMatrix = (e: Event) => root.classList.contains('cl-readonly') && !!(e.target as Element | null)?.closest?.('.grid, canvas.heat');
    root.addEventListener('click', (e) => { if (inMatrix(e)) e.stopPropagation(); }, true);
    root.addEventListener('keydown', (e) => { if (inMatrix(e) && EDIT_KEYS.test(e.key)) e.stopPropagation(); }, true);
    app.onCards(() => disableInputs(root)); // cards built in later frames are locked too
  }
  disableInputs(root);
}

function disableInputs(root: HTMLElement): void {
  const ro = root.classList.contains('cl-readonly');
  for (const el of root.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.pipeline input, .pipeline select, .training select, .training input[inputmode="decimal"], .app-header select, .app-tools select')) {
    if (ro) { el.disabled = true; el.dataset.clRo = '1'; } else if (el.dataset.clRo) { el.disabled = false; delete el.dataset.clRo; }
  }
}

/** Posts this document's content height to the parent frame whenever it changes. */
export function postHeight(root: HTMLElement): void {
  if (window.parent === window) return;
  let last = -1;
  const post = () => {
    const height = Math.ceil(root.getBoundingClientRect().bottom + window.scrollY);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'cnnlens:height', height, href: window.location.href }, '*');
  };
  new ResizeObserver(post).observe(root);
  post();
}
