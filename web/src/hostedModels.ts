// Model files shipped beside the hosted page (web/dist/models/, copied at build time by
// tools/vite-models.mjs) and offered in the example menu. Choosing one opens it through the same
// path as `?model=URL` (web/src/share/modelUrl.ts), so the file is fetched only then. The offline
// single file (built in mode 'offline') has neither the files nor the entries, and neither has
// the <cnn-lens> element: the entries are added by the full page's boot (web/src/share/host.ts).
import { S } from './strings';
import { h } from './views/dom';

export interface HostedModel { id: string; url: string }

const offline = (import.meta as { env?: { MODE?: string } }).env?.MODE === 'offline';

export const HOSTED_MODELS: HostedModel[] = offline ? [] : [
  // tests/fixtures/onnx/small_resnet.onnx, exported from PyTorch by tests/fixtures/generate_onnx_models.py
  { id: 'small-resnet', url: 'models/small-resnet.onnx' },
];

/** The menu's value of a hosted model: "model:small-resnet". */
export const hostedValue = (m: HostedModel): string => `model:${m.id}`;

/**
 * Adds the hosted models to the example menu, in a group of their own. Choosing one calls
 * `open(url)` instead of the menu's own handler, and the menu goes back to what is open (`shown`:
 * the preset id; the model's scene, once opened, is named like any opened file).
 */
export function addHostedModels(menu: HTMLSelectElement, shown: () => string, open: (url: string) => void): void {
  if (!HOSTED_MODELS.length) return;
  menu.append(h('optgroup', { label: S.hostedModelsGroup },
    ...HOSTED_MODELS.map((m) => h('option', { value: hostedValue(m), 'data-hosted': '' }, S.hostedModelTitles[m.id] ?? m.id))));
  // capture: runs before the menu's own listener, which knows only the examples
  menu.parentElement?.addEventListener('change', (e) => {
    const m = HOSTED_MODELS.find((x) => hostedValue(x) === menu.value);
    if (e.target !== menu || !m) return;
    e.stopPropagation();
    menu.value = shown();
    open(m.url);
  }, { capture: true });
}
