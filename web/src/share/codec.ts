// Share-link payloads: the compact scene JSON, deflate-raw compressed (CompressionStream) and
// base64url encoded, behind a version prefix: "1.<base64url>". Anything else is rejected with
// a reason the page can explain (an older/newer link, or a damaged one).
import { base64ToBytes, bytesToBase64 } from './base64';
import { compactScene } from './numbers';

export const PAYLOAD_VERSION = '1';

export type Decoded = { ok: true; json: string } | { ok: false; reason: 'version' | 'damaged' };

function toBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** "1.<base64url(deflate-raw(compact scene JSON))>" */
export async function encodeScene(sceneJson: string): Promise<string> {
  const bytes = new TextEncoder().encode(compactScene(sceneJson));
  return `${PAYLOAD_VERSION}.${toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')))}`;
}

export async function decodeScene(payload: string): Promise<Decoded> {
  const m = /^(\d+)\.([A-Za-z0-9_-]*)$/.exec(payload.trim());
  // a payload without a version prefix is an older kind of link; an empty one is cut short
  if (!m) return { ok: false, reason: /^[A-Za-z0-9_-]+$/.test(payload) && !payload.includes('.') ? 'version' : 'damaged' };
  if (m[1] !== PAYLOAD_VERSION) return { ok: false, reason: 'version' };
  try {
    const raw = await pipe(fromBase64Url(m[2]), new DecompressionStream('deflate-raw'));
    const json = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    const value: unknown = JSON.parse(json);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'damaged' };
    return { ok: true, json };
  } catch {
    return { ok: false, reason: 'damaged' };
  }
}
