// Light and dark themes of the page: CSS variables switched by <html data-theme>, which the
// matrices' colour scale follows too (colors.ts themeOf); a <cnn-lens> element keeps its own
// theme on its root (embed/element.ts). The default follows prefers-color-scheme; the header's
// toggle remembers an explicit choice in localStorage.

export type Theme = 'light' | 'dark';
export const THEME_KEY = 'cnnlens:theme';
/** The event main.ts dispatches on document after the header's toggle switched the page's theme. */
export const THEME_TOGGLED = 'cnnlens:theme';

function stored(): Theme | null {
  try {
    const v = window.localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

const media = () => window.matchMedia?.('(prefers-color-scheme: dark)');

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

function apply(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

/** Calls `redraw` whenever a theme toggle announces itself, until `lifetime` ends (a removed view). */
export function onThemeToggle(lifetime: AbortController, redraw: () => void): void {
  document.addEventListener(THEME_TOGGLED, redraw, { signal: lifetime.signal });
}

/** Sets the theme from the stored choice or the system; calls onChange when the system flips. */
export function initTheme(onChange: () => void): void {
  apply(stored() ?? (media()?.matches ? 'dark' : 'light'));
  media()?.addEventListener?.('change', (e) => {
    if (stored()) return;
    apply(e.matches ? 'dark' : 'light');
    onChange();
  });
}

/** The header's toggle: switches, remembers, and lets the page redraw. */
export function setTheme(theme: Theme): void {
  try { window.localStorage.setItem(THEME_KEY, theme); } catch { /* storage unavailable */ }
  apply(theme);
}
