// Bytes as base64 text and back (share links use its URL-safe form, project files the plain one).

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  // String.fromCharCode takes arguments: in slices, well under any engine's argument limit
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Throws (atob's DOMException) on characters outside base64. */
export function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
