import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32, randn, randomSymmetric } from '../internal/random.js';
import { eigenDecompose, symmetricEigen } from './symmetric_eigen.js';

/** Random orthogonal matrix (QR of a Gaussian by modified Gram–Schmidt), row-major n×n. */
function randomOrthogonal(n: number, rng: () => number): Float64Array {
  const q = Float64Array.from({ length: n * n }, () => randn(rng));
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + p] * q[i * n + j];
        for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + p];
      }
    }
    let nr = 0;
    for (let i = 0; i < n; i++) nr += q[i * n + j] ** 2;
    nr = Math.sqrt(nr);
    for (let i = 0; i < n; i++) q[i * n + j] /= nr;
  }
  return q;
}

/** Q·diag(λ)·Qᵀ. */
function withSpectrum(lambda: number[], rng: () => number): Float64Array {
  const n = lambda.length;
  const q = randomOrthogonal(n, rng);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += q[i * n + p] * lambda[p] * q[j * n + p];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  return a;
}

function wishart(n: number, rows: number, rng: () => number, rank = n): Float64Array {
  const x = Float64Array.from({ length: rows * rank }, () => randn(rng));
  const mix = Float64Array.from({ length: rank * n }, () => randn(rng));
  const f = new Float64Array(rows * n); // rows×n features of rank ≤ rank
  for (let r = 0; r < rows; r++)
    for (let p = 0; p < rank; p++) {
      const v = x[r * rank + p];
      for (let c = 0; c < n; c++) f[r * n + c] += v * mix[p * n + c];
    }
  const a = new Float64Array(n * n);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < n; i++) {
      const fi = f[r * n + i] / rows;
      if (fi === 0) continue;
      for (let j = 0; j < n; j++) a[i * n + j] += fi * f[r * n + j];
    }
  return a;
}

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** ‖A·V − V·Λ‖_F/‖A‖_F and max |VᵀV − I|. */
function quality(a: Float64Array, n: number, values: Float64Array, v: Float64Array, from: number, k: number) {
  const r = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * n + p] * v[p * k + j];
      r[i * k + j] = s - v[i * k + j] * values[from + j];
    }
  let orth = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += v[p * k + i] * v[p * k + j];
      orth = Math.max(orth, Math.abs(s - (i === j ? 1 : 0)));
    }
  return { residual: frob(r) / Math.max(frob(a), Number.MIN_VALUE), orth };
}

function check(a: Float64Array, n: number, expected?: number[]) {
  const full = symmetricEigen(a, n);
  for (let i = 1; i < n; i++) expect(full.values[i]).toBeLessThanOrEqual(full.values[i - 1]);
  const q = quality(a, n, full.values, full.vectors as Float64Array, 0, n);
  expect(q.residual).toBeLessThan(1e-12);
  expect(q.orth).toBeLessThan(1e-12);
  if (expected) {
    const sorted = [...expected].sort((x, y) => y - x);
    const scale = Math.max(...sorted.map(Math.abs), 1e-300);
    for (let i = 0; i < n; i++) expect(Math.abs(full.values[i] - sorted[i])).toBeLessThan(1e-12 * scale * n);
  }
  return full;
}

describe('symmetricEigen', () => {
  const rng = mulberry32(7);

  it('handles n = 1 and n = 2', () => {
    const one = symmetricEigen(new Float64Array([3]), 1);
    expect(Array.from(one.values)).toEqual([3]);
    expect(Math.abs((one.vectors as Float64Array)[0])).toBe(1);
    check(new Float64Array([2, 1, 1, 2]), 2, [3, 1]);
    check(new Float64Array([5, 0, 0, -1]), 2, [5, -1]);
    check(new Float64Array([0, 0, 0, 0]), 2, [0, 0]);
  });

  it('handles a diagonal matrix (already tridiagonal, zero off-diagonal)', () => {
    const n = 37;
    const lam = Array.from({ length: n }, (_, i) => ((i * 7) % 11) - 3);
    const a = new Float64Array(n * n);
    lam.forEach((l, i) => {
      a[i * n + i] = l;
    });
    check(a, n, lam);
  });

  it('is accurate on random SPD (Wishart) matrices around the block size', () => {
    for (const n of [3, 31, 33, 64, 97, 200]) check(wishart(n, 2 * n, rng), n);
  });

  it('handles repeated and tightly clustered eigenvalues', () => {
    const n = 120;
    const rep = Array.from({ length: n }, (_, i) => (i < 40 ? 5 : i < 100 ? 1 : 0.25));
    check(withSpectrum(rep, rng), n, rep);
    const clus = Array.from({ length: n }, (_, i) => 1 + 1e-12 * i + (i % 3 === 0 ? 3 : 0));
    check(withSpectrum(clus, rng), n, clus);
  });

  it('handles rank-deficient covariances (a large cluster at zero)', () => {
    const n = 150;
    const a = wishart(n, 400, rng, 20);
    const full = check(a, n);
    expect(full.values[19]).toBeGreaterThan(1e-3);
    expect(Math.abs(full.values[20])).toBeLessThan(1e-10 * full.values[0]);
  });

  it('handles the zero matrix and exact repeated eigenvalues', () => {
    const z = check(new Float64Array(60 * 60), 60);
    expect(Array.from(z.values).every((v) => v === 0)).toBe(true);
    const n = 200;
    const rep = Array.from({ length: n }, (_, i) => [3, -1, 0.5, 0.5, 2][i % 5]);
    check(withSpectrum(rep, rng), n, rep);
  });

  it('handles glued Wilkinson spectra (many pairs of nearly equal eigenvalues)', () => {
    // eigenvalues of W21+ (pairs agreeing to ~1e-13 at the top), repeated 10 times, glued by 1e-10
    const w = 21;
    const blocks = 10;
    const n = w * blocks;
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      t[i * n + i] = Math.abs((i % w) - 10);
      if (i < n - 1) {
        const off = i % w < w - 1 ? 1 : 1e-10;
        t[i * n + i + 1] = off;
        t[(i + 1) * n + i] = off;
      }
    }
    check(t, n);
    const lam = symmetricEigen(t, n, { vectors: 'none' }).values;
    check(withSpectrum(Array.from(lam), rng), n, Array.from(lam));
  });

  it('handles rank-deficient covariances of rank n/10 and n/100 (huge zero clusters)', () => {
    const n = 300;
    for (const rank of [30, 3]) {
      const a = wishart(n, n, rng, rank);
      const full = check(a, n);
      expect(Math.abs(full.values[rank])).toBeLessThan(1e-12 * full.values[0]);
      const part = symmetricEigen(a, n, { vectors: { from: 0, to: rank + 5 } });
      const q = quality(a, n, part.values, part.vectors as Float64Array, 0, rank + 5);
      expect(q.residual).toBeLessThan(1e-12);
      expect(q.orth).toBeLessThan(1e-12);
    }
  });

  it('computes ranges inside a huge cluster orthogonally (divide and conquer path)', () => {
    const n = 240;
    const a = wishart(n, 2 * n, rng, 12);
    for (const [from, to] of [
      [0, 40],
      [200, 240],
      [12, 24],
    ]) {
      const part = symmetricEigen(a, n, { vectors: { from, to } });
      const q = quality(a, n, part.values, part.vectors as Float64Array, from, to - from);
      expect(q.residual).toBeLessThan(1e-12);
      expect(q.orth).toBeLessThan(1e-12);
    }
  });

  it('computes a scattered set of columns inside a huge cluster (divide and conquer, only those back-transformed)', () => {
    const n = 300;
    const rank = 30;
    const a = wishart(n, n, rng, rank);
    // the leading range plus a few members of the zero cluster, out of order
    const indices = [...Array.from({ length: rank }, (_, i) => i), 250, 41, 299, 120];
    const k = indices.length;
    for (const threads of [1, 2]) {
      const dec = eigenDecompose(a, n, { threads });
      const cols = dec.columns?.(indices) as Float64Array;
      expect(cols.length).toBe(n * k);
      const picked = Float64Array.from(indices, (p) => dec.values[p]);
      // quality() reads values[from + j]: pass the picked eigenvalues with from = 0
      const q = quality(a, n, picked, cols, 0, k);
      expect(q.residual).toBeLessThan(1e-12);
      expect(q.orth).toBeLessThan(1e-12);
      // the same vectors as the full decomposition's columns (same divide and conquer result)
      const all = dec.vectors(0, n);
      let diff = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < k; j++)
          diff = Math.max(diff, Math.abs(cols[i * k + j] - all[i * n + indices[j]]));
      expect(diff).toBeLessThan(1e-12);
    }
    const one = eigenDecompose(a, n, { threads: 1 }).columns?.(indices) as Float64Array;
    const two = eigenDecompose(a, n, { threads: 2 }).columns?.(indices) as Float64Array;
    expect(Array.from(two)).toEqual(Array.from(one));
    expect(() => eigenDecompose(a, n).columns?.([n])).toThrow(/index/);
  });

  it('computes the two ends of a spectrum with both signs run by run (inverse iteration), as the full solve does', () => {
    const n = 300;
    const a = randomSymmetric(n, rng);
    // the 12 largest |λ| of a Gaussian matrix: both ends of λ's order (the projector's range side)
    const indices = [0, n - 1, 1, n - 2, 2, 3, n - 3, 4, n - 4, 5, n - 5, 6];
    const k = indices.length;
    const dec = eigenDecompose(a, n);
    const cols = dec.columns?.(indices) as Float64Array;
    const picked = Float64Array.from(indices, (p) => dec.values[p]);
    const q = quality(a, n, picked, cols, 0, k);
    expect(q.residual).toBeLessThan(1e-12);
    expect(q.orth).toBeLessThan(1e-12);
    const all = symmetricEigen(a, n).vectors as Float64Array;
    let diff = 0;
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += cols[i * k + j] * all[i * n + indices[j]];
      const sgn = dot < 0 ? -1 : 1;
      for (let i = 0; i < n; i++)
        diff = Math.max(diff, Math.abs(cols[i * k + j] - sgn * all[i * n + indices[j]]));
    }
    expect(diff).toBeLessThan(1e-10);
    // the same columns as the range requests of the two runs
    const top = eigenDecompose(a, n).vectors(0, 7);
    const bottom = eigenDecompose(a, n).vectors(n - 5, n);
    for (let j = 0; j < k; j++) {
      const p = indices[j];
      for (let i = 0; i < n; i++) {
        const want = p < 7 ? top[i * 7 + p] : bottom[i * 5 + p - (n - 5)];
        expect(Math.abs(cols[i * k + j] - want)).toBeLessThan(1e-13);
      }
    }
  });

  it('computes a range of eigenvectors that matches the full solve', () => {
    const n = 256;
    const a = wishart(n, 300, rng);
    const full = symmetricEigen(a, n);
    for (const [from, to] of [
      [0, 31],
      [200, 256],
      [100, 101],
    ]) {
      const part = symmetricEigen(a, n, { vectors: { from, to } });
      expect(Array.from(part.values)).toEqual(Array.from(full.values));
      const k = to - from;
      const q = quality(a, n, part.values, part.vectors as Float64Array, from, k);
      expect(q.residual).toBeLessThan(1e-12);
      expect(q.orth).toBeLessThan(1e-12);
      expect(part.from).toBe(from);
    }
    const none = symmetricEigen(a, n, { vectors: 'none' });
    expect(none.vectors).toBeUndefined();
    expect(Array.from(none.values)).toEqual(
      Array.from(symmetricEigen(a, n, { vectors: { from: 0, to: 1 } }).values),
    );
  });

  it('handles a covariance of real-looking features (decaying spectrum, offset mean)', () => {
    const n = 96;
    const rows = 500;
    const f = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const z = Array.from({ length: 8 }, () => randn(rng));
      for (let c = 0; c < n; c++) {
        let v = 0.5 + 0.01 * randn(rng);
        for (let p = 0; p < 8; p++) v += z[p] * Math.cos((p + 1) * c * 0.1) * 2 ** -p;
        f[r * n + c] = Math.max(v, 0) + 0.05 * v; // SiLU-like
      }
    }
    const a = new Float64Array(n * n);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) a[i * n + j] += (f[r * n + i] * f[r * n + j]) / rows;
    check(a, n);
  });

  it('handles real feature covariances of the default run (decaying; numerically rank-deficient)', () => {
    // scripts/save_feature_covariances.sh: block 0's x-tap and Δ-tap Grams of the tiny model, 128×128
    for (const name of ['feature_cov_block0_x.f64', 'feature_cov_block0_A.f64']) {
      const bytes = readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));
      const a = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const n = 128;
      expect(a.length).toBe(n * n);
      check(a, n);
      const part = symmetricEigen(a, n, { vectors: { from: 0, to: 20 } });
      const q = quality(a, n, part.values, part.vectors as Float64Array, 0, 20);
      expect(q.residual).toBeLessThan(1e-12);
      expect(q.orth).toBeLessThan(1e-12);
    }
  });

  it('rejects bad input with the reason', () => {
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(/expected 2×2/);
    expect(() => symmetricEigen(new Float64Array([1, Number.NaN, 0, 1]), 2)).toThrow(/\[0, 1\] is NaN/);
    expect(() => symmetricEigen(new Float64Array(4), 2, { vectors: { from: 1, to: 3 } })).toThrow(/\[1, 3\)/);
  });
});

describe('symmetricEigen kernels', () => {
  it('wasm and js kernels agree to rounding', () => {
    const rng = mulberry32(11);
    const n = 133;
    const a = wishart(n, 150, rng);
    const w = symmetricEigen(a, n, { kernels: 'wasm', vectors: { from: 0, to: 20 } });
    const j = symmetricEigen(a, n, { kernels: 'js', vectors: { from: 0, to: 20 } });
    for (let i = 0; i < n; i++) expect(Math.abs(w.values[i] - j.values[i])).toBeLessThan(1e-12 * w.values[0]);
    const wv = w.vectors as Float64Array;
    const jv = j.vectors as Float64Array;
    for (let i = 0; i < wv.length; i++) expect(Math.abs(wv[i] - jv[i])).toBeLessThan(1e-9);
    const q = quality(a, n, j.values, jv, 0, 20);
    expect(q.residual).toBeLessThan(1e-12);
    expect(q.orth).toBeLessThan(1e-12);
    // all vectors by divide and conquer on the TypeScript kernels
    const jf = symmetricEigen(a, n, { kernels: 'js', method: 'divide-and-conquer' });
    const qf = quality(a, n, jf.values, jf.vectors as Float64Array, 0, n);
    expect(qf.residual).toBeLessThan(1e-12);
    expect(qf.orth).toBeLessThan(1e-12);
  });
});

describe('symmetricEigen threads', () => {
  it('gives the same bits on 1 and 2 threads (worker threads on the shared wasm memory)', () => {
    const rng = mulberry32(5);
    const n = 300; // above the size from which helper threads are used
    const a = wishart(n, 2 * n, rng);
    const one = symmetricEigen(a, n, { threads: 1 });
    const two = symmetricEigen(a, n, { threads: 2 });
    expect(Array.from(two.values)).toEqual(Array.from(one.values));
    expect(Array.from(two.vectors as Float64Array)).toEqual(Array.from(one.vectors as Float64Array));
    const q = quality(a, n, two.values, two.vectors as Float64Array, 0, n);
    expect(q.residual).toBeLessThan(1e-12);
    expect(q.orth).toBeLessThan(1e-12);
    const part1 = symmetricEigen(a, n, { threads: 1, vectors: { from: 0, to: 150 } });
    const part2 = symmetricEigen(a, n, { threads: 2, vectors: { from: 0, to: 150 } });
    expect(Array.from(part2.vectors as Float64Array)).toEqual(Array.from(part1.vectors as Float64Array));
  });
});
