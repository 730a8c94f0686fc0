// The core's error messages in the reader's words, until the core reports structured errors:
// "layer 0 (conv2d): kernel_size 9x9 is larger than …" names the layer as its card does
// ("1. Convolution", counted from 1) and the field as the settings label ("kernel size"); a few
// frequent messages are translated whole. Unknown text passes through unchanged.
import type { Strings } from './en';

const FIELDS = ['out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'out_features', 'negative_slope'];

/** Whole sentences translated per language; $1… are the message's own numbers. */
const SENTENCES: Partial<Record<string, [RegExp, string][]>> = {
  zh: [
    [/^(.*?)[:：] ?kernel size (\S+) is larger than the padded input (\S+)$/, '$1：卷积核尺寸 $2 大于补零后的输入 $3'],
    [/^(.*?)[:：] ?(.+) must be an integer, got (.+)$/, '$1：$2 必须是整数，而不是 $3'],
    [/^(.*?)[:：] ?(.+) must be a finite number$/, '$1：$2 必须是有限的数'],
    [/^(.*?)[:：] ?(.+) must be in (.+)$/, '$1：$2 必须在 $3 之内'],
  ],
};

export function wordCoreError(msg: string, S: Strings, lang: string): string {
  let out = msg.replace(/\blayer (\d+) \(([a-z_0-9]+)\)/g, (_, i: string, type: string) => `“${S.layerTitle(Number(i), S.layerNames[type] ?? type)}”`);
  for (const f of FIELDS) out = out.replace(new RegExp(`\\b${f}\\b`, 'g'), S.settingNames[f] ?? f);
  for (const [re, to] of SENTENCES[lang] ?? []) if (re.test(out)) return out.replace(re, to);
  return out;
}
