import { describe, expect, it } from 'vitest';
import { mulberry32, randn, randomSymmetric } from '../internal/random.js';
import { applyQ } from './back_transform.js';
import { type Tridiagonal, tridiagonalize } from './tridiagonalize.js';
import { eigenKernels, tridiagonalizeWasm } from './wasm/eigen_wasm.js';

/** Covariance XᵀX/rows of `rows` Gaussian rows through a rank-`rank` mixing, row-major n×n. */
function lowRank(n: number, rank: number, rng: () => number): Float64Array {
  const mix = Float64Array.from({ length: rank * n }, () => randn(rng));
  const a = new Float64Array(n * n);
  const rows = 3 * rank;
  const f = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    f.fill(0);
    for (let p = 0; p < rank; p++) {
      const x = randn(rng);
      for (let c = 0; c < n; c++) f[c] += x * mix[p * n + c];
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += (f[i] * f[j]) / rows;
  }
  return a;
}

/** ‖Q·T·Qᵀ − A‖_F / ‖A‖_F. */
function reconstructionError(tri: Tridiagonal, a: Float64Array): number {
  const { n, d, e } = tri;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = d[i];
    if (i < n - 1) {
      m[i * n + i + 1] = e[i];
      m[(i + 1) * n + i] = e[i];
    }
  }
  applyQ(tri, m, n); // Q·T
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j];
  applyQ(tri, t, n); // Q·(Q·T)ᵀ = (Q·T·Qᵀ)ᵀ
  let num = 0;
  let den = 0;
  for (let i = 0; i < n * n; i++) {
    num += (t[i] - a[i]) ** 2;
    den += a[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** First index from which every τ is 0 (n − 1 when the last reflector is a real one): where the reduction stopped. */
function identityFrom(tau: Float64Array): number {
  let s = tau.length;
  while (s > 0 && tau[s - 1] === 0) s--;
  return s;
}

describe('tridiagonalize', () => {
  const rng = mulberry32(11);
  const kernels = eigenKernels();

  it('reduces a full-rank matrix to the last reflector (A = Q·T·Qᵀ)', () => {
    const n = 130;
    const a = randomSymmetric(n, rng);
    const tri = tridiagonalize(a, n);
    expect(identityFrom(tri.tau)).toBeGreaterThan(n - 3);
    expect(reconstructionError(tri, a)).toBeLessThan(1e-14);
  });

  it('stops after the first panel whose trailing matrix is at rounding level (rank-deficient input)', () => {
    const n = 160;
    for (const rank of [5, 40]) {
      const a = lowRank(n, rank, rng);
      const tri = tridiagonalize(a, n);
      // rank 5: the first panel boundary (32); rank 40: the second or third (64, 96)
      const s = identityFrom(tri.tau);
      expect(s % 32).toBe(0);
      expect(s).toBeGreaterThan(rank);
      expect(s).toBeLessThanOrEqual(rank < 32 ? 32 : 96);
      expect(Array.from(tri.e.subarray(s - 1)).every((x) => x === 0)).toBe(true);
      expect(reconstructionError(tri, a)).toBeLessThan(1e-14);
      if (kernels) {
        const w = tridiagonalizeWasm(kernels, a, n, 2);
        expect(identityFrom(w.tau)).toBe(s);
        expect(reconstructionError(w, a)).toBeLessThan(1e-14);
      }
    }
  });
});
