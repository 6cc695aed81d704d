import { defaultEigenDecomposer } from '../eigen/default_decomposer.js';
import {
  type EigenDecomposition,
  eigenDecompose,
  type SymmetricEigenOptions,
} from '../eigen/symmetric_eigen.js';
import { defaultThreads } from '../eigen/wasm/eigen_pool.js';
import { eigenKernels, gemmWasm } from '../eigen/wasm/eigen_wasm.js';
import { nullSpaceStart, type ThresholdPolicy } from '../threshold/threshold_policy.js';

/**
 * How U₀U₀ᵀ is scaled before the η-blend: 'frobenius' divides by ‖U₀U₀ᵀ‖_F = √k (the official
 * rule, spec §3.4 step 3); 'none' keeps the orthogonal projector (the textbook variant).
 *
 * @category Projector
 */
export type ProjectorNormalization = 'frobenius' | 'none';

/** Options of {@link buildProjector}. @category Projector */
export interface BuildProjectorOptions {
  /** Blend weight η of P = η·P̂ + (1 − η)·I (official 0.95 / 0.90; 1 for a pure projector). */
  readonly eta: number;
  /** How the null space is chosen. */
  readonly threshold: ThresholdPolicy;
  /** Scaling of U₀U₀ᵀ; the official code uses 'frobenius'. */
  readonly normalize: ProjectorNormalization;
  /** Kernels of the eigensolver and of the dense product U·Uᵀ (default wasm where available). */
  readonly kernels?: SymmetricEigenOptions['kernels'];
  /**
   * Replace the eigen-decomposition (for example by a TensorFlow self-adjoint eigen op on the
   * `tensorflow` backend). Must return descending eigenvalues and vectors(from, to) as
   * {@link eigenDecompose} does.
   */
  readonly decompose?: (a: Float64Array, n: number) => EigenDecomposition;
  /** Also form the dense P (default true); false returns only the low-rank {@link FactoredProjector}. */
  readonly dense?: boolean;
}

/**
 * P in low-rank form: P = diag·I + coef·B·Bᵀ with B the n×cols eigenvectors of the smaller side
 * (range side: diag = η/c + 1 − η, coef = −η/c; null side: diag = 1 − η, coef = η/c; c = √k or 1).
 * Applying it costs O(rows·n·cols) instead of O(rows·n²) and storing it n·cols floats instead of n².
 *
 * @category Projector
 */
export interface FactoredProjector {
  readonly n: number;
  readonly diag: number;
  readonly coef: number;
  /** B, shape [n, cols], row-major float32 (orthonormal columns). */
  readonly basis: Float32Array;
  readonly cols: number;
}

/** Result of {@link buildProjector}. @category Projector */
export interface ProjectorResult {
  /** P, shape [n, n], row-major float32 (symmetric); empty when `dense: false`. */
  readonly projector: Float32Array;
  /** The same P in low-rank form (see {@link FactoredProjector}). */
  readonly factored: FactoredProjector;
  /** k = n − start: dimension of the null space. */
  readonly nullDim: number;
  /** i*: the null space is made of the directions start..n−1 of the thresholded spectrum. */
  readonly start: number;
  /** The eigenvalues of the covariance, descending (float64). */
  readonly eigenvalues: Float64Array;
  /** Which side's eigenvectors were computed: 'null' (U₀ directly) or 'range' (I − U_rU_rᵀ). */
  readonly side: 'null' | 'range';
}

/**
 * Builds the null-space projector of one uncentred covariance, the official way.
 *
 * **Details**
 * Spec §3.4 (pitfalls 5, 6, 22):
 * 1. Eigen-decompose 𝒦 (symmetric PSD); the spectrum used for the threshold is the singular-value
 *    spectrum s = |λ| sorted descending, rounded to float32 (the official code takes torch's SVD).
 * 2. i* = nullSpaceStart(s, threshold); U₀ = the eigenvectors of s[i*..n), k = n − i*.
 * 3. P̂ = U₀U₀ᵀ/√k ('frobenius') or U₀U₀ᵀ ('none'); P = η·P̂ + (1 − η)·I, stored as float32.
 * Only the smaller side is computed: if i* < k, U₀U₀ᵀ = I − U_rU_rᵀ with U_r the i* leading
 * eigenvectors. k = 0 with 'frobenius' is an error (the official code asserts k > 0).
 *
 * @param cov - 𝒦, shape [n, n], row-major float64 (upper triangle read)
 * @param n - order
 * @param options - η, threshold policy, normalisation
 * @returns P [n, n] float32, k, i*, the eigenvalues, and the side computed
 * @example
 * const { projector, nullDim } = buildProjector(acc.matrix, 2048, {
 *   eta: 0.95, threshold: { kind: 'adaptive' }, normalize: 'frobenius' });
 * @category Projector
 */
export function buildProjector(
  cov: Float64Array,
  n: number,
  options: BuildProjectorOptions,
): ProjectorResult {
  const { eta, threshold, normalize } = options;
  if (!(eta >= 0 && eta <= 1)) throw new RangeError(`buildProjector: eta=${eta}, expected 0 ≤ eta ≤ 1`);
  if (normalize !== 'frobenius' && normalize !== 'none') {
    throw new RangeError(`buildProjector: normalize '${normalize}', expected 'frobenius' or 'none'`);
  }
  const custom = options.decompose ?? defaultEigenDecomposer();
  const dec = custom ? custom(cov, n) : eigenDecompose(cov, n, { kernels: options.kernels });
  const lambda = dec.values;
  // singular-value order: |λ| descending (stable: ties keep eigenvalue order)
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => Math.abs(lambda[y]) - Math.abs(lambda[x]) || x - y);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.abs(lambda[order[i]]);
  const start = nullSpaceStart(s, threshold);
  const k = n - start;
  if (k === 0 && normalize === 'frobenius') {
    throw new RangeError(
      `buildProjector: the threshold left an empty null space (n=${n}); 'frobenius' needs k > 0`,
    );
  }
  const scale = normalize === 'frobenius' ? 1 / Math.sqrt(k) : 1;
  // eigen-indices (descending λ order) of the range side
  const rangeIdx = order.slice(0, start);
  const contiguous = rangeIdx.every((v) => v < start);
  const useRange = start < k;
  let u: Float64Array;
  let cols: number;
  if (contiguous) {
    u = useRange ? dec.vectors(0, start) : dec.vectors(start, n);
    cols = useRange ? start : k;
  } else {
    // |λ| order differs from λ order (e.g. ±1e-17 noise of a zero cluster): ask for the wanted
    // eigen-indices only (dec.columns), else for the eigen-index range covering them.
    const pick = useRange ? rangeIdx : order.slice(start);
    cols = pick.length;
    if (dec.columns) u = dec.columns(pick);
    else {
      let lo = n;
      let hi = 0;
      for (const p of pick) {
        lo = Math.min(lo, p);
        hi = Math.max(hi, p + 1);
      }
      const width = hi - lo;
      const some = dec.vectors(lo, hi);
      u = new Float64Array(n * cols);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < cols; j++) u[i * cols + j] = some[i * width + pick[j] - lo];
    }
  }
  // P = diag + coef·U·Uᵀ
  const diag = useRange ? eta * scale + (1 - eta) : 1 - eta;
  const coef = useRange ? -eta * scale : eta * scale;
  const factored: FactoredProjector = { n, diag, coef, basis: Float32Array.from(u), cols };
  let projector = new Float32Array(0);
  if (options.dense !== false) {
    const P = new Float64Array(n * n);
    const kern = options.kernels === 'js' ? null : eigenKernels();
    if (kern && cols > 0) {
      // U·Uᵀ on the SIMD GEMM (threads): A = U column-major [n, cols], B = Uᵀ column-major [cols, n]
      // = u as stored. Every entry sums its products in the same order as its mirror, so the
      // product is exactly symmetric.
      const ucm = new Float64Array(n * cols);
      for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) ucm[j * n + i] = u[i * cols + j];
      gemmWasm(kern, n, n, cols, ucm, 0, n, u, 0, cols, P, 0, n, defaultThreads());
      for (let i = 0; i < n * n; i++) P[i] *= coef;
    } else addOuter(u, n, cols, coef, P);
    for (let i = 0; i < n; i++) P[i * n + i] += diag;
    projector = Float32Array.from(P);
  }
  return { projector, factored, nullDim: k, start, eigenvalues: lambda, side: useRange ? 'range' : 'null' };
}

/** P += coef·U·Uᵀ, U row-major [n, k]; symmetric, 4×4 tiles of the upper triangle, mirrored. */
function addOuter(u: Float64Array, n: number, k: number, coef: number, P: Float64Array): void {
  if (k === 0) return;
  for (let i = 0; i < n; i++) {
    const ui = i * k;
    for (let j = i; j < n; j++) {
      const uj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += u[ui + p] * u[uj + p];
      const v = coef * s;
      P[i * n + j] += v;
      if (j !== i) P[j * n + i] += v;
    }
  }
}
