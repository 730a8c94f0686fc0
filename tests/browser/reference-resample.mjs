// The tests' own reference for turning a picture into a square network input, written
// independently of web/src/image: the largest centred square, each output pixel the mean of the
// source pixels under its box weighted by the area covered (2-D overlap, no separable shortcut).

/**
 * `rgb(x, y)`: the source pixel's [r, g, b] (0..255). Returns channel-major [3, side, side] means,
 * still 0..255 (callers scale or round them as the page does).
 */
export function centreSquareMeans(width, height, rgb, side) {
  const square = Math.min(width, height);
  const x0 = (width - square) / 2, y0 = (height - square) / 2, step = square / side;
  const out = new Float64Array(3 * side * side);
  for (let oy = 0; oy < side; oy++) {
    for (let ox = 0; ox < side; ox++) {
      const left = x0 + ox * step, top = y0 + oy * step;
      const sum = [0, 0, 0];
      for (let sy = Math.floor(top); sy < Math.ceil(top + step); sy++) {
        for (let sx = Math.floor(left); sx < Math.ceil(left + step); sx++) {
          const cover = Math.max(0, Math.min(sx + 1, left + step) - Math.max(sx, left)) * Math.max(0, Math.min(sy + 1, top + step) - Math.max(sy, top));
          const px = rgb(sx, sy);
          for (let ch = 0; ch < 3; ch++) sum[ch] += cover * px[ch];
        }
      }
      for (let ch = 0; ch < 3; ch++) out[ch * side * side + oy * side + ox] = sum[ch] / (step * step);
    }
  }
  return out;
}
