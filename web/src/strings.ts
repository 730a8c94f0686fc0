// Every user-visible string of the page, in the active language. The tables live in
// web/src/i18n/ (one file per language: en.ts is the reference, zh.ts has the same keys, tsc
// fails if one is missing); this module keeps `import { S } from './strings'` working
// everywhere: S is the active language's table, English until loadStrings() (awaited by the page
// and the element before they draw) has put another language's table in.
//
// New strings go into web/src/i18n/en.ts and zh.ts. Strings added in a hurry may go into
// `pending` below (English in every language) until they are moved into the tables.
import { LANG, loadLanguage, type Strings } from './i18n';
import { en } from './i18n/en';

const pending = {

};

export const S: typeof pending & Strings = { ...pending, ...en };

/**
 * Fills S with the page's language when it is not English (its table is a chunk of its own).
 * The page and the element await it before drawing anything.
 */
export async function loadStrings(): Promise<void> {
  if (LANG !== 'en') Object.assign(S, await loadLanguage(LANG));
}
export { LANG };
