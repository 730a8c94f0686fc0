// Every user-visible string of the page, in the active language. The tables live in
// web/src/i18n/ (one file per language: en.ts is the reference, zh.ts has the same keys, tsc
// fails if one is missing); this module keeps `import { S } from './strings'` working
// everywhere: S is the active language's table.
//
// New strings go into web/src/i18n/en.ts and zh.ts. Strings added in a hurry may go into
// `pending` below (English in every language) until they are moved into the tables.
import { LANG, LANGUAGES } from './i18n';

const pending = {

};

export const S = { ...pending, ...LANGUAGES[LANG].strings };
export { LANG };
