// The language registry. Adding a language = one file typed `Strings` (like zh.ts) + one line here.
// The active language is chosen once per page load: ?lang= wins, then the switch's remembered
// choice (localStorage), then the browser's languages, else English. Switching reloads the page
// with ?lang= (the work is saved in localStorage, so nothing is lost).
import { en, type Strings } from './en';
import { wordCoreError, wordedCodes } from './coreErrors';

export interface Language {
  code: string;
  /** BCP 47 tag for <html lang> */
  tag: string;
  /** its own name, shown in the switch */
  name: string;
  /** its table once loaded (English is part of the page's code; the others are chunks of their own) */
  strings: Strings | null;
  load: () => Promise<Strings>;
  /** characters of the language's script: text runs without them (the core's English messages) get lang="en" */
  script?: RegExp;
}

export const LANGUAGES: Record<'en' | 'zh', Language> = {
  en: { code: 'en', tag: 'en', name: 'English', strings: en, load: async () => en },
  // a page in English never downloads the Chinese table (the <cnn-lens> element's size budget)
  zh: { code: 'zh', tag: 'zh-CN', name: '中文', strings: null, load: async () => (await import('./zh')).zh, script: /([\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+)/ },
};

/** The table of `lang`, loaded on first use. */
export async function loadLanguage(lang: Lang): Promise<Strings> {
  const l = LANGUAGES[lang];
  return (l.strings ??= await l.load());
}

export type Lang = keyof typeof LANGUAGES;
export type { Strings };

export const LANG_KEY = 'cnnlens:lang';

export const isLang = (v: unknown): v is Lang => typeof v === 'string' && Object.prototype.hasOwnProperty.call(LANGUAGES, v);

/** `?lang=` wins, then a remembered choice, then the first browser language we have. */
export function pickLanguage(search: string, stored: string | null, browser: readonly string[]): Lang {
  const p = new URLSearchParams(search).get('lang');
  if (isLang(p)) return p;
  if (isLang(stored)) return stored;
  for (const b of browser) {
    const base = (b ?? '').toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

function detect(): Lang {
  if (typeof window === 'undefined') return 'en';
  let stored: string | null = null;
  try { stored = window.localStorage.getItem(LANG_KEY); } catch { /* storage unavailable */ }
  const nav = typeof navigator === 'undefined' ? [] : (navigator.languages?.length ? navigator.languages : [navigator.language]);
  return pickLanguage(window.location.search, stored, nav);
}

/** The language of this page load. */
export const LANG: Lang = detect();

/** Reloads the page in another language (the URL keeps ?lang= so a shared link keeps it too). */
export function switchLanguage(lang: Lang): void {
  try { window.localStorage.setItem(LANG_KEY, lang); } catch { /* storage unavailable */ }
  const u = new URL(window.location.href);
  u.searchParams.set('lang', lang);
  window.location.replace(u.href);
}

/**
 * Sets a message; core errors arrive worded already (wordError). Any run of Latin text left in
 * a page of another script (a name the person gave, an op's name) goes inside
 * <span lang="en" class="core-msg"> so screen readers pronounce it right.
 */
export function setMessage(el: HTMLElement, raw: string): void {
  if (el.dataset.msg === raw) return;
  el.dataset.msg = raw;
  const text = raw;
  const script = (LANGUAGES[LANG] as Language).script;
  if (!script) { el.textContent = text; return; }
  el.replaceChildren(...text.split(script).filter(Boolean).map((part) => {
    if (script.test(part) || !/[A-Za-z]{3,}/.test(part)) return document.createTextNode(part);
    const span = document.createElement('span');
    span.lang = 'en';
    span.className = 'core-msg';
    span.textContent = part;
    return span;
  }));
}

/** An error from the core (Error.code, Error.details) in this page's language (./coreErrors.ts). */
export function wordError(e: unknown, lang: Lang = LANG): string {
  // (a language not loaded yet is worded in English: the page loads its own before drawing)
  return wordCoreError(e, LANGUAGES[lang].strings ?? en, lang);
}

export { wordedCodes };
