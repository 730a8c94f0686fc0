// What the page's line charts share (the loss curve, the digits dashboard's curves): a crisp
// canvas at the device pixel ratio, a frame with y ticks and faint grid lines, and polylines
// thinned to about one point per pixel column.

export interface Box { l: number; t: number; w: number; h: number }

/**
 * Sizes the canvas to its CSS width (or `width` attribute) x cssH at the device pixel ratio; clears it.
 * `cssW`, when the caller knows it (a ResizeObserver), spares reading clientWidth, which lays out the page.
 */
export function prepareCanvas(cv: HTMLCanvasElement, cssH: number, cssW = 0): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = cssW || cv.clientWidth || Number(cv.getAttribute('width')) || 300;
  if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(cssH * dpr)) {
    cv.width = Math.round(w * dpr);
    cv.height = Math.round(cssH * dpr);
  }
  const ctx = cv.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, cssH);
  return { ctx, w, h: cssH };
}

/** A theme colour from the CSS variables `el` inherits (the page's, or its <cnn-lens> element's). */
export function cssColor(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** The left and bottom axes in `ink`, and y ticks at 0, 1/2 and 1 of the height with grid lines. */
export function drawFrame(ctx: CanvasRenderingContext2D, box: Box, ink: string, font: string, yLabel: (fraction: number) => string): void {
  const { l, t, w, h } = box;
  ctx.font = font;
  ctx.fillStyle = ink;
  ctx.strokeStyle = ink;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(l, t);
  ctx.lineTo(l, t + h);
  ctx.lineTo(l + w, t + h);
  ctx.stroke();
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const f of [0, 0.5, 1]) {
    const y = t + h * (1 - f);
    ctx.fillText(yLabel(f), l - 4, y);
    ctx.globalAlpha = 0.15;
    ctx.beginPath();
    ctx.moveTo(l, y);
    ctx.lineTo(l + w, y);
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
}

/**
 * Writes `text` centred on (cx, cy) in lines no wider than `maxWidth`, broken between words (or
 * between characters, for text without spaces such as Chinese), so a narrow chart shows its
 * message at full size rather than squeezed into one line.
 */
export function fillTextWrapped(ctx: CanvasRenderingContext2D, text: string, cx: number, cy: number, maxWidth: number, lineHeight: number): void {
  const spaced = text.includes(' ');
  const pieces = spaced ? text.split(' ') : [...text];
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    const longer = line ? line + (spaced ? ' ' : '') + piece : piece;
    if (line && ctx.measureText(longer).width > maxWidth) {
      lines.push(line);
      line = piece;
    } else {
      line = longer;
    }
  }
  if (line) lines.push(line);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const first = cy - ((lines.length - 1) * lineHeight) / 2;
  lines.forEach((l, k) => ctx.fillText(l, cx, first + k * lineHeight, maxWidth));
}

/** Strokes points 0..n-1 at (x(i), y(i)), at most about one per pixel column of `width`. */
export function strokePolyline(ctx: CanvasRenderingContext2D, n: number, width: number, x: (i: number) => number, y: (i: number) => number): void {
  const stride = Math.max(1, Math.floor(n / width));
  ctx.beginPath();
  for (let i = 0; i < n; i += stride) {
    if (i === 0) ctx.moveTo(x(i), y(i));
    else ctx.lineTo(x(i), y(i));
  }
  ctx.stroke();
}
