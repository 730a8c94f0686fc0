// The classic image kernels, 3×3 and 5×5, as the numbers a conv2d's filter holds (row-major).
// A teacher's vocabulary: each is a sum of products over a window, which is why one conv layer
// can blur, sharpen or find edges.

export const KERNEL_IDS = ['identity', 'outline', 'sobel-x', 'sobel-y', 'blur', 'gaussian', 'sharpen', 'emboss'] as const;
export type KernelId = (typeof KERNEL_IDS)[number];

const K3: Record<KernelId, number[]> = {
  identity: [0, 0, 0, 0, 1, 0, 0, 0, 0],
  // the Laplacian-style outline: the centre against its eight neighbours (sums to 0: flat areas go black)
  outline: [-1, -1, -1, -1, 8, -1, -1, -1, -1],
  // Sobel: a derivative across, smoothed along (1 2 1)
  'sobel-x': [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  'sobel-y': [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  blur: new Array(9).fill(1 / 9),
  // binomial weights (1 2 1) ⊗ (1 2 1) / 16, the small Gaussian
  gaussian: [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16),
  sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0],
  emboss: [-2, -1, 0, -1, 1, 1, 0, 1, 2],
};

/** Outer product of two 5-vectors, row-major. */
function outer(a: number[], b: number[], scale = 1): number[] {
  return a.flatMap((x) => b.map((y) => x * y * scale));
}

const BINOMIAL5 = [1, 4, 6, 4, 1];
const DERIVATIVE5 = [-1, -2, 0, 2, 1];

const K5: Record<KernelId, number[]> = {
  identity: Array.from({ length: 25 }, (_, i) => (i === 12 ? 1 : 0)),
  outline: Array.from({ length: 25 }, (_, i) => (i === 12 ? 24 : -1)),
  'sobel-x': outer(BINOMIAL5, DERIVATIVE5, 1 / 16),
  'sobel-y': outer(DERIVATIVE5, BINOMIAL5, 1 / 16),
  blur: new Array(25).fill(1 / 25),
  gaussian: outer(BINOMIAL5, BINOMIAL5, 1 / 256),
  // twice the picture minus its Gaussian blur (unsharp masking)
  sharpen: outer(BINOMIAL5, BINOMIAL5, -1 / 256).map((v, i) => (i === 12 ? v + 2 : v)),
  // the diagonal derivative plus the picture itself: light from the top left, as the 3×3 one
  emboss: outer(BINOMIAL5, DERIVATIVE5, 1 / 32).map((v, i) => v + outer(DERIVATIVE5, BINOMIAL5, 1 / 32)[i] + (i === 12 ? 1 : 0)),
};

/** The kernel's numbers for a square size of 3 or 5 (null for any other size). */
export function kernelValues(id: KernelId, size: number): number[] | null {
  if (size === 3) return K3[id].slice();
  if (size === 5) return K5[id].slice();
  return null;
}

/**
 * A conv2d's whole weight `[out, in/groups, k, k]` with every filter the same kernel. A filter
 * that reads several channels gets the kernel divided among them, so "identity" over red, green
 * and blue gives their mean (grey) and flat colour stays flat.
 */
export function presetWeight(id: KernelId, size: number, outChannels: number, inPerGroup: number): number[] | null {
  const kernel = kernelValues(id, size);
  if (!kernel) return null;
  const share = kernel.map((v) => v / inPerGroup);
  const filter = Array.from({ length: inPerGroup }, () => share).flat();
  return Array.from({ length: outChannels }, () => filter).flat();
}

/** Which preset a filter holds now (every filter alike), or null for anything else. */
export function matchPreset(weight: ArrayLike<number>, size: number, inPerGroup: number): KernelId | null {
  const per = size * size * inPerGroup;
  if (per === 0 || weight.length % per !== 0) return null;
  for (const id of KERNEL_IDS) {
    const want = presetWeight(id, size, weight.length / per, inPerGroup);
    if (want && want.every((v, i) => Math.abs(v - weight[i]) <= 1e-6 * Math.max(1, Math.abs(v)))) return id;
  }
  return null;
}
