// The graph edits (web/src/graphEdit.ts, transpiled here with TypeScript, no bundler): each
// returns a new scene and leaves its input alone; new ids are fresh; inserted parts sit on every
// edge out of the node; removal re-links the readers; and the core accepts what they make of the
// residual example (or refuses what cannot be: an unread node).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importTypeScript, loadModule, readText } from './support.mjs';

let g, lens, base, kinds;

before(async () => {
  g = await importTypeScript('web/src/graphEdit.ts');
  lens = await loadModule();
  const m = new lens.Model(readText('examples/residual.json'));
  base = JSON.parse(m.toJSON());
  m.delete();
  kinds = Object.fromEntries(lens.layerKinds().map((k) => [k.type, k]));
});

const wiring = (s) => Object.fromEntries(s.nodes.map((n) => [n.id, n.inputs]));
/** Loads the scene; its error code when the core refuses it. */
function load(s) {
  try { new lens.Model(JSON.stringify(s)).delete(); return 'ok'; } catch (e) { return e.code; }
}

test('normalise writes out default inputs; fresh ids skip used ones', () => {
  const s = g.normalise({ nodes: [{ id: 'a', type: 'relu' }, { id: 'b', type: 'relu' }, { id: 'c', type: 'add', inputs: ['a', 'b'] }] });
  assert.deepEqual(wiring(s), { a: ['input'], b: ['a'], c: ['a', 'b'] });
  assert.equal(g.freshId({ nodes: [{ id: 'conv1' }, { id: 'conv2' }] }, 'conv'), 'conv3');
  assert.equal(g.baseName('conv2d'), 'conv');
  assert.equal(g.baseName('batchnorm1d'), 'batchnorm');
});

test('a residual block after r0: conv-relu-conv added to the skip; r0\'s readers read the add', () => {
  const before = JSON.stringify(base);
  const { scene, added } = g.insertBlock(base, 'r0', 'residual', 2);
  assert.equal(JSON.stringify(base), before, 'the input scene is untouched');
  assert.deepEqual(added, ['conv1', 'relu1', 'conv2', 'add1']);
  const w = wiring(scene);
  assert.deepEqual([w.conv1, w.relu1, w.conv2, w.add1, w.c1, w.sum], [['r0'], ['conv1'], ['relu1'], ['r0', 'conv2'], ['add1'], ['add1', 'c2']]);
  assert.deepEqual(scene.nodes.map((n) => n.id).slice(0, 6), ['c0', 'r0', 'conv1', 'relu1', 'conv2', 'add1']);
  assert.equal(load(scene), 'ok');
});

test('concat branch and separable pair keep the channel count; a registry kind starts from its required fields', () => {
  const cat = g.insertBlock(base, 'c0', 'concat', 3).scene.nodes;
  assert.deepEqual(cat.filter((n) => n.type === 'conv2d' && /^conv/.test(n.id)).map((n) => n.out_channels), [2, 1]);
  assert.equal(load(g.insertBlock(base, 'c0', 'concat', 2).scene), 'ok');
  const sep = g.insertBlock(base, 'c2', 'separable', 2);
  assert.equal(sep.scene.nodes.find((n) => n.id === 'conv1').groups, 2);
  assert.equal(load(sep.scene), 'ok');
  const conv = g.insertKind(base, 'r1', kinds.conv2d, [2, 5, 5]);
  const node = conv.scene.nodes.find((n) => n.id === conv.added[0]);
  assert.deepEqual([node.out_channels, node.kernel_size, node.stride], [2, 1, undefined], 'required fields only: out = in, the smallest kernel');
  assert.equal(load(conv.scene), 'ok');
  assert.equal(load(g.insertKind(base, 'fc', kinds.relu, [2]).scene), 'ok', 'after the last node: the new output');
  assert.equal(load(g.insertKind(base, 'input', kinds.relu, [1, 5, 5]).scene), 'ok', 'after the network input');
});

test('rewire, add and drop inputs, remove with readers re-linked; the core says when it cannot be', () => {
  assert.deepEqual(wiring(g.rewire(base, 'c1', 0, 'c0')).c1, ['c0']);
  assert.deepEqual(wiring(g.addInput(base, 'sum', 'r0')).sum, ['r0', 'c2', 'r0']);
  assert.deepEqual(wiring(g.dropInput(base, 'sum', 0)).sum, ['c2']);
  const r = g.removeNode(base, 'r1');
  assert.deepEqual([r.to, r.readers, wiring(r.scene).c2], ['c1', ['c2'], ['c1']]);
  assert.equal(load(r.scene), 'ok');
  assert.equal(load(g.removeNode(base, 'sum').scene), 'unread_node', 'c2 would be read by nothing');
  assert.equal(load(g.rewire(base, 'sum', 1, 'input')), 'shape_mismatch');
  assert.equal(g.setField(base, 'c1', 'stride', 2).nodes.find((n) => n.id === 'c1').stride, 2);
  assert.equal('stride' in g.setField(base, 'c1', 'stride', undefined).nodes.find((n) => n.id === 'c1'), false);
  assert.throws(() => g.removeNode(base, 'input'));
});
