// The spotlight is one generated <style> element keyed on the regions' typed references
// (../tensorRef.ts: selectorOf), so it survives the pipeline rebuilding its DOM after an edit:
// the highlighted regions get an outline, the other cards and panels are dimmed lightly, and in
// embed mode the regions a step does not need are hidden. Step widgets add their own cell-level
// rules (quiz cells, windows) as `extra`.
import { selectorOf, type Region } from '../tensorRef';

export function bySelector(regions: Region[]): string {
  return regions.map(selectorOf).join(', ');
}

export class Spotlight {
  private readonly style: HTMLStyleElement;

  constructor() {
    this.style = document.createElement('style');
    this.style.dataset.lesson = 'spotlight';
    document.head.append(this.style);
  }

  set(spot: Region[], needs: Region[], embed: boolean, extra: string): void {
    const s = bySelector(spot);
    const rules: string[] = [];
    if (s) {
      const dimmable = 'body.lesson-on :is(.pipeline > .stage > .card, .pipeline > .card-loss, .side > .panel:not(.lesson-panel))';
      // de-emphasised by greying the colours, not by fading: text keeps its AA contrast
      rules.push(`${dimmable}:not(:is(${s})):not(:has(:is(${s}))):not(:is(${s}) *) { filter: grayscale(1); opacity: var(--lesson-dim, 1); }`);
      rules.push(`body.lesson-on :is(${s}) { outline: 3px solid var(--lesson-spot); outline-offset: 3px; }`);
      rules.push(`body.lesson-on .block:is(${s}) { outline-offset: -2px; }`);
    }
    if (embed) {
      const n = bySelector(needs);
      if (!needs.some((r) => 'panel' in r && r.panel === 'pipeline')) {
        rules.push(n
          ? `body.lesson-embed .pipeline > :is(.stage, .card-loss):not(:is(${n})):not(:has(:is(${n}))) { display: none; }`
          : 'body.lesson-embed .network { display: none; }');
      }
      rules.push(n
        ? `body.lesson-embed .side > .panel:not(.lesson-panel):not(:is(${n})):not(:has(:is(${n}))) { display: none; }`
        : 'body.lesson-embed .side > .panel:not(.lesson-panel) { display: none; }');
    }
    const css = [...rules, extra].join('\n');
    if (this.style.textContent !== css) this.style.textContent = css;
  }

  clear(): void {
    this.style.textContent = '';
  }
}
