// What a file is, from its first bytes, before anything is decoded: the format (PNG, JPEG, GIF,
// WebP, BMP, AVIF) and the pixel size its header states. "Not an image" and "too many pixels" are
// refused here, so a 50-megapixel photo is never handed to the decoder at all.

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif';

export interface Sniffed {
  format: ImageFormat;
  /** pixel size from the header; 0 when the header did not say within the bytes read */
  width: number;
  height: number;
}

/**
 * The largest picture decoded: 40 million pixels. Decoded, a picture is 4 bytes a pixel (RGBA):
 * 160 MB at 40 MP, and about twice that while the canvas hands the pixels over. That is already
 * near what a phone's browser tab may hold; a 48–50 MP camera's full-size file is refused with a
 * message asking for a smaller copy rather than crashing the tab.
 */
export const MAX_PIXELS = 40_000_000;

/** How many leading bytes `sniffImage` wants (a JPEG's size follows its EXIF block, ≤ 64 KB each). */
export const SNIFF_BYTES = 256 * 1024;

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
const i32le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
const ascii = (b: Uint8Array, i: number, s: string) => [...s].every((c, k) => b[i + k] === c.charCodeAt(0));

/** The format and stated size of an image file's first bytes, or null when it is no image we read. */
export function sniffImage(b: Uint8Array): Sniffed | null {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG\r\n\x1a\n')) {
    // the first chunk is IHDR: width and height as big-endian 32-bit numbers
    const ok = b.length >= 24 && ascii(b, 12, 'IHDR');
    return { format: 'png', width: ok ? u32be(b, 16) : 0, height: ok ? u32be(b, 20) : 0 };
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { format: 'jpeg', ...jpegSize(b) };
  if (b.length >= 10 && (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a'))) return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  if (b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return { format: 'webp', ...webpSize(b) };
  if (b.length >= 26 && ascii(b, 0, 'BM')) {
    const header = b[14] | (b[15] << 8);
    // BITMAPCOREHEADER (12 bytes) has 16-bit sizes; the later headers 32-bit, height < 0 = top-down
    if (header === 12) return { format: 'bmp', width: u16le(b, 18), height: u16le(b, 20) };
    if (header >= 40) return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  }
  // AVIF: an ISO media file whose "ftyp" box names an AVIF brand; the size is in an "ispe" box
  if (b.length >= 12 && ascii(b, 4, 'ftyp') && (ascii(b, 8, 'avif') || ascii(b, 8, 'avis'))) return { format: 'avif', ...avifSize(b) };
  return null;
}

/** The first image spatial extents ("ispe": version/flags, width, height) in the bytes read. */
function avifSize(b: Uint8Array): { width: number; height: number } {
  for (let i = 12; i + 16 <= b.length; i++) {
    if (b[i] === 0x69 && ascii(b, i, 'ispe')) return { width: u32be(b, i + 8), height: u32be(b, i + 12) };
  }
  return { width: 0, height: 0 };
}

/** Walks the JPEG's segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC). */
function jpegSize(b: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { width: 0, height: 0 }; // lost: the decoder will judge the file
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
    if (marker === 0xd9 || marker === 0xda) break; // end of image, start of scan: no frame header before
    const length = u16be(b, i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    i += 2 + length;
  }
  return { width: 0, height: 0 };
}

function webpSize(b: Uint8Array): { width: number; height: number } {
  if (b.length >= 30 && ascii(b, 12, 'VP8X')) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (b.length >= 30 && ascii(b, 12, 'VP8 ') && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (b.length >= 25 && ascii(b, 12, 'VP8L') && b[20] === 0x2f) {
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return { width: 0, height: 0 };
}
