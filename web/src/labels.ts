// What the scene is called wherever it is named (menu, description, document title, exported
// files): the example's name while the scene is the example, "(edited)" once it differs, and
// "Your own scene" for files, links and scripts. One place, so no label can disagree.
import { findPreset, PRESETS } from './presets';
import type { UIState } from './state';
import { S } from './strings';

/** The example's name in the page's language. */
export function presetTitle(id: string): string {
  return S.presetTitles[id] ?? findPreset(id)?.title ?? S.presetCustom;
}

/** "The classic example", "The classic example (edited)" or "Your own scene". */
export function sceneLabel(st: UIState): string {
  if (st.presetId === 'custom' || !findPreset(st.presetId)) return S.presetCustom;
  return presetTitle(st.presetId) + (st.edited ? S.editedSuffix : '');
}

const shipped = new Map<string, string | undefined>();

/** The example's own description as shipped (translated when a translation exists). */
function presetDescription(id: string): string {
  if (S.presetDescriptions[id]) return S.presetDescriptions[id];
  if (!shipped.has(id)) {
    const p = findPreset(id);
    if (!p?.json) return ''; // an example built when chosen (the photo) has its words in S.presetDescriptions
    shipped.set(id, (JSON.parse(p.json) as { description?: string }).description);
  }
  return shipped.get(id) ?? '';
}

/** The description under the header: never one written for a network that is no longer shown. */
export function sceneDescription(st: UIState): string {
  if (st.presetId === 'custom' || !findPreset(st.presetId)) {
    const own = st.scene.description ?? '';
    // a file keeps its own words, unless they are an example's (an edited example saved to a file)
    const copied = findPresetByDescription(own);
    return own && !copied ? own : S.customDesc;
  }
  const original = presetDescription(st.presetId);
  return st.edited ? S.editedDesc(presetTitle(st.presetId), original) : original;
}

function findPresetByDescription(text: string): boolean {
  return PRESETS.some((p) => p.json && (JSON.parse(p.json) as { description?: string }).description === text);
}
