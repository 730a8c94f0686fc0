// Version-2 (graph) scene files on today's page: a chain of the classic layers written as a graph
// opens as that chain, with the same numbers the core computes; a real graph (a residual add, a
// batch) is refused with a clear message and the current work stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup, cells } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let h;
before(async () => { h = await setup(); });
after(async () => { await h.close(); });

function classicAsGraph() {
  const v1 = JSON.parse(readFileSync(join(root, 'examples/classic.json'), 'utf8'));
  const ids = ['conv', 'pool', 'flat', 'fc', 'out'];
  const nodes = v1.layers.map((layer, k) => ({ id: ids[k], ...layer, ...(k > 0 ? { inputs: [ids[k - 1]] } : {}) }));
  nodes[0].weight = { data: nodes[0].weight, name: 'features.0.weight' };
  const { layers: _layers, ...rest } = v1;
  return { ...rest, version: 2, nodes, mode: 'train' };
}

test('a graph file that is a chain of classic layers opens as that chain', async () => {
  const page = await h.open();
  await page.getByTestId('import-file').setInputFiles({ name: 'chain.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(classicAsGraph())) });
  await page.getByTestId('notice-text').filter({ hasText: 'Opened' }).waitFor();
  const first = await cells(page, 'matrix-0-output-0');
  assert.deepEqual(first.slice(0, 4), [3, -1, -3, -1], 'the classic convolution map');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a residual graph with a batch is refused in words and the current work stays', async () => {
  const page = await h.open();
  const before = await page.evaluate(() => window.cnnlens.sceneJSON());
  const graph = {
    version: 2,
    input: { shape: [2, 1, 4, 4], data: new Array(32).fill(0.5) },
    nodes: [
      { id: 'c', type: 'conv2d', out_channels: 1, kernel_size: 3, padding: 1 },
      { id: 'bn', type: 'batchnorm2d' },
      { id: 'sum', type: 'add', inputs: ['c', 'bn'] },
      { id: 'g', type: 'global_avgpool2d' },
      { id: 'f', type: 'flatten' },
      { id: 'd', type: 'dense', out_features: 2 },
    ],
    loss: 'cross_entropy', target: [0, 1],
  };
  await page.getByTestId('import-file').setInputFiles({ name: 'resnet.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
  await page.getByTestId('notice-text').filter({ hasText: 'graph scene (version 2)' }).waitFor();
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before, 'current work kept');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
