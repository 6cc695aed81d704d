/** Seeded generators for tests and benchmarks (never Math.random). @internal @module */

/** mulberry32: a small seeded uniform [0, 1) generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) from a uniform generator. */
export function randn(rng: () => number): number {
  let u = rng();
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A symmetric matrix with N(0, scale²) entries, row-major [n, n]: the upper triangle drawn row by
 * row (a[i, j] for j ≥ i) from `rng`, mirrored below.
 */
export function randomSymmetric(n: number, rng: () => number, scale = 1): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = scale * randn(rng);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}
