// The sample photos of the "Kernels on a photo" example and the scene built around one of them.
// The photos come from Debian's scikit-image data (tools/prepare-photos.mjs copies them into
// web/public/photos at build time; the README records each licence); they load only when the
// example opens, so the page and the offline file stay small.
import { resample } from '../image/resample';
import { f32Text } from '../share/numbers';
import { presetWeight } from './kernels';

/** the side of the example's input: big enough to look like a photo, small enough to redraw per keystroke */
export const PHOTO_SIDE = 256;

export interface SamplePhoto {
  id: string;
  file: string;
}

export const SAMPLE_PHOTOS: SamplePhoto[] = [
  { id: 'chelsea', file: 'chelsea.png' },
  { id: 'coffee', file: 'coffee.png' },
  { id: 'astronaut', file: 'astronaut.png' },
  { id: 'camera', file: 'camera.png' },
];

/**
 * The photo as input numbers: fetched, decoded and resampled by the same path as a picture the
 * reader opens (web/src/image/picture.ts: EXIF orientation, the largest centred square, area
 * averaging), grey or RGB 0..1.
 */
export async function samplePhotoInputAt(photo: SamplePhoto, channels: 1 | 3, height: number, width: number, base = document.baseURI): Promise<Float32Array> {
  const res = await fetch(new URL(`photos/${photo.file}`, base));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const { imageToInput } = await import('../image/picture');
  return (await imageToInput(await res.blob(), { channels, height, width })).values;
}

/** The photo as the example's input: 256×256, RGB. */
export function samplePhotoInput(photo: SamplePhoto): Promise<Float32Array> {
  return samplePhotoInputAt(photo, 3, PHOTO_SIDE, PHOTO_SIDE);
}

/**
 * A picture drawn here, for when the sample photos can't be fetched (the offline file has none):
 * sky, sun, hills and a house give the kernels edges in every direction, flat areas and colour.
 */
export function drawnPicture(side = PHOTO_SIDE): Float32Array {
  const canvas = new OffscreenCanvas(side, side);
  const c = canvas.getContext('2d', { willReadFrequently: true })!;
  const u = side / 256;
  const sky = c.createLinearGradient(0, 0, 0, 170 * u);
  sky.addColorStop(0, '#5b9bd5');
  sky.addColorStop(1, '#dcebf7');
  c.fillStyle = sky;
  c.fillRect(0, 0, side, side);
  c.fillStyle = '#f4c542';
  c.beginPath(); c.arc(196 * u, 56 * u, 26 * u, 0, 2 * Math.PI); c.fill();
  c.fillStyle = '#4f8a3c';
  c.beginPath(); c.moveTo(0, 190 * u); c.quadraticCurveTo(80 * u, 120 * u, 170 * u, 180 * u); c.quadraticCurveTo(220 * u, 150 * u, side, 170 * u); c.lineTo(side, side); c.lineTo(0, side); c.fill();
  c.fillStyle = '#c0504d';
  c.fillRect(60 * u, 150 * u, 70 * u, 55 * u);
  c.fillStyle = '#7f3f3d';
  c.beginPath(); c.moveTo(52 * u, 152 * u); c.lineTo(95 * u, 115 * u); c.lineTo(138 * u, 152 * u); c.fill();
  c.fillStyle = '#fdf6e3';
  c.fillRect(75 * u, 165 * u, 16 * u, 16 * u);
  c.fillRect(102 * u, 175 * u, 14 * u, 30 * u);
  const px = c.getImageData(0, 0, side, side);
  return resample(px, { x: 0, y: 0, width: side, height: side }, side, side, 3);
}

/**
 * The example's scene: the photo through one 3×3 conv, one kernel per colour channel (a depthwise
 * convolution, groups 3) so the output is a colour picture again, zero padding 1 so it keeps its
 * size; forward only.
 */
export function photoScene(input: Float32Array, title: string, description: string): string {
  const weight = presetWeight('outline', 3, 3, 1)!;
  // float32 values written with the shortest text that reads back the same (JSON.stringify of a
  // float64 copy would write 17 digits each)
  const data = Array.from(input, (v) => Number(f32Text(v)));
  return JSON.stringify({
    version: 1,
    title,
    description,
    input: { shape: [3, PHOTO_SIDE, PHOTO_SIDE], data },
    layers: [{ type: 'conv2d', out_channels: 3, kernel_size: 3, padding: 1, groups: 3, weight, bias: [0, 0, 0] }],
    loss: 'none',
  });
}
