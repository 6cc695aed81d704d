import { applyQ } from './back_transform.js';
import { tridiagonalEigenvalues, tridiagonalEigenvectors } from './tridiagonal_eigen.js';
import { tridiagonalize } from './tridiagonalize.js';
import { applyQWasm, eigenKernels, tridiagonalizeWasm } from './wasm/eigen_wasm.js';

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
  /**
   * Kernels of the O(n³) parts: 'wasm' (SIMD128, default where WebAssembly SIMD is available) or
   * 'js' (the plain TypeScript reference).
   */
  readonly kernels?: 'wasm' | 'js';
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
  const req = options.vectors ?? 'all';
  const dec = eigenDecompose(a, n, options);
  if (req === 'none') return { values: dec.values, from: 0, to: 0 };
  const [from, to] = req === 'all' ? [0, n] : [req.from, req.to];
  return { values: dec.values, vectors: dec.vectors(from, to), from, to };
}

/**
 * A decomposition whose eigenvectors are computed on demand: all eigenvalues first, then any
 * index ranges of vectors (the O(n³) reduction is done once).
 *
 * @category Eigen
 */
export interface EigenDecomposition {
  /** Order n. */
  readonly n: number;
  /** All n eigenvalues, descending. */
  readonly values: Float64Array;
  /**
   * Eigenvectors of values[from..to), row-major [n, to − from] (column j ↔ values[from + j]).
   *
   * @param from - first index (descending order)
   * @param to - one past the last index
   */
  vectors(from: number, to: number): Float64Array;
}

/**
 * Reduces a symmetric matrix once and returns its eigenvalues plus a function computing any range
 * of eigenvectors (used by {@link buildProjector} to choose the smaller side after thresholding).
 *
 * **Details**
 * Same algorithm and accuracy as {@link symmetricEigen}; `options.vectors` is ignored.
 *
 * @param a - symmetric matrix, shape [n, n], row-major (upper triangle read, not modified)
 * @param n - order
 * @param options - kernels
 * @returns eigenvalues (descending) and a vectors(from, to) function
 * @example
 * const dec = eigenDecompose(K, 2048);
 * const top = dec.vectors(0, 31); // [2048, 31]
 * @category Eigen
 */
export function eigenDecompose(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions = {},
): EigenDecomposition {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`symmetricEigen: n=${n}, expected a positive integer`);
  if (a.length < n * n)
    throw new RangeError(`symmetricEigen: the matrix holds ${a.length} values, expected ${n}×${n}`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i]))
      throw new RangeError(`symmetricEigen: entry [${Math.floor(i / n)}, ${i % n}] is ${a[i]}`);
  }
  const req = options.vectors;
  if (req !== undefined && req !== 'all' && req !== 'none') checkRange(req.from, req.to, n);
  const wasm = options.kernels === 'js' ? null : eigenKernels();
  if (options.kernels === 'wasm' && wasm === null)
    throw new Error('symmetricEigen: the wasm kernels are unavailable here');
  const tri = wasm ? tridiagonalizeWasm(wasm, a, n) : tridiagonalize(a, n);
  const values = tridiagonalEigenvalues(tri.d, tri.e);
  values.sort();
  values.reverse();
  return {
    n,
    values,
    vectors(from: number, to: number): Float64Array {
      checkRange(from, to, n);
      const k = to - from;
      const zc = tridiagonalEigenvectors(tri.d, tri.e, values.subarray(from, to));
      const z = new Float64Array(n * k);
      for (let j = 0; j < k; j++) {
        const o = j * n;
        for (let i = 0; i < n; i++) z[i * k + j] = zc[o + i];
      }
      if (wasm) applyQWasm(wasm, tri, z, k);
      else applyQ(tri, z, k);
      return z;
    },
  };
}

function checkRange(from: number, to: number, n: number): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > n || from > to) {
    throw new RangeError(`symmetricEigen: vectors range [${from}, ${to}) is invalid for n=${n}`);
  }
}
