import { addGram } from '../covariance/gram.js';
import { symmetricEigen } from '../eigen/symmetric_eigen.js';
import { gemmJs } from '../eigen/tridiagonal_dc.js';
import { eigenKernels, gemmWasm } from '../eigen/wasm/eigen_wasm.js';
import { mulberry32, randn, randomSymmetric } from '../internal/random.js';
import type { EigenSpectrum } from './eigen_perf.js';

/** A built-in spectrum of the eigen benchmark suite. @category Perf */
export type EigenSuiteSpectrum = Exclude<EigenSpectrum, object>;

/** Every built-in spectrum of the suite, in the order the benchmarks run them. @category Perf */
export const SUITE_SPECTRA: readonly EigenSuiteSpectrum[] = [
  'gaussian',
  'covariance',
  'rank-n/10',
  'rank-n/100',
  'decaying-k^-2',
];

/**
 * Builds one matrix of the eigen benchmark suite, seeded by n (the same matrix on every call).
 *
 * - `gaussian`: symmetric with N(0, 1) entries (eigenvalues spread, semicircle).
 * - `covariance`: XᵀX/m of m = 2n Gaussian rows (full rank, Marchenko–Pastur spectrum).
 * - `rank-n/10`, `rank-n/100`: the same with m = n/10, n/100 rows (n − m equal zero eigenvalues:
 *   the clustered spectra of feature covariances early in a stream).
 * - `decaying-k^-2`: Q·diag(k⁻²)·Qᵀ with Q Haar-random (a smooth decay with no gap).
 *
 * @param kind - which spectrum
 * @param n - order
 * @param wasm - form the products on the wasm kernels where they load (default), or in TypeScript
 * @returns row-major symmetric matrix, shape [n, n]
 * @category Perf
 */
export function eigenSuiteMatrix(kind: EigenSuiteSpectrum, n: number, wasm = true): Float64Array {
  if (!SUITE_SPECTRA.includes(kind))
    throw new RangeError(
      `eigenSuiteMatrix: unknown spectrum '${kind}', expected one of ${SUITE_SPECTRA.join(', ')}`,
    );
  const kern = wasm ? eigenKernels() : null;
  const rng = mulberry32(1000 + n);
  if (kind === 'gaussian') return randomSymmetric(n, rng);
  const a = new Float64Array(n * n);
  if (kind === 'decaying-k^-2') {
    // A = Q·diag(k⁻²)·Qᵀ, Q Haar-random: the eigenvectors of a Gaussian matrix
    const g = eigenSuiteMatrix('gaussian', n, wasm);
    const q = symmetricEigen(g, n).vectors as Float64Array; // row-major: column j = vector j
    const x = new Float64Array(n * n); // column-major Q·diag(k⁻¹)
    const y = new Float64Array(n * n); // column-major (Q·diag(k⁻¹))ᵀ
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const v = q[i * n + j] / (j + 1);
        x[j * n + i] = v;
        y[i * n + j] = v;
      }
    if (kern) gemmWasm(kern, n, n, n, x, 0, n, y, 0, n, a, 0, n);
    else gemmJs(n, n, n, x, 0, n, y, 0, n, a, 0, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (a[i * n + j] + a[j * n + i]);
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    return a;
  }
  // covariances XᵀX/m of Gaussian rows: m = 2n (full rank) or m = rank
  const m =
    kind === 'covariance'
      ? 2 * n
      : kind === 'rank-n/10'
        ? Math.max(1, Math.round(n / 10))
        : Math.max(1, Math.round(n / 100));
  const x = Float32Array.from({ length: m * n }, () => randn(rng));
  addGram(x, m, n, a, 1 / m);
  return a;
}
