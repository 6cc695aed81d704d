import { describe, expect, it } from 'vitest';
import { addGram } from '../covariance/gram.js';
import { setDefaultEigenDecomposer } from '../eigen/default_decomposer.js';
import { eigenDecompose, symmetricEigen } from '../eigen/symmetric_eigen.js';
import { mulberry32, randn } from '../internal/random.js';
import { adaptiveThreshold } from '../threshold/adaptive_threshold.js';
import { buildProjector } from './build_projector.js';

function lowRankFeatures(rows: number, n: number, rank: number, rng: () => number): Float32Array {
  const z = Float64Array.from({ length: rows * rank }, () => randn(rng));
  const m = Float64Array.from({ length: rank * n }, () => randn(rng));
  const x = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++)
    for (let p = 0; p < rank; p++) for (let c = 0; c < n; c++) x[r * n + c] += z[r * rank + p] * m[p * n + c];
  return x;
}

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

describe('buildProjector', () => {
  const rng = mulberry32(21);

  it('with η = 1 and no normalisation, a projected update leaves old outputs unchanged', () => {
    const n = 96;
    const rows = 300;
    const x = lowRankFeatures(rows, n, 30, rng);
    const cov = new Float64Array(n * n);
    addGram(x, rows, n, cov, 1 / rows);
    const { projector: P, nullDim } = buildProjector(cov, n, {
      eta: 1,
      threshold: { kind: 'ratio', ratio: 1e-9 },
      normalize: 'none',
    });
    expect(nullDim).toBe(n - 30);
    const out = 40;
    const dW = Float64Array.from({ length: out * n }, () => randn(rng));
    const proj = new Float64Array(out * n); // ΔW·P
    for (let o = 0; o < out; o++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += dW[o * n + i] * P[i * n + j];
        proj[o * n + j] = s;
      }
    const y = new Float64Array(rows * out); // X·(ΔW·P)ᵀ
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < out; o++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[r * n + i] * proj[o * n + i];
        y[r * out + o] = s;
      }
    expect(norm(y)).toBeLessThanOrEqual(1e-6 * norm(x) * norm(dW));
    expect(norm(proj)).toBeGreaterThan(0.5 * norm(dW)); // most of ΔW survives (66 of 96 directions)
  });

  it('builds the official blend η·U₀U₀ᵀ/√k + (1−η)·I from either side', () => {
    const n = 64;
    const x = lowRankFeatures(200, n, n, rng);
    const cov = new Float64Array(n * n);
    addGram(x, 200, n, cov, 1 / 200);
    const full = symmetricEigen(cov, n);
    const V = full.vectors as Float64Array;
    for (const nullDim of [10, 50]) {
      const r = buildProjector(cov, n, {
        eta: 0.95,
        threshold: { kind: 'fixed-count', nullDim },
        normalize: 'frobenius',
      });
      expect(r.side).toBe(nullDim < n - nullDim ? 'null' : 'range');
      expect(r.start).toBe(n - nullDim);
      const start = n - nullDim;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = start; p < n; p++) s += V[i * n + p] * V[j * n + p];
          const ref = (0.95 * s) / Math.sqrt(nullDim) + (i === j ? 0.05 : 0);
          expect(Math.abs(r.projector[i * n + j] - ref)).toBeLessThan(2e-7);
        }
    }
    const pure = buildProjector(cov, n, {
      eta: 1,
      threshold: { kind: 'fixed-count', nullDim: 9 },
      normalize: 'frobenius',
    });
    expect(norm(pure.projector)).toBeCloseTo(1, 5);
  });

  it('takes the null side in |λ| order when that order differs from λ order (negative eigenvalues)', () => {
    // A = Q·diag(λ)·Qᵀ with two negative eigenvalues whose |λ| rank above small positive ones, so the
    // wanted eigen-indices are not one contiguous block of the descending λ order.
    const n = 16;
    const lambda = [8, 7, 6, 5, 4, 3, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.01, 0.005, -0.3, -0.4];
    const q = Float64Array.from({ length: n * n }, () => randn(rng));
    for (let j = 0; j < n; j++) {
      // Gram–Schmidt on the columns of q
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * n + j] * q[i * n + p];
        for (let i = 0; i < n; i++) q[i * n + j] -= d * q[i * n + p];
      }
      let nn = 0;
      for (let i = 0; i < n; i++) nn += q[i * n + j] ** 2;
      for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(nn);
    }
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let p = 0; p < n; p++) v += q[i * n + p] * lambda[p] * q[j * n + p];
        a[i * n + j] = v;
      }
    const r = buildProjector(a, n, {
      eta: 0.95,
      threshold: { kind: 'fixed-count', nullDim: 6 },
      normalize: 'frobenius',
    });
    expect(r.side).toBe('null');
    // the 6 smallest |λ|: 0.3 (negative), 0.2, 0.1, 0.05, 0.01, 0.005
    const wanted = [9, 10, 11, 12, 13, 14];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (const p of wanted) s += q[i * n + p] * q[j * n + p];
        const ref = (0.95 * s) / Math.sqrt(6) + (i === j ? 0.05 : 0);
        expect(Math.abs(r.projector[i * n + j] - ref)).toBeLessThan(2e-6);
      }
  });

  it('takes a range side that reaches into a zero cluster (scattered eigen-indices) and forms P on the wasm GEMM', () => {
    // rank-20 covariance: the 25 largest |λ| are the 20 positive ones and 5 of the ±1e-17 cluster,
    // scattered through the descending λ order
    const n = 200;
    const x = lowRankFeatures(n, n, 20, rng);
    const a = new Float64Array(n * n);
    addGram(x, n, n, a, 1 / n);
    const r = buildProjector(a, n, {
      eta: 0.95,
      threshold: { kind: 'fixed-count', nullDim: n - 25 },
      normalize: 'frobenius',
    });
    expect(r.side).toBe('range');
    const lambda = r.eigenvalues;
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (p, q) => Math.abs(lambda[q]) - Math.abs(lambda[p]) || p - q,
    );
    expect(order.slice(0, 25).some((p) => p >= 25)).toBe(true); // not contiguous: the case under test
    const { basis, cols, diag, coef } = r.factored;
    expect(cols).toBe(25);
    // orthonormal eigenvectors of the wanted eigenvalues
    const anorm = norm(a);
    for (let j = 0; j < cols; j++) {
      const lam = lambda[order[j]];
      let res = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += a[i * n + p] * basis[p * cols + j];
        res += (s - lam * basis[i * cols + j]) ** 2;
      }
      expect(Math.sqrt(res) / anorm).toBeLessThan(1e-6); // float32 basis
      for (let l = 0; l <= j; l++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += basis[i * cols + j] * basis[i * cols + l];
        expect(Math.abs(d - (j === l ? 1 : 0))).toBeLessThan(1e-6);
      }
    }
    // the dense P (SIMD GEMM) is diag·I + coef·B·Bᵀ, exactly symmetric
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < cols; p++) s += basis[i * cols + p] * basis[j * cols + p];
        const ref = coef * s + (i === j ? diag : 0);
        expect(Math.abs(r.projector[i * n + j] - ref)).toBeLessThan(1e-6);
        expect(r.projector[i * n + j]).toBe(r.projector[j * n + i]);
      }
  });

  it('uses the adaptive threshold on the |λ| spectrum in float32', () => {
    const n = 200;
    // covariance with spectrum exp(−i/20) in a random basis
    const x = lowRankFeatures(n, n, n, rng);
    const cov = new Float64Array(n * n);
    addGram(x, n, n, cov, 1);
    const V = symmetricEigen(cov, n).vectors as Float64Array;
    const lam = Array.from({ length: n }, (_, i) => Math.exp(-i / 20));
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += V[i * n + p] * lam[p] * V[j * n + p];
        K[i * n + j] = s;
      }
    const r = buildProjector(K, n, { eta: 0.9, threshold: { kind: 'adaptive' }, normalize: 'frobenius' });
    expect(r.start).toBe(adaptiveThreshold(Float32Array.from(r.eigenvalues, Math.abs)));
    expect(r.nullDim).toBe(n - r.start);
    expect(r.side).toBe('range');
  });

  it('uses an installed eigen-decomposer (the native fast-path hook) and restores the default', () => {
    const cov = new Float64Array([4, 1, 0, 1, 3, 0, 0, 0, 1]);
    let calls = 0;
    const prev = setDefaultEigenDecomposer((a, n) => {
      calls++;
      return eigenDecompose(a, n, { kernels: 'js' });
    });
    const viaHook = buildProjector(cov, 3, {
      eta: 1,
      threshold: { kind: 'fixed-count', nullDim: 1 },
      normalize: 'none',
    });
    expect(calls).toBe(1);
    setDefaultEigenDecomposer(prev);
    const plain = buildProjector(cov, 3, {
      eta: 1,
      threshold: { kind: 'fixed-count', nullDim: 1 },
      normalize: 'none',
    });
    expect(calls).toBe(1);
    for (let i = 0; i < 9; i++) expect(viaHook.projector[i]).toBeCloseTo(plain.projector[i], 6);
  });

  it('rejects an empty null space with Frobenius normalisation, and bad η', () => {
    const cov = new Float64Array([2, 0, 0, 1]);
    expect(() =>
      buildProjector(cov, 2, {
        eta: 1,
        threshold: { kind: 'fixed-count', nullDim: 0 },
        normalize: 'frobenius',
      }),
    ).toThrow(/empty null space/);
    const none = buildProjector(cov, 2, {
      eta: 0.5,
      threshold: { kind: 'fixed-count', nullDim: 0 },
      normalize: 'none',
    });
    expect(Array.from(none.projector)).toEqual([0.5, 0, 0, 0.5]);
    expect(() =>
      buildProjector(cov, 2, { eta: 2, threshold: { kind: 'adaptive' }, normalize: 'none' }),
    ).toThrow(/eta=2/);
  });
});
