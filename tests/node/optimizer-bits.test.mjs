// The wasm module's Adam and AdamW steps, four parameters at a time with SIMD128
// (core/src/optimizer.cpp adam4), against the rule worked out here one parameter at a time in
// float32 arithmetic (Math.fround after every operation): the same bits, for parameter tensors
// whose sizes leave every tail (35, 5, 15 and 3 values), with and without weight decay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule } from './support.mjs';

const f = Math.fround;

function pseudoRandom(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/**
 * One step of the scene format's rule (docs/scene-format.md) on flat float32 arrays, in the
 * core's order of operations; the bias corrections in double, as the core and PyTorch take them.
 * A float32 operation done in double and rounded once is the float32 result (53 >= 2 * 24 + 2).
 */
function referenceStep(o, t, p, g, m, v) {
  const decoupled = o.type === 'adamw';
  const wd = o.weight_decay ?? 0;
  const stepSize = f(o.lr / (1 - Math.pow(o.beta1, t)));
  const correction2Sqrt = f(Math.sqrt(1 - Math.pow(o.beta2, t)));
  const [b1, omb1, b2, omb2] = [f(o.beta1), f(1 - o.beta1), f(o.beta2), f(1 - o.beta2)];
  const eps = f(o.eps);
  const l2 = decoupled ? 0 : f(wd);
  const shrink = f(1 - o.lr * wd);
  for (let k = 0; k < p.length; k++) {
    const original = p[k];
    const before = decoupled && wd !== 0 ? f(original * shrink) : original;
    const gk = l2 !== 0 ? f(g[k] + f(l2 * original)) : g[k];
    m[k] = f(f(b1 * m[k]) + f(omb1 * gk));
    v[k] = f(f(b2 * v[k]) + f(f(omb2 * gk) * gk));
    const denom = f(f(f(Math.sqrt(v[k])) / correction2Sqrt) + eps);
    p[k] = f(before - f(f(stepSize * m[k]) / denom));
  }
}

const optimizers = [
  { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  { type: 'adam', lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.05 },
  { type: 'adamw', lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1 },
];

for (const optimizer of optimizers) {
  test(`${optimizer.type}${optimizer.weight_decay ? ` with weight decay ${optimizer.weight_decay}` : ''}: three steps give the float32 rule's bits in every parameter`, async () => {
    const lens = await loadModule();
    const scene = {
      input: { shape: [1, 1, 7], data: [0.5, -1, 2, 0, 1.5, -0.25, 3] },
      layers: [{ type: 'flatten' }, { type: 'dense', out_features: 5 }, { type: 'relu' }, { type: 'dense', out_features: 3 }],
      loss: 'cross_entropy', target: 1, seed: 4, optimizer,
    };
    const model = new lens.Model(JSON.stringify(scene));
    try {
      const n = model.parameters().length;
      assert.equal(n, 7 * 5 + 5 + 5 * 3 + 3);
      const rnd = pseudoRandom(17);
      // signs, tiny and large magnitudes, and zeros (m and v start at zero: 0/eps)
      const draw = () => { const r = rnd(); return r < 0.1 ? 0 : f((rnd() - 0.5) * 10 ** Math.floor(rnd() * 6 - 4)); };
      const p = Float32Array.from({ length: n }, draw);
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      model.setParameters(p);
      for (let t = 1; t <= 3; t++) {
        const g = Float32Array.from({ length: n }, draw);
        model.setGradients(g);
        model.applyGradients(1);
        referenceStep(optimizer, t, p, g, m, v);
        const got = model.parameters();
        const differing = [...got.keys()].filter((k) => !Object.is(got[k], p[k]));
        assert.deepEqual(differing.slice(0, 5).map((k) => ({ k, got: got[k], want: p[k] })), [], `step ${t}: ${differing.length} of ${n} parameters differ`);
      }
    } finally {
      model.delete();
    }
  });
}
