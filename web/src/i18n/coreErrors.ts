// The core's errors in the reader's words, from their code and values (Error.code, Error.details;
// the English Error.message is not parsed): where it happened as the card names it ("1. Convolution"),
// then the sentence of the language's table (S.coreErrors: errorWords.ts, errorWordsZh.ts) with
// the settings' labels ("kernel size").
import type { Strings } from './en';
import { errorWords, fieldWords } from './errorWords';

/** An Error from the wasm module, or the same facts posted by the digits worker. */
export interface CoreErrorLike { code?: unknown; details?: unknown; message?: unknown }

export function isCoreError(e: unknown): e is CoreErrorLike & { code: string } {
  return typeof e === 'object' && e !== null && typeof (e as CoreErrorLike).code === 'string';
}

/** The codes this page can word (tests compare them with Module.errorCodes()). */
export const wordedCodes = (): string[] => Object.keys(errorWords);

function fieldLabel(field: string, S: Strings, lang: string): string {
  if (!field) return '';
  // one value of a list ("data[0]", "target[3]"): the list's label and the value's 1-based place
  const item = /^(\w+)\[(\d+)\]$/.exec(field);
  if (item) {
    const list = fieldLabel(item[1], S, lang);
    const place = Number(item[2]) + 1;
    return lang === 'zh' ? `${list}的第 ${place} 个值` : `value ${place} of ${list}`;
  }
  return S.settingNames[field] ?? fieldWords[field]?.[lang as 'en' | 'zh'] ?? fieldWords[field]?.en ?? field;
}

/** "“1. Convolution”", "node “conv1” (Convolution)", or '' when the error is about no layer. */
function placeOf(code: string, d: Record<string, unknown>, S: Strings, lang: string): string {
  const type = typeof d.type === 'string' ? d.type : '';
  const layer = typeof d.layer === 'number' ? d.layer : 0;
  const node = typeof d.node === 'string' ? d.node : '';
  const kind = S.layerNames[type] ?? type;
  if (code.startsWith('onnx_')) return node ? (lang === 'zh' ? `节点“${node}”` : `node “${node}”`) : '';
  if (layer > 0 && type) return `“${S.layerTitle(layer - 1, kind)}”`;
  if (node && type) return lang === 'zh' ? `节点“${node}”（${kind}）` : `node “${node}” (${kind})`;
  return '';
}

/** The error worded in `lang`; an error without a code (not from the core) keeps its message. */
export function wordCoreError(e: unknown, S: Strings, lang: string): string {
  if (!isCoreError(e)) return e instanceof Error ? e.message : String(e);
  const words = S.coreErrors[e.code] ?? errorWords[e.code];
  const d = (typeof e.details === 'object' && e.details !== null ? e.details : {}) as Record<string, unknown>;
  if (!words) return typeof e.message === 'string' ? e.message : e.code;
  const field = typeof d.field === 'string' ? d.field : '';
  const say = words({ d, field: fieldLabel(field, S, lang) });
  const where = placeOf(e.code, d, S, lang);
  if (!where) return say;
  return lang === 'zh' ? `${where}：${say}` : `${where}: ${say}`;
}
