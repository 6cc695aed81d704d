import { applyQ } from './back_transform.js';
import { tridiagonalEigenvalues, tridiagonalEigenvectors } from './tridiagonal_eigen.js';
import { tridiagonalize } from './tridiagonalize.js';

/**
 * Which eigenvectors {@link symmetricEigen} computes: all, none, or the index range [from, to) of the
 * descending order.
 *
 * @category Eigen
 */
export type EigenVectorsRequest = 'all' | 'none' | { readonly from: number; readonly to: number };

/** Options of {@link symmetricEigen}. @category Eigen */
export interface SymmetricEigenOptions {
  /** Eigenvectors to compute; default 'all'. */
  readonly vectors?: EigenVectorsRequest;
}

/** Result of {@link symmetricEigen}. @category Eigen */
export interface SymmetricEigenResult {
  /** All n eigenvalues, descending. */
  readonly values: Float64Array;
  /** Eigenvectors, row-major [n, k]: column j belongs to values[from + j]. Absent for 'none'. */
  readonly vectors?: Float64Array;
  /** First index of the computed range (0 for 'all'). */
  readonly from: number;
  /** One past the last index of the computed range (n for 'all'). */
  readonly to: number;
}

/**
 * A pluggable eigensolver (for example TensorFlow's self-adjoint eigen op when the `tensorflow`
 * backend is active). Must honour the same contract as {@link symmetricEigen}.
 *
 * @category Eigen
 */
export type SymmetricEigenSolver = (
  a: Float64Array,
  n: number,
  options?: SymmetricEigenOptions,
) => SymmetricEigenResult;

/**
 * Eigen-decomposition of a dense real symmetric matrix, all eigenvalues and a chosen range of
 * eigenvectors, in float64.
 *
 * **Details**
 * 1. Blocked Householder tridiagonalisation A = Q·T·Qᵀ (DSYTRD-like, rank-64 trailing updates).
 * 2. All eigenvalues of T by implicit QL (O(n²)), sorted descending.
 * 3. Eigenvectors of T for the requested range only, by inverse iteration with re-orthogonalisation
 *    inside clusters (DSTEIN-like, O(n·k) plus O(n·c²) per cluster of c close eigenvalues).
 * 4. Back-transformation Q·Z with compact-WY blocks (≈2n²k flops).
 * Accuracy: ‖A·V − V·Λ‖/‖A‖ and ‖VᵀV − I‖ of order 1e-13 (tests require ≤ 1e-10). Reads the upper
 * triangle of `a`; `a` is not modified. The projector needs one side only: ask for the smaller of
 * [0, i*) and [i*, n).
 *
 * @param a - symmetric matrix, shape [n, n], row-major
 * @param n - order
 * @param options - which eigenvectors
 * @returns eigenvalues (descending) and the requested eigenvectors, row-major [n, to − from]
 * @example
 * const { values, vectors } = symmetricEigen(K, 2048, { vectors: { from: 0, to: 31 } });
 * @category Eigen
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigenResult {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`symmetricEigen: n=${n}, expected a positive integer`);
  if (a.length < n * n)
    throw new RangeError(`symmetricEigen: the matrix holds ${a.length} values, expected ${n}×${n}`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i]))
      throw new RangeError(`symmetricEigen: entry [${Math.floor(i / n)}, ${i % n}] is ${a[i]}`);
  }
  const req = options.vectors ?? 'all';
  let from = 0;
  let to = n;
  if (req === 'none') to = 0;
  else if (req !== 'all') {
    from = req.from;
    to = req.to;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > n || from > to) {
      throw new RangeError(`symmetricEigen: vectors range [${from}, ${to}) is invalid for n=${n}`);
    }
  }
  const tri = tridiagonalize(a, n);
  const values = tridiagonalEigenvalues(tri.d, tri.e);
  values.sort();
  values.reverse();
  if (req === 'none') return { values, from: 0, to: 0 };
  const k = to - from;
  const zc = tridiagonalEigenvectors(tri.d, tri.e, values.subarray(from, to));
  // to row-major [n, k]
  const z = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) z[i * k + j] = zc[o + i];
  }
  applyQ(tri, z, k);
  return { values, vectors: z, from, to };
}
