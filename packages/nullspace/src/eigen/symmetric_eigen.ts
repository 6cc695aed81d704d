import { applyQ } from './back_transform.js';
import {
  type Gemm,
  gemmJs,
  type Secular,
  secularJs,
  type TridiagonalEigenDC,
  tridiagonalEigenDC,
} from './tridiagonal_dc.js';
import { tridiagonalEigenvalues, tridiagonalEigenvectors } from './tridiagonal_eigen.js';
import { type Tridiagonal, tridiagonalize } from './tridiagonalize.js';
import { defaultThreads } from './wasm/eigen_pool.js';
import {
  applyQWasm,
  eigenKernels,
  gemmWasm,
  type Kernels,
  secularWasm,
  tridiagonalizeWasm,
} from './wasm/eigen_wasm.js';

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
  /**
   * Eigenvectors of the tridiagonal matrix: 'divide-and-conquer', 'inverse-iteration' (the
   * solver's method before divide and conquer: fast for a few vectors, O(n·c²) per cluster of c
   * close eigenvalues), or 'auto' (default: inverse iteration only for a narrow range without a
   * large cluster).
   */
  readonly method?: 'auto' | 'divide-and-conquer' | 'inverse-iteration';
  /**
   * Threads for the O(n³) wasm kernels (the reduction's trailing updates, the merges' products,
   * the back-transformation), the calling thread included; default: the machine's available
   * parallelism, at most 8. Helper threads are Node worker threads on the kernels' shared memory;
   * the work is split so that every entry is computed as on one thread — the result has the same
   * bits for any thread count.
   */
  readonly threads?: number;
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
 * 3. Eigenvectors of T: by divide and conquer (`tridiagonalEigenDC`, as LAPACK's DSTEDC:
 *    deflation makes clustered and rank-deficient spectra cheap, the Gu–Eisenstat correction keeps
 *    the vectors orthogonal), or — when the requested range has few vectors or only small
 *    clusters of close eigenvalues (estimated from the eigenvalues: cost n·(60k + 8·Σc²) against
 *    n³/8) — by inverse iteration with re-orthogonalisation inside clusters (DSTEIN-like).
 * 4. Back-transformation Q·Z with compact-WY blocks (≈2n²k flops).
 * The O(n³) kernels run on WebAssembly SIMD, on `threads` threads (same bits for any count).
 * Accuracy: ‖A·V − V·Λ‖/‖A‖ and ‖VᵀV − I‖ of order 1e-14 (tests require ≤ 1e-12). Reads the upper
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
  /**
   * Optional: the eigenvectors of the given indices (descending order, any order, no repeats),
   * row-major [n, indices.length] (column j ↔ values[indices[j]]). For a scattered set — a few
   * members of a large cluster beside a leading range — this avoids computing every vector of
   * the covering range. Each column is the one {@link EigenDecomposition.vectors} gives for its
   * index (up to the method chosen for the request).
   *
   * @param indices - eigen-indices, each in [0, n)
   */
  columns?(indices: readonly number[]): Float64Array;
}

/**
 * Reduces a symmetric matrix once and returns its eigenvalues plus a function computing any range
 * of eigenvectors (used by {@link buildProjector} to choose the smaller side after thresholding).
 *
 * **Details**
 * Same algorithm and accuracy as {@link symmetricEigen}; `options.vectors` is ignored. A divide
 * and conquer result is kept for later calls.
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
  const { tri, wasm, threads } = reduce(a, n, options);
  const values = tridiagonalEigenvalues(tri.d, tri.e);
  values.sort();
  values.reverse();
  let dc: TridiagonalEigenDC | undefined;
  const dec: EigenDecomposition = {
    n,
    values,
    vectors(from: number, to: number): Float64Array {
      checkRange(from, to, n);
      const k = to - from;
      let z: Float64Array;
      const method = options.method ?? 'auto';
      const inverse =
        method === 'inverse-iteration' ||
        (method === 'auto' && dc === undefined && inverseIterationIsCheap(tri, values, from, to));
      if (inverse) {
        const zc = tridiagonalEigenvectors(tri.d, tri.e, values.subarray(from, to));
        z = new Float64Array(n * k);
        for (let j = 0; j < k; j++) {
          const o = j * n;
          for (let i = 0; i < n; i++) z[i * k + j] = zc[o + i];
        }
      } else {
        dc ??= tridiagonalEigenDC(tri.d, tri.e, gemmFor(wasm, threads), secularFor(wasm, threads));
        z = dcColumns(dc, n, from, to);
      }
      return backTransform(tri, wasm, z, threads);
    },
    columns(indices: readonly number[]): Float64Array {
      let lo = n;
      let hi = 0;
      for (const p of indices) {
        if (!Number.isInteger(p) || p < 0 || p >= n)
          throw new RangeError(`symmetricEigen: vector index ${p} is invalid for n=${n}`);
        lo = Math.min(lo, p);
        hi = Math.max(hi, p + 1);
      }
      const k = indices.length;
      if (k === 0) return new Float64Array(0);
      const method = options.method ?? 'auto';
      // runs of consecutive indices (the two ends of a spectrum with both signs) whose ends do not
      // cut a cluster: each run on its own by inverse iteration when that is cheap for all of them,
      // one back-transform of the k wanted columns
      const runs = method === 'auto' && dc === undefined ? cheapRuns(tri, values, indices) : null;
      if (runs) {
        const col = new Map(indices.map((p, j) => [p, j] as const));
        const z = new Float64Array(n * k);
        for (const [from, to] of runs) {
          const zc = tridiagonalEigenvectors(tri.d, tri.e, values.subarray(from, to));
          for (let c = 0; c < to - from; c++) {
            const j = col.get(from + c) as number;
            const o = c * n;
            for (let i = 0; i < n; i++) z[i * k + j] = zc[o + i];
          }
        }
        return backTransform(tri, wasm, z, threads);
      }
      // the covering range when it is not much wider than the set (its back-transform costs
      // width columns), or when inverse iteration is asked for
      if (method === 'inverse-iteration' || (method === 'auto' && dc === undefined && hi - lo <= 2 * k)) {
        const width = hi - lo;
        const some = dec.vectors(lo, hi);
        const u = new Float64Array(n * k);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < k; j++) u[i * k + j] = some[i * width + indices[j] - lo];
        return u;
      }
      // divide and conquer gives every tridiagonal vector: back-transform only the wanted ones
      dc ??= tridiagonalEigenDC(tri.d, tri.e, gemmFor(wasm, threads), secularFor(wasm, threads));
      return backTransform(tri, wasm, dcPicked(dc, n, indices), threads);
    },
  };
  return dec;
}

/** Validates the input and reduces it to tridiagonal form on the chosen kernels. */
function reduce(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions,
): { tri: Tridiagonal; wasm: Kernels | null; threads: number } {
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
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`symmetricEigen: threads=${threads}, expected a positive integer`);
  const tri = wasm ? tridiagonalizeWasm(wasm, a, n, threads) : tridiagonalize(a, n);
  return { tri, wasm, threads };
}

function gemmFor(wasm: Kernels | null, threads: number): Gemm {
  return wasm
    ? (m, nn, k, a, ao, lda, b, bo, ldb, c, co, ldc) =>
        gemmWasm(wasm, m, nn, k, a, ao, lda, b, bo, ldb, c, co, ldc, threads)
    : gemmJs;
}

function secularFor(wasm: Kernels | null, threads: number): Secular {
  return wasm ? (dl, z, rho, lambda, u) => secularWasm(wasm, dl, z, rho, lambda, u, threads) : secularJs;
}

/** Z ← Q·Z for row-major z [n, k]; returns z. */
function backTransform(
  tri: Tridiagonal,
  wasm: Kernels | null,
  z: Float64Array,
  threads: number,
): Float64Array {
  const k = z.length / tri.n;
  if (wasm) applyQWasm(wasm, tri, z, k, threads);
  else applyQ(tri, z, k);
  return z;
}

/**
 * Columns [from, to) of the descending order from a divide-and-conquer result (ascending,
 * column-major), row-major [n, to − from], each with its largest-magnitude entry positive.
 */
function dcColumns(dc: TridiagonalEigenDC, n: number, from: number, to: number): Float64Array {
  return dcPicked(
    dc,
    n,
    Array.from({ length: to - from }, (_, j) => from + j),
  );
}

/** Row tile of the transposing copy in {@link dcPicked} (a tile of z stays in L2). */
const GATHER_ROWS = 32;

/** {@link dcColumns} for a set of descending-order indices, row-major [n, indices.length]. */
function dcPicked(dc: TridiagonalEigenDC, n: number, indices: readonly number[]): Float64Array {
  const k = indices.length;
  const z = new Float64Array(n * k);
  const q = dc.vectors;
  const src = new Int32Array(k);
  const sgn = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const o = (n - 1 - indices[j]) * n;
    let big = 0;
    for (let i = 1; i < n; i++) if (Math.abs(q[o + i]) > Math.abs(q[o + big])) big = i;
    src[j] = o;
    sgn[j] = q[o + big] < 0 ? -1 : 1;
  }
  // column-major q → row-major z in tiles of GATHER_ROWS rows (the plain loop strides k apart)
  for (let i0 = 0; i0 < n; i0 += GATHER_ROWS) {
    const i1 = Math.min(n, i0 + GATHER_ROWS);
    for (let j = 0; j < k; j++) {
      const o = src[j];
      const g = sgn[j];
      for (let i = i0; i < i1; i++) z[i * k + j] = g * q[o + i];
    }
  }
  return z;
}

/**
 * The maximal runs [from, to) of consecutive indices in `indices` when inverse iteration is cheap
 * on each and no run end falls inside a cluster (a cluster's members must be computed together
 * to stay orthogonal); null otherwise.
 */
function cheapRuns(
  tri: Tridiagonal,
  values: Float64Array,
  indices: readonly number[],
): Array<[number, number]> | null {
  const n = tri.n;
  const sorted = Int32Array.from(indices).sort();
  const runs: Array<[number, number]> = [];
  for (const p of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] === p) last[1] = p + 1;
    else runs.push([p, p + 1]);
  }
  const ortol = clusterTolerance(tri);
  let cost = 0;
  for (const [from, to] of runs) {
    if (from > 0 && values[from - 1] - values[from] <= ortol) return null;
    if (to < n && values[to - 1] - values[to] <= ortol) return null;
    cost += inverseIterationCost(values, from, to, ortol);
  }
  return cost <= (n * n) / 8 ? runs : null;
}

/** The cluster gap of {@link tridiagonalEigenvectors}: 1e-3·‖T‖∞. */
function clusterTolerance(tri: Tridiagonal): number {
  const { n, d, e } = tri;
  let tnorm = 0;
  for (let i = 0; i < n; i++) {
    const row = Math.abs(d[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    tnorm = Math.max(tnorm, row);
  }
  return 1e-3 * (tnorm || 1);
}

/**
 * Whether inverse iteration (DSTEIN-like: O(n·k) plus O(n·c²) per cluster of c close eigenvalues,
 * with the same cluster test as {@link tridiagonalEigenvectors}) is cheaper than divide and
 * conquer for the range [from, to): few vectors and no large cluster.
 */
function inverseIterationIsCheap(tri: Tridiagonal, values: Float64Array, from: number, to: number): boolean {
  return inverseIterationCost(values, from, to, clusterTolerance(tri)) <= (tri.n * tri.n) / 8;
}

/**
 * Inverse iteration's cost for [from, to): about n·(60·k + 8·Σc²) scalar flops over the clusters
 * of c values closer than `ortol` (divide and conquer costs about n³/8 in the same currency: its
 * products run on the SIMD GEMM); returned without the common factor n.
 */
function inverseIterationCost(values: Float64Array, from: number, to: number, ortol: number): number {
  let sumc2 = 0;
  let c = 1;
  for (let j = from + 1; j < to; j++) {
    if (values[j - 1] - values[j] > ortol) {
      sumc2 += c * c;
      c = 1;
    } else c++;
  }
  sumc2 += c * c;
  return 60 * (to - from) + 8 * sumc2;
}

function checkRange(from: number, to: number, n: number): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > n || from > to) {
    throw new RangeError(`symmetricEigen: vectors range [${from}, ${to}) is invalid for n=${n}`);
  }
}
