// Declarations of `cnn-lens` (the <cnn-lens> element), written by hand: this is the package's
// stable surface (docs/package.md), smaller than the element's implementation.
import type { Model } from './cnnlens.js';

export type CnnLensView = 'values' | 'gradients' | 'both';
export type CnnLensTheme = 'light' | 'dark' | 'auto';

/** What `el.state` shows; only `mode` is part of the stable API, the rest may change in 0.x. */
export interface CnnLensState {
  readonly mode: CnnLensView;
  readonly [key: string]: unknown;
}

/**
 * <cnn-lens scene="classic" view="both" panels="input,conv,loss" readonly theme="dark">.
 * Attributes: docs/embedding.md. Sets data-ready="true" and fires `cnnlens-ready` once drawn.
 */
export declare class CnnLensElement extends HTMLElement {
  static observedAttributes: string[];
  /**
   * Bytes of the shared wasm heap in use: elements removed from the page give theirs back
   * (a removed element stops, frees its Model and its listeners; re-added, it starts again).
   */
  static heapInUse(): Promise<number>;
  /** The element's own Model (do not delete() it); undefined until ready. */
  readonly model: Model | undefined;
  /** The element's UI state, read-only by convention. */
  readonly state: CnnLensState | undefined;
  /** Resolves once the element has drawn its scene. */
  readonly ready: Promise<void>;
  /** The current scene as JSON text, edits and training included ('' before ready). */
  sceneJSON(): string;
  /** Redraw after changing `model` directly; drawing is finished on return. */
  refresh(): void;
}

declare global {
  interface HTMLElementTagNameMap { 'cnn-lens': CnnLensElement }
  interface HTMLElementEventMap { 'cnnlens-ready': CustomEvent }
}
