// Downloading a model file for `?model=URL`: never more than the ONNX reader's 64 MB (refused from
// Content-Length before reading, and while streaming before the pieces are joined), never stuck
// (the request is aborted when nothing arrives for a while), and every failure a value, not an
// exception.

/** The ONNX reader's own limit (core: onnx_too_large); a scene file is held to it too. */
export const MODEL_MAX_BYTES = 64 * 1024 * 1024;
/** Silence allowed before the answer and between two pieces of it (a large file on a slow line still arrives). */
export const MODEL_TIMEOUT_MS = 30_000;

export type Fetched =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'network' | 'timeout' }
  | { ok: false; reason: 'http'; status: number; statusText: string }
  | { ok: false; reason: 'too_large'; bytes: number | null };

export interface FetchLimits { maxBytes?: number; timeoutMs?: number }

export async function fetchModel(url: string, limits: FetchLimits = {}): Promise<Fetched> {
  const maxBytes = limits.maxBytes ?? MODEL_MAX_BYTES;
  const abort = new AbortController();
  let timedOut = false;
  let timer = 0 as unknown as ReturnType<typeof setTimeout>;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { timedOut = true; abort.abort(); }, limits.timeoutMs ?? MODEL_TIMEOUT_MS);
  };
  watch();
  try {
    let res: Response;
    try {
      // no cookies to other sites: a public model needs none, and CORS stays simple
      res = await fetch(url, { signal: abort.signal, credentials: 'same-origin' });
    } catch {
      // a refused CORS request and a dead network look the same to a page (a TypeError)
      return { ok: false, reason: timedOut ? 'timeout' : 'network' };
    }
    if (!res.ok) {
      abort.abort();
      return { ok: false, reason: 'http', status: res.status, statusText: res.statusText };
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      abort.abort();
      return { ok: false, reason: 'too_large', bytes: declared };
    }
    if (!res.body) {
      const whole = new Uint8Array(await res.arrayBuffer());
      return whole.length > maxBytes ? { ok: false, reason: 'too_large', bytes: whole.length } : { ok: true, bytes: whole };
    }
    const reader = res.body.getReader();
    const pieces: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        return { ok: false, reason: timedOut ? 'timeout' : 'network' };
      }
      if (chunk.done) break;
      watch();
      total += chunk.value.length;
      if (total > maxBytes) {
        abort.abort();
        return { ok: false, reason: 'too_large', bytes: null };
      }
      pieces.push(chunk.value);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of pieces) { bytes.set(p, at); at += p.length; }
    return { ok: true, bytes };
  } catch {
    return { ok: false, reason: timedOut ? 'timeout' : 'network' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the bytes are: a scene file (JSON, by its first character), something that is plainly
 * not a model (a web page or other text, e.g. a host's error page served with status 200), or
 * else an ONNX model for the reader to judge. An ONNX file starts with a protobuf tag (0x08,
 * ir_version), never with text.
 */
export function sniffModel(bytes: Uint8Array): 'json' | 'onnx' | 'other' {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte order mark
  const space = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
  while (i < bytes.length && space(bytes[i])) i++;
  if (bytes[i] === 0x7b) return 'json'; // '{'
  const head = bytes.subarray(i, i + 512);
  const text = head.length > 0 && head.every((b) => b >= 0x20 || space(b));
  return text ? 'other' : 'onnx';
}
