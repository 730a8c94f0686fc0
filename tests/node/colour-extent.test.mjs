// The colour extent of heatmaps (web/src/colors.ts, heatmapExtent): a few far-out cells no
// longer wash a map out, while maps without outliers, mostly-zero maps and empty ones keep the
// plain largest |value|.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript } from './support.mjs';

let heatmapExtent;
before(async () => {
  ({ heatmapExtent } = await importTypeScript('web/src/colors.ts'));
});

/** n values spread evenly over (-spread, spread), deterministic */
const spreadOut = (n, spread) => Float32Array.from({ length: n }, (_, i) => spread * (((i * 7919) % n) / n * 2 - 1));

test('a few far-out cells: the scale spans 98% of the non-zero values, the rest saturate', () => {
  const data = spreadOut(10000, 0.5);
  // a zero-padded border's worth of large values: 0.3% of the cells
  for (let i = 0; i < 30; i++) data[i * 331] = i % 2 ? 3.67 : -3.2;
  const { max, largest } = heatmapExtent(data);
  assert.ok(Math.abs(largest - 3.67) < 1e-6, `largest ${largest}`);
  // the 98th percentile of |v| (values spread evenly to 0.5, 0.3% beyond): about 0.49, to a bin's width
  assert.ok(max >= 0.47 && max <= 0.5 + 3.67 / 1024 + 1e-6, `max ${max}`);
  const beyond = data.filter((v) => Math.abs(v) > max).length;
  assert.ok(beyond <= Math.ceil(data.length * 0.02), `${beyond} cells beyond the scale`);
});

test('no outliers: the largest |value| spans the colours', () => {
  const data = spreadOut(10000, 2);
  const { max, largest } = heatmapExtent(data);
  assert.equal(max, largest);
  assert.ok(Math.abs(largest - 2) < 1e-3);
});

test('a mostly-zero ReLU map is scaled by its non-zero cells, not clipped to nothing', () => {
  const data = new Float32Array(10000);
  for (let i = 0; i < 40; i++) data[i * 250] = 0.1 + i / 40;
  const { max, largest } = heatmapExtent(data);
  assert.equal(max, largest);
});

test('an all-zero map and non-finite cells keep a usable scale', () => {
  assert.deepEqual(heatmapExtent(new Float32Array(100)), { max: 1, largest: 1 });
  const data = spreadOut(1000, 1);
  data[3] = Number.NaN;
  data[4] = Number.POSITIVE_INFINITY;
  const { max, largest } = heatmapExtent(data);
  assert.ok(Number.isFinite(max) && Number.isFinite(largest) && max > 0.9, `${max} ${largest}`);
});
