import { describe, expect, it } from 'vitest';
import { mulberry32, randn } from '../internal/random.js';
import { secularRoots, secularVectors } from './secular_equation.js';

/** max |(D + ρzzᵀ)u − λu| / ‖D + ρzzᵀ‖ and max |UᵀU − I| for the computed pairs. */
function solveAndCheck(dl: Float64Array, z: Float64Array, rho: number) {
  const K = dl.length;
  const lambda = new Float64Array(K);
  const u = new Float64Array(K * K);
  secularRoots(dl, z, rho, lambda, u);
  for (let j = 0; j < K; j++) {
    // interlacing: d_j < λ_j < d_{j+1} (λ_{K−1} ≤ d_{K−1} + ρ‖z‖²)
    expect(lambda[j]).toBeGreaterThanOrEqual(dl[j]);
    if (j + 1 < K) expect(lambda[j]).toBeLessThanOrEqual(dl[j + 1]);
  }
  secularVectors(dl, z, u, new Float64Array(K));
  let zz = 0;
  for (let i = 0; i < K; i++) zz += z[i] * z[i];
  const norm = Math.max(...Array.from(dl, Math.abs)) + rho * zz;
  let res = 0;
  let orth = 0;
  for (let j = 0; j < K; j++) {
    let zu = 0;
    for (let i = 0; i < K; i++) zu += z[i] * u[j * K + i];
    for (let i = 0; i < K; i++) {
      const r = dl[i] * u[j * K + i] + rho * z[i] * zu - lambda[j] * u[j * K + i];
      res = Math.max(res, Math.abs(r));
    }
    for (let k = j; k < K; k++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += u[j * K + i] * u[k * K + i];
      orth = Math.max(orth, Math.abs(s - (j === k ? 1 : 0)));
    }
  }
  return { res: res / norm, orth };
}

describe('secular equation', () => {
  const rng = mulberry32(31);

  it('finds interlacing roots and orthogonal vectors for random poles and weights', () => {
    for (const K of [1, 2, 3, 10, 100]) {
      const dl = Float64Array.from({ length: K }, () => randn(rng)).sort();
      const z = Float64Array.from({ length: K }, () => randn(rng));
      const zn = Math.hypot(...z);
      for (let i = 0; i < K; i++) z[i] /= zn;
      const q = solveAndCheck(dl, z, 0.5 + Math.abs(randn(rng)));
      expect(q.res).toBeLessThan(1e-14);
      expect(q.orth).toBeLessThan(1e-13);
    }
  });

  it('stays orthogonal with poles packed close together and weights of very different sizes', () => {
    const K = 60;
    // clusters of poles 1e-9 apart (above a deflation tolerance), weights from 1e-8 to 1
    const dl = Float64Array.from({ length: K }, (_, i) => Math.floor(i / 6) + (i % 6) * 1e-9);
    const z = Float64Array.from({ length: K }, (_, i) => 10 ** -(i % 9) * (i % 2 ? -1 : 1));
    const zn = Math.hypot(...z);
    for (let i = 0; i < K; i++) z[i] /= zn;
    for (const rho of [1e-6, 1, 1e4]) {
      const q = solveAndCheck(dl, z, rho);
      expect(q.res).toBeLessThan(1e-13);
      expect(q.orth).toBeLessThan(1e-12);
    }
  });
});
