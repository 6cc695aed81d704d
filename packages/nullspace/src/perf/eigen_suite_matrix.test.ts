import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../eigen/symmetric_eigen.js';
import { eigenSuiteMatrix } from './eigen_suite_matrix.js';

describe('eigenSuiteMatrix', () => {
  const n = 200;

  it('gives the same symmetric matrix on every call, with or without wasm', () => {
    for (const kind of ['gaussian', 'covariance', 'rank-n/10', 'decaying-k^-2'] as const) {
      const a = eigenSuiteMatrix(kind, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(a[i * n + j]).toBe(a[j * n + i]);
      const b = eigenSuiteMatrix(kind, n, false);
      let d = 0;
      for (let i = 0; i < n * n; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      expect(d).toBeLessThan(1e-12);
      expect(Array.from(eigenSuiteMatrix(kind, n).subarray(0, 50))).toEqual(Array.from(a.subarray(0, 50)));
    }
  });

  it('names the spectra it knows when asked for another', () => {
    expect(() => eigenSuiteMatrix('none' as never, 8)).toThrow(
      /unknown spectrum 'none', expected one of gaussian, covariance/,
    );
  });

  it('has the spectrum its name says', () => {
    const rank = symmetricEigen(eigenSuiteMatrix('rank-n/10', n), n, { vectors: 'none' }).values;
    expect(rank[19]).toBeGreaterThan(1e-3);
    expect(Math.abs(rank[20])).toBeLessThan(1e-12 * rank[0]);
    const decay = symmetricEigen(eigenSuiteMatrix('decaying-k^-2', n), n, { vectors: 'none' }).values;
    for (const k of [1, 2, 10, 200]) expect(decay[k - 1]).toBeCloseTo(1 / k ** 2, 10);
    const cov = symmetricEigen(eigenSuiteMatrix('covariance', n), n, { vectors: 'none' }).values;
    // Marchenko–Pastur with ratio 1/2: eigenvalues in [(1 − √½)², (1 + √½)²] up to finite-n spread
    expect(cov[0]).toBeLessThan(3.3);
    expect(cov[n - 1]).toBeGreaterThan(0.05);
  });
});
