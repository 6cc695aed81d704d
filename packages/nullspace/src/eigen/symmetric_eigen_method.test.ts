import { describe, expect, it, vi } from 'vitest';
import { mulberry32, randn, randomSymmetric } from '../internal/random.js';
import { eigenDecompose } from './symmetric_eigen.js';

// count the divide-and-conquer solves behind the decomposition's back
const calls = vi.hoisted(() => ({ dc: 0 }));
vi.mock('./tridiagonal_dc.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./tridiagonal_dc.js')>();
  return {
    ...real,
    tridiagonalEigenDC: (...args: Parameters<typeof real.tridiagonalEigenDC>) => {
      calls.dc++;
      return real.tridiagonalEigenDC(...args);
    },
  };
});

describe('eigenDecompose: the method chosen for a set of columns', () => {
  const n = 300;

  it('takes the two ends of a spectrum run by run by inverse iteration, without divide and conquer', () => {
    const dec = eigenDecompose(randomSymmetric(n, mulberry32(5)), n);
    calls.dc = 0;
    dec.columns?.([0, n - 1, 1, n - 2, 2, 3, n - 3]);
    expect(calls.dc).toBe(0);
  });

  it('falls back to divide and conquer when a run end cuts a cluster', () => {
    // rank 30: a zero cluster of 270; a few of its members picked apart from the leading range
    const rng = mulberry32(9);
    const x = Float64Array.from({ length: 30 * n }, () => randn(rng));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let r = 0; r < 30; r++) s += x[r * n + i] * x[r * n + j];
        a[i * n + j] = s / 30;
      }
    const dec = eigenDecompose(a, n);
    calls.dc = 0;
    dec.columns?.([...Array.from({ length: 30 }, (_, i) => i), 120, 250]);
    expect(calls.dc).toBe(1);
  });
});
