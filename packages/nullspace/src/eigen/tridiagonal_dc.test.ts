import { describe, expect, it } from 'vitest';
import { mulberry32, randn } from '../internal/random.js';
import { gemmJs, tridiagonalEigenDC } from './tridiagonal_dc.js';
import { tridiagonalEigenvalues } from './tridiagonal_eigen.js';
import { eigenKernels, gemmWasm } from './wasm/eigen_wasm.js';

/** max |T·v − λ·v| / ‖T‖ and max |VᵀV − I| over all pairs. */
function quality(d: Float64Array, e: Float64Array, values: Float64Array, q: Float64Array) {
  const n = d.length;
  let tn = 0;
  for (let i = 0; i < n; i++)
    tn = Math.max(tn, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  let res = 0;
  for (let j = 0; j < n; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) {
      let s = d[i] * q[o + i];
      if (i > 0) s += e[i - 1] * q[o + i - 1];
      if (i < n - 1) s += e[i] * q[o + i + 1];
      res = Math.max(res, Math.abs(s - values[j] * q[o + i]));
    }
  }
  let orth = 0;
  for (let j = 0; j < n; j++)
    for (let k = j; k < n; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[j * n + i] * q[k * n + i];
      orth = Math.max(orth, Math.abs(s - (j === k ? 1 : 0)));
    }
  return { res: res / (tn || 1), orth };
}

function check(d: Float64Array, e: Float64Array) {
  const n = d.length;
  const { values, vectors } = tridiagonalEigenDC(d, e);
  for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  const q = quality(d, e, values, vectors);
  expect(q.res).toBeLessThan(1e-14);
  expect(q.orth).toBeLessThan(1e-13);
  const ql = Float64Array.from(tridiagonalEigenvalues(d, e)).sort();
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(ql[i]));
  for (let i = 0; i < n; i++) expect(Math.abs(ql[i] - values[i])).toBeLessThanOrEqual(1e-13 * (scale || 1));
  return values;
}

describe('tridiagonalEigenDC', () => {
  const rng = mulberry32(21);

  it('solves random tridiagonals below, at and above the leaf size', () => {
    for (const n of [1, 2, 3, 32, 33, 64, 65, 150, 300]) {
      const d = Float64Array.from({ length: n }, () => randn(rng));
      const e = Float64Array.from({ length: n - 1 }, () => randn(rng));
      check(d, e);
    }
  });

  it('handles the zero matrix, a diagonal and exact repeated eigenvalues', () => {
    const z = check(new Float64Array(100), new Float64Array(99));
    expect(Array.from(z).every((v) => v === 0)).toBe(true);
    const diag = Float64Array.from({ length: 90 }, (_, i) => i % 3);
    expect(Array.from(check(diag, new Float64Array(89)))).toEqual(Array.from(diag).sort());
    // T = 2I + off-diagonal blocks split by exact zeros: eigenvalues repeated many times
    const n = 200;
    const e = Float64Array.from({ length: n - 1 }, (_, i) => (i % 4 === 3 ? 0 : 1));
    check(new Float64Array(n).fill(2), e);
  });

  it('solves the blocks between off-diagonal zeros alone (a diagonal tail keeps unit vectors)', () => {
    // an unreduced head of 70 and a diagonal tail of 130 interleaved with it in value
    const n = 200;
    const d = Float64Array.from({ length: n }, () => randn(rng));
    const e = Float64Array.from({ length: n - 1 }, (_, i) => (i < 69 ? randn(rng) : 0));
    const { values, vectors } = tridiagonalEigenDC(d, e);
    check(d, e);
    for (let j = 0; j < n; j++) {
      const col = vectors.subarray(j * n, (j + 1) * n);
      const big = col.findIndex((x) => Math.abs(x) === 1);
      if (big < 70) {
        // a head vector: zero on the tail
        expect(col.subarray(70).every((x) => x === 0)).toBe(true);
      } else {
        expect(values[j]).toBe(d[big]);
        expect(col.filter((x) => x !== 0).length).toBe(1);
      }
    }
  });

  it('keeps glued Wilkinson matrices (clusters of near-equal pairs) orthogonal', () => {
    for (const glue of [1e-14, 1e-10, 1e-4]) {
      const w = 21;
      const blocks = 12;
      const n = w * blocks;
      const d = new Float64Array(n);
      const e = new Float64Array(n - 1);
      for (let b = 0; b < blocks; b++)
        for (let i = 0; i < w; i++) {
          d[b * w + i] = Math.abs(i - 10);
          if (b * w + i < n - 1) e[b * w + i] = i < w - 1 ? 1 : glue;
        }
      check(d, e);
    }
  });

  it('handles graded and nearly identity matrices', () => {
    const n = 120;
    const d = Float64Array.from({ length: n }, (_, i) => 10 ** (-i / 10));
    const e = Float64Array.from({ length: n - 1 }, (_, i) => 10 ** (-i / 10 - 0.05));
    check(d, e);
    check(new Float64Array(n).fill(1), new Float64Array(n - 1).fill(1e-9));
  });

  it('gives the same result with the wasm product as with the TypeScript one', () => {
    const k = eigenKernels();
    if (!k) return;
    const n = 200;
    const d = Float64Array.from({ length: n }, () => randn(rng));
    const e = Float64Array.from({ length: n - 1 }, () => randn(rng));
    const a = tridiagonalEigenDC(d, e, gemmJs);
    const b = tridiagonalEigenDC(d, e, (m, nn, kk, A, ao, lda, B, bo, ldb, C, co, ldc) =>
      gemmWasm(k, m, nn, kk, A, ao, lda, B, bo, ldb, C, co, ldc),
    );
    for (let i = 0; i < n; i++) expect(Math.abs(a.values[i] - b.values[i])).toBeLessThan(1e-14 * 4);
    const q = quality(d, e, b.values, b.vectors);
    expect(q.res).toBeLessThan(1e-14);
    expect(q.orth).toBeLessThan(1e-13);
  });
});
