// The picture header check (web/src/image/sniff.ts, transpiled here with TypeScript, no bundler):
// the format and stated pixel size of PNG, JPEG (baseline and progressive, the frame header after
// a large EXIF block), GIF, WebP (lossy, lossless, extended), BMP and AVIF headers written here, and
// what is not an image.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript } from './support.mjs';

let sniffImage, MAX_PIXELS;

before(async () => {
  ({ sniffImage, MAX_PIXELS } = await importTypeScript('web/src/image/sniff.ts'));
});

const bytes = (...parts) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
const be16 = (n) => [n >> 8, n & 0xff];
const le16 = (n) => [n & 0xff, n >> 8];
const le32 = (n) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

test('PNG: IHDR width and height', () => {
  const png = bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13], 'IHDR', [0, 0, 0x1b, 0xa0, 0, 0, 0x1b, 0xa0], [8, 6, 0, 0, 0]);
  assert.deepEqual(sniffImage(png), { format: 'png', width: 7072, height: 7072 });
  assert.ok(7072 * 7072 > MAX_PIXELS, 'a 50 MP picture is over the limit');
});

test('JPEG: the first SOFn after other segments (a 60 KB EXIF block), baseline and progressive; not DHT', () => {
  const app1 = [0xff, 0xe1, ...be16(60000), ...new Array(59998).fill(0x41)];
  const dht = [0xff, 0xc4, ...be16(5), 0, 0, 0];
  for (const sof of [0xc0, 0xc2]) {
    const jpeg = bytes([0xff, 0xd8], app1, dht, [0xff, sof, ...be16(17), 8, ...be16(3000), ...be16(4000), 3]);
    assert.deepEqual(sniffImage(jpeg), { format: 'jpeg', width: 4000, height: 3000 });
  }
  // no frame header within the bytes read: a JPEG of unknown size (checked after decoding)
  assert.deepEqual(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], new Array(20).fill(0))), { format: 'jpeg', width: 0, height: 0 });
});

test('GIF, WebP (VP8, VP8L, VP8X) and BMP sizes', () => {
  assert.deepEqual(sniffImage(bytes('GIF89a', le16(320), le16(200), [0, 0, 0])), { format: 'gif', width: 320, height: 200 });
  const riff = (chunk, body) => bytes('RIFF', le32(100), 'WEBP', chunk, body);
  assert.deepEqual(sniffImage(riff('VP8 ', [...le32(50), 0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(640), ...le16(480)])), { format: 'webp', width: 640, height: 480 });
  const bits = (640 - 1) | ((480 - 1) << 14);
  assert.deepEqual(sniffImage(riff('VP8L', [...le32(50), 0x2f, ...le32(bits), 0, 0, 0, 0, 0])), { format: 'webp', width: 640, height: 480 });
  assert.deepEqual(sniffImage(riff('VP8X', [...le32(10), 0, 0, 0, 0, 0x7f, 0x02, 0, 0xdf, 0x01, 0])), { format: 'webp', width: 640, height: 480 });
  const bmp = bytes('BM', le32(0), le32(0), le32(54), le32(40), le32(800), le32(-600), le16(1), le16(24));
  assert.deepEqual(sniffImage(bmp), { format: 'bmp', width: 800, height: 600 });
});

test('AVIF: the brand in ftyp, the size from the first ispe box (none read: size unknown)', () => {
  const be32 = (n) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const ftyp = [...be32(20), ...Buffer.from('ftypavif'), 0, 0, 0, 0, ...Buffer.from('mif1')];
  const ispe = [...be32(20), ...Buffer.from('ispe'), 0, 0, 0, 0, ...be32(8000), ...be32(6000)];
  assert.deepEqual(sniffImage(bytes(ftyp, [0, 0, 0, 8], 'meta', ispe)), { format: 'avif', width: 8000, height: 6000 });
  assert.deepEqual(sniffImage(bytes(ftyp)), { format: 'avif', width: 0, height: 0 });
  assert.equal(sniffImage(bytes([...be32(20)], 'ftypisom', [0, 0, 0, 0])), null, 'an MP4 video is no picture');
});

test('not an image: text, JSON, ONNX-like bytes, an empty file, a truncated signature', () => {
  for (const b of [bytes('hello'), bytes('{"version":2}'), bytes([8, 7, 18, 3, 1, 2, 3]), bytes(), bytes([0x89], 'PN')]) assert.equal(sniffImage(b), null);
});
