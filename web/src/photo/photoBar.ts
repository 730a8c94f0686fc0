// Above the pipeline while the photo example is open: which sample photo is the input, with its
// credit and licence. Choosing another fetches it and makes it the input (one undo step); the
// network, and so the kernel being tried, stays.
import type { App } from '../app';
import type { UIState } from '../state';
import { PS } from './strings';
import { h, select, setText } from '../views/dom';
import { PHOTO_PRESET } from '../presets';
import { SAMPLE_PHOTOS, samplePhotoInputAt } from './photos';

class PhotoBar {
  readonly el: HTMLElement;
  private readonly menu: HTMLSelectElement;
  private readonly credit: HTMLElement;
  private readonly status: HTMLElement;
  /** the photo last chosen here (the example opens with the first) */
  private chosen = SAMPLE_PHOTOS[0].id;
  private request = 0;

  constructor(private readonly app: App, private readonly state: UIState) {
    this.menu = select(SAMPLE_PHOTOS.map((p) => [p.id, PS.photoNames[p.id] ?? p.id]), this.chosen, (id) => void this.choose(id),
      { testid: 'photo-select' });
    this.credit = h('span', { class: 'photo-credit', testid: 'photo-credit' });
    this.status = h('span', { class: 'photo-status', role: 'status', testid: 'photo-status' });
    this.el = h('div', { class: 'photo-bar', testid: 'photo-bar', hidden: true },
      h('label', {}, PS.photoLabel, this.menu), this.credit, this.status);
  }

  afterRender(): void {
    const open = this.state.presetId === PHOTO_PRESET;
    this.el.hidden = !open;
    if (!open) return;
    if (this.menu.value !== this.chosen) this.menu.value = this.chosen;
    setText(this.credit, PS.photoCredits[this.chosen] ?? '');
  }

  /** Fetches the photo, scaled to the current input's size and channels, and makes it the input. */
  private async choose(id: string): Promise<void> {
    const photo = SAMPLE_PHOTOS.find((p) => p.id === id);
    if (!photo) return;
    const ticket = ++this.request;
    const [c, height, width] = this.state.scene.input.shape;
    setText(this.status, PS.photoLoading);
    try {
      const data = await samplePhotoInputAt(photo, c === 1 ? 1 : 3, height, width);
      if (ticket !== this.request || this.state.presetId !== PHOTO_PRESET) return;
      this.chosen = id;
      setText(this.status, '');
      this.app.controller.setInputPicture(data, null);
    } catch (e) {
      if (ticket !== this.request) return;
      this.menu.value = this.chosen;
      setText(this.status, PS.photoFailed(e instanceof Error ? e.message : String(e)));
    }
  }
}

/** Adds the bar above the pipeline; it shows itself while the photo example is open. */
export function mountPhotoBar(app: App, state: UIState, root: HTMLElement): void {
  const network = root.querySelector('section.network');
  if (!network) return;
  const bar = new PhotoBar(app, state);
  network.prepend(bar.el);
  app.onRender(() => bar.afterRender());
  bar.afterRender();
}
