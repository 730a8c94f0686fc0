// Version-2 (graph) scene files on the page: a chain of the classic layers written as a graph
// opens as that chain, with the same numbers the core computes; a real graph (a residual add, a
// batch) opens in the overview (web/src/views/overview); an invalid graph is refused with the
// core's message and the current work stays.
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

const residualGraph = () => ({
  version: 2,
  input: { shape: [2, 1, 4, 4], data: Array.from({ length: 32 }, (_, k) => (k % 5) / 4) },
  nodes: [
    { id: 'c', type: 'conv2d', out_channels: 1, kernel_size: 3, padding: 1 },
    { id: 'bn', type: 'batchnorm2d' },
    { id: 'sum', type: 'add', inputs: ['c', 'bn'] },
    { id: 'g', type: 'global_avgpool2d' },
    { id: 'f', type: 'flatten' },
    { id: 'd', type: 'dense', out_features: 2 },
  ],
  loss: 'cross_entropy', target: [0, 1],
});

test('a residual graph with a batch opens in the overview, with the core\'s numbers', async () => {
  const page = await h.open();
  await page.getByTestId('import-file').setInputFiles({ name: 'resnet.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(residualGraph())) });
  await page.getByTestId('notice-text').filter({ hasText: 'Opened' }).waitFor();
  await page.getByTestId('overview').waitFor();
  assert.equal(await page.getByTestId('pipeline').isVisible(), false);
  assert.deepEqual(await page.evaluate(() => window.cnnlens.model.nodeIds()), ['c', 'bn', 'sum', 'g', 'f', 'd']);
  assert.match(await page.getByTestId('ov-node-sum').getAttribute('title'), /reads c, bn/);
  // the second sample's numbers, as the core has them
  await page.getByTestId('sample-select').selectOption({ label: '2' });
  await page.getByTestId('ov-node-sum').click();
  const shown = await cells(page, 'node-sum-output-0');
  const core = await page.evaluate(() => Array.from(window.cnnlens.model.nodeCopy('sum', 'output').slice(16, 32)));
  shown.forEach((v, i) => assert.ok(Math.abs(v - core[i]) <= 0.01 * Math.max(1, Math.abs(core[i])), `cell ${i}`));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an invalid graph is refused in words and the current work stays', async () => {
  const page = await h.open();
  const before = await page.evaluate(() => window.cnnlens.sceneJSON());
  const graph = residualGraph();
  graph.nodes[2].inputs = ['c', 'nowhere']; // reads a node that does not exist
  await page.getByTestId('import-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
  await page.getByTestId('notice-text').filter({ hasText: 'nowhere' }).waitFor();
  assert.equal(await page.evaluate(() => window.cnnlens.sceneJSON()), before, 'current work kept');
  assert.equal(await page.getByTestId('pipeline').isVisible(), true, 'the chain of cards is still shown');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
