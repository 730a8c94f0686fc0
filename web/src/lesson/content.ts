// The lesson's words come from data files, one per language (lesson.en.json, lesson.zh.json),
// with the same keys. This module picks the language and turns the tiny markup of those files
// (**bold**, `code`, {placeholders}) into DOM nodes: text is only ever set with textContent.
import en from './lesson.en.json';
import zh from './lesson.zh.json';

export type Lang = 'en' | 'zh';
/** One step's strings: `title`, `body` (paragraphs) and step-specific keys. */
export type StepText = Record<string, string | string[] | Record<string, string>> & { id: string; title: string; body: string[] };
export interface LessonText {
  lang: Lang;
  ui: Record<string, string>;
  steps: StepText[];
}

const TEXTS: Record<Lang, LessonText> = { en: en as unknown as LessonText, zh: zh as unknown as LessonText };

/** `?lang=en|zh` wins; otherwise the browser language ("zh…" → zh), else en. */
export function pickLang(search: string, navLang: string | undefined): Lang {
  const p = new URLSearchParams(search).get('lang');
  if (p === 'en' || p === 'zh') return p;
  return (navLang ?? '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function lessonText(lang: Lang): LessonText {
  return TEXTS[lang];
}

export type Vars = Record<string, string | number>;

/** Fills {name} placeholders; unknown names stay visible so a typo in a translation shows. */
export function fill(template: string, vars: Vars = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** **bold**, `code` and {vars} → nodes. Values of vars are plain text, never markup. */
export function rich(template: string, vars: Vars = {}): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const part of template.split(/(\*\*[^*]+\*\*|`[^`]+`)/)) {
    if (!part) continue;
    if (part.startsWith('**') && part.endsWith('**') && part.length > 4) {
      const b = document.createElement('strong');
      b.textContent = fill(part.slice(2, -2), vars);
      frag.append(b);
    } else if (part.startsWith('`') && part.endsWith('`') && part.length > 2) {
      const c = document.createElement('code');
      c.textContent = fill(part.slice(1, -1), vars);
      frag.append(c);
    } else {
      frag.append(document.createTextNode(fill(part, vars)));
    }
  }
  return frag;
}

/** A <p> (or other tag) with rich text. */
export function para(template: string, vars: Vars = {}, cls = '', tag: 'p' | 'span' | 'div' = 'p'): HTMLElement {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  el.append(rich(template, vars));
  return el;
}

/** Replaces an element's content with rich text, only when it changed (cheap to call per frame). */
export function setRich(el: HTMLElement, template: string, vars: Vars = {}): void {
  const key = `${template}\u0000${JSON.stringify(vars)}`;
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.replaceChildren(rich(template, vars));
}
