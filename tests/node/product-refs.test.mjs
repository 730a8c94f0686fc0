// Issue #13 item 6, kept true by reading the code: no product code reads data-testid (the tests'
// names: views write them, only tests read them); the lesson names no layer by a fixed index;
// the data-set dashboards change the model only through the controller.
// web/src/teach is maintained separately (docs/architecture.md names its one exception).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../..');
const src = join(root, 'web/src');

function files(dir, exts) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'wasm' || name === 'teach' ? [] : files(p, exts);
    return exts.some((e) => name.endsWith(e)) ? [p] : [];
  });
}

/** Lines matching `re`, as "file:line: text", comments left out. */
function hits(paths, re) {
  return paths.flatMap((p) => readFileSync(p, 'utf8').split('\n').flatMap((line, i) =>
    !/^\s*(\/\/|\*|\/\*)/.test(line) && re.test(line) ? [`${relative(root, p)}:${i + 1}: ${line.trim()}`] : []));
}

test('no product code reads data-testid (TypeScript or CSS)', () => {
  const ts = files(src, ['.ts']);
  // reading: dataset.testid not being assigned, a [data-testid…] selector, getAttribute
  const reads = [
    ...hits(ts, /dataset\??\.testid(?!\s*=[^=])/),
    ...hits(ts, /\[data-testid|getAttribute\(['"]data-testid/),
    ...hits(files(src, ['.css']), /data-testid/),
  ];
  assert.deepEqual(reads, []);
});

test('the lesson finds its layers by kind, not by a fixed index', () => {
  const lesson = files(join(src, 'lesson'), ['.ts']);
  assert.deepEqual(hits(lesson, /layers\[\d|layer: \d|explain(Conv|Pool)\(\d|layer-card-\d|matrix-\d/), []);
});

test('the data-set and teach dashboards change the model only through the controller', () => {
  assert.deepEqual(hits([...files(join(src, 'digits'), ['.ts']), ...files(join(src, 'teach'), ['.ts'])], /engine\.(set|train|load|step)/), []);
});
