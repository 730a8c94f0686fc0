// Opening a model from an address: `?model=URL` (same origin, or a server that allows it with
// CORS) and the hosted examples of the menu. The file is downloaded within limits
// (./modelFetch.ts), then opened exactly as "Open file…" opens it (one undo step, the same
// messages); a failure of any kind says what happened in the reader's language and leaves the
// current work as it is. On success the address is remembered (./modelSource.ts) for share links
// and autosave.
import type { App } from '../app';
import { S } from '../strings';
import { showNotice } from './notice';
import { fetchModel, MODEL_MAX_BYTES, MODEL_TIMEOUT_MS, sniffModel } from './modelFetch';
import { setModelSource } from './modelSource';

/** What opens the downloaded bytes: the share bar's "Open file…" path. */
export interface Opener {
  importText(text: string, name: string): boolean;
  importOnnx(bytes: Uint8Array, name: string): Promise<boolean>;
}

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

/** The address as shown in messages: whole, unless very long. */
function shown(url: string): string {
  return url.length > 90 ? `${url.slice(0, 60)}…${url.slice(-25)}` : url;
}

/** The file's name for "Opened …": the last part of the path. */
function fileName(href: string): string {
  try {
    const last = new URL(href).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : href;
  } catch {
    return href;
  }
}

let generation = 0;

/**
 * Downloads and opens the model at `url` (relative to the page, or absolute). Resolves to true
 * when it opened; a later call supersedes an earlier one still downloading.
 */
export async function openModelUrl(app: App, root: HTMLElement, opener: Opener, url: string): Promise<boolean> {
  const gen = ++generation;
  const where = shown(url);
  let href: string;
  try {
    href = new URL(url, document.baseURI).href;
    if (!/^https?:$/.test(new URL(href).protocol)) throw new Error('protocol');
  } catch {
    showNotice(root, S.modelBadAddress(where));
    return false;
  }
  showNotice(root, S.modelLoading(where), 'info');
  const got = await fetchModel(href);
  if (gen !== generation) return false;
  if (!got.ok) {
    switch (got.reason) {
      case 'network': showNotice(root, S.modelNetwork(where)); break;
      case 'timeout': showNotice(root, S.modelTimeout(where, MODEL_TIMEOUT_MS / 1000)); break;
      case 'http': showNotice(root, S.modelHttp(where, `${got.status}${got.statusText ? ` ${got.statusText}` : ''}`)); break;
      case 'too_large': showNotice(root, S.modelTooLarge(where, got.bytes === null ? null : mb(got.bytes), mb(MODEL_MAX_BYTES))); break;
    }
    return false;
  }
  const name = fileName(href);
  const kind = sniffModel(got.bytes);
  let ok: boolean;
  if (kind === 'other') {
    showNotice(root, S.modelNotModel(where));
    ok = false;
  } else if (kind === 'json') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(got.bytes);
    } catch {
      showNotice(root, S.modelNotModel(where));
      return false;
    }
    ok = opener.importText(text, name);
  } else {
    ok = await opener.importOnnx(got.bytes, name);
  }
  if (ok) setModelSource(url, app.controller.engine.sceneJson());
  return ok;
}
