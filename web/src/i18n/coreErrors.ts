// The core's error messages in the reader's words: "layer 1 (conv2d): kernel_size 9x9 is larger
// than …" (the core counts layers from 1, as the cards do) names the layer as its card does
// ("1. Convolution") and the field as the settings label ("kernel size"); a few frequent messages
// are translated whole. Unknown text passes through unchanged. (Errors also carry a code and
// details — Error.code, Error.details — for wording that does not parse text.)
import type { Strings } from './en';

const FIELDS = ['out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'out_features', 'negative_slope'];

/** Whole sentences translated per language; $1… are the message's own numbers. */
const SENTENCES: Partial<Record<string, [RegExp, string][]>> = {
  zh: [
    [/(layer \d+ \([a-z_0-9]+\)): kernel_size (\S+) is larger than the padded input (\S+)/g, '$1：kernel_size $2 大于补零后的输入 $3'],
    [/(layer \d+ \([a-z_0-9]+\)): ([a-z_]+) must be an integer, got ([^\s—]+)/g, '$1：$2 必须是整数，而不是 $3'],
    [/(layer \d+ \([a-z_0-9]+\)): ([a-z_]+) must be a finite number/g, '$1：$2 必须是有限的数'],
  ],
};

export function wordCoreError(msg: string, S: Strings, lang: string): string {
  let out = msg;
  for (const [re, to] of SENTENCES[lang] ?? []) out = out.replace(re, to);
  out = out.replace(/\blayer (\d+) \(([a-z_0-9]+)\)/g, (_, i: string, type: string) => `“${S.layerTitle(Number(i) - 1, S.layerNames[type] ?? type)}”`);
  for (const f of FIELDS) out = out.replace(new RegExp(`\\b${f}\\b`, 'g'), S.settingNames[f] ?? f);
  return out;
}
