// The ```cnn-lens Markdown fence, shared by the markdown-it and the remark/rehype plugins: reads a
// fence body into the attributes of a <cnn-lens> element and writes the element's HTML. It runs
// at build time in Node (or in a browser) and never throws: a scene it cannot read is passed on
// to the element, which shows its own notice, so a bad fence never breaks a site's build.

/** The info string (language) that marks a fence as a live figure. */
export const FENCE_LANGUAGE = 'cnn-lens';

/** The element's attributes a fence may set (docs/embedding.md). */
export const FENCE_ATTRIBUTES = ['scene', 'view', 'panels', 'readonly', 'theme'] as const;
export type FenceAttribute = (typeof FENCE_ATTRIBUTES)[number];

export interface FenceResult {
  /** Attribute name -> value; '' for a boolean attribute such as `readonly`. */
  attributes: Partial<Record<FenceAttribute, string>>;
  /** Problems worth telling the author about; the element is rendered anyway. */
  warnings: string[];
}

export interface FenceOptions {
  /**
   * Called for each problem in a fence (unknown line, invalid JSON, unknown value). Default:
   * console.warn. The page build goes on either way.
   */
  onWarning?: (message: string) => void;
}

const VALUES: Partial<Record<FenceAttribute, readonly string[]>> = {
  view: ['values', 'gradients', 'both'],
  theme: ['light', 'dark', 'auto'],
};
const YES = ['', 'true', 'yes', 'on'];
const NO = ['false', 'no', 'off'];

/** True when a fence's info string (e.g. "cnn-lens", "cnn-lens {title}") names this plugin. */
export function isCnnLensFence(info: string | null | undefined): boolean {
  return (info ?? '').trim().split(/\s+/)[0]?.toLowerCase() === FENCE_LANGUAGE;
}

/**
 * Reads a fence body. Either a scene as JSON (the body starts with `{`), or attribute lines
 * (`scene: classic`, `view: both`, `panels: input,conv`, `readonly`, `theme: dark`; `#` starts
 * a comment line) optionally followed by a scene as JSON from the first line starting with `{`.
 */
export function parseFence(body: string): FenceResult {
  const attributes: FenceResult['attributes'] = {};
  const warnings: string[] = [];
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('{')) {
      attributes.scene = sceneJson(lines.slice(i).join('\n').trim(), warnings);
      break;
    }
    const colon = line.indexOf(':');
    const key = (colon < 0 ? line : line.slice(0, colon)).trim().toLowerCase();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (!(FENCE_ATTRIBUTES as readonly string[]).includes(key)) {
      warnings.push(`line ${i + 1}: "${line}" is not one of ${FENCE_ATTRIBUTES.join(', ')} (ignored)`);
      continue;
    }
    const name = key as FenceAttribute;
    if (name === 'readonly') {
      const v = value.toLowerCase();
      if (YES.includes(v)) attributes.readonly = '';
      else if (NO.includes(v)) delete attributes.readonly;
      else warnings.push(`line ${i + 1}: readonly takes no value, or true/false (got "${value}")`);
      continue;
    }
    if (!value) { warnings.push(`line ${i + 1}: ${name} needs a value`); continue; }
    const allowed = VALUES[name];
    if (allowed && !allowed.includes(value.toLowerCase())) warnings.push(`line ${i + 1}: ${name} "${value}" is not one of ${allowed.join(', ')}`);
    attributes[name] = name === 'scene' && value.startsWith('{') ? sceneJson(value, warnings) : value;
  }
  return { attributes, warnings };
}

/** Valid JSON is written on one line; anything else is kept as written for the element's notice. */
function sceneJson(text: string, warnings: string[]): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (e) {
    warnings.push(`the scene is not valid JSON (${e instanceof Error ? e.message : String(e)}); the element will show a notice`);
    return text;
  }
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<cnn-lens …></cnn-lens>` for the attributes, in the order of FENCE_ATTRIBUTES. */
export function elementHtml(attributes: FenceResult['attributes']): string {
  const parts = FENCE_ATTRIBUTES.filter((name) => attributes[name] !== undefined)
    .map((name) => (attributes[name] === '' ? name : `${name}="${escapeAttribute(attributes[name]!)}"`));
  return `<cnn-lens${parts.map((p) => ` ${p}`).join('')}></cnn-lens>`;
}

/** The attributes as hast properties: a boolean attribute is `true` (hast drops an empty string). */
export function hastProperties(attributes: FenceResult['attributes']): Record<string, string | true> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value === '' ? true : value!]));
}

/** Reports a fence's warnings through the plugin options (console.warn by default). */
export function report(result: FenceResult, options: FenceOptions | undefined, where: string): void {
  const warn = options?.onWarning ?? ((m: string) => console.warn(m));
  for (const w of result.warnings) warn(`cnn-lens fence${where}: ${w}`);
}
