import { eigenDecompose, type SymmetricEigenOptions, symmetricEigen } from '../eigen/symmetric_eigen.js';
import { gemmJs } from '../eigen/tridiagonal_dc.js';
import { defaultThreads } from '../eigen/wasm/eigen_pool.js';
import { eigenKernels, gemmWasm, type Kernels } from '../eigen/wasm/eigen_wasm.js';
import { buildProjector } from '../projector/build_projector.js';
import { eigenSuiteMatrix, SUITE_SPECTRA } from './eigen_suite_matrix.js';
import { timeNumpyEigh } from './numpy_eigh.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/** A matrix of the eigen benchmark suite. @category Perf */
export type EigenSpectrum =
  | 'gaussian'
  | 'covariance'
  | 'rank-n/10'
  | 'rank-n/100'
  | 'decaying-k^-2'
  | { readonly name: string; readonly matrix: Float64Array; readonly n: number };

/** Options of {@link runEigenPerf}. @category Perf */
export interface EigenPerfOptions {
  /** Orders to time; default [1024, 2048]. */
  readonly sizes?: readonly number[];
  /** Matrices; default every built-in spectrum. Custom matrices (a saved feature covariance) run at their own n. */
  readonly spectra?: readonly EigenSpectrum[];
  /** Best of this many runs; default 1. */
  readonly repeats?: number;
  /** Python executable for the numpy comparison, or false to skip it; default 'python3'. */
  readonly python?: string | false;
  /** Also time the solver as it was before divide and conquer (inverse iteration) up to this n; default 1024 (0: never). */
  readonly beforeUpTo?: number;
  /** Measure ‖AV − VΛ‖/‖A‖ and max|VᵀV − I| of the full decomposition up to this n (two n³ products); default 2048. */
  readonly accuracyUpTo?: number;
  /** Called with each row as soon as it is measured (long runs on a busy machine). */
  readonly onRow?: (row: PerfRow) => void;
}

/** Matrices up to this order are timed best of {@link SMALL_REPEATS} at least. */
const SMALL_N = 512;
const SMALL_REPEATS = 10;

/** Seconds with two decimals, or two significant digits below 0.1 s. */
function secondsText(s: number): string {
  return s >= 0.1 ? s.toFixed(2) : s.toPrecision(2);
}

function seconds(f: () => void): number {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
}

/** ‖AV − VΛ‖_F/‖A‖_F and max|VᵀV − I| (products on the wasm GEMM). */
function accuracy(a: Float64Array, n: number, values: Float64Array, v: Float64Array, kern: Kernels | null) {
  const gemm = kern
    ? (m: number, nn: number, k: number, x: Float64Array, y: Float64Array, c: Float64Array) =>
        gemmWasm(kern, m, nn, k, x, 0, m, y, 0, k, c, 0, m)
    : (m: number, nn: number, k: number, x: Float64Array, y: Float64Array, c: Float64Array) =>
        gemmJs(m, nn, k, x, 0, m, y, 0, k, c, 0, m);
  // v row-major [n, n] is Vᵀ column-major; A symmetric is its own transpose
  const vt = v;
  const vcm = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vcm[j * n + i] = v[i * n + j];
  const av = new Float64Array(n * n);
  gemm(n, n, n, a, vcm, av);
  let r = 0;
  let an = 0;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const d = av[j * n + i] - vcm[j * n + i] * values[j];
      r += d * d;
      an += a[j * n + i] * a[j * n + i];
    }
  const vtv = new Float64Array(n * n);
  gemm(n, n, n, vt, vcm, vtv);
  let orth = 0;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) orth = Math.max(orth, Math.abs(vtv[j * n + i] - (i === j ? 1 : 0)));
  return { residual: Math.sqrt(r) / Math.max(Math.sqrt(an), Number.MIN_VALUE), orth };
}

/**
 * Times the eigensolver on the spectra the null-space method produces, beside numpy's `eigh`.
 *
 * **Details**
 * Matrices (seeded, the same bytes for both sides): a random symmetric Gaussian; covariances
 * XᵀX/m of Gaussian rows — full rank (m = 2n) and rank-deficient (m = n/10 and n/100 rows, so
 * clusters of n − m equal zero eigenvalues); a decaying spectrum λ_k = k⁻² with Haar-random
 * eigenvectors; and any matrices passed in (a feature covariance saved from a run). Per matrix:
 * `symmetricEigen(…, { vectors: 'all' })` (full), `buildProjector` (adaptive threshold, η = 0.95,
 * one side of the spectrum only), optionally the pre-divide-and-conquer solver ('before': inverse
 * iteration), and numpy `eigh` in a child process both with its default threads and single-
 * threaded, right after ours so both see about the same load. Accuracy of the full result is
 * measured too. Target: full ≤ 3× numpy (default threads) at n = 2048.
 *
 * @param options - sizes, spectra, repeats, python, before, accuracy sizes
 * @returns one report
 * @example
 * const [report] = await runEigenPerf({ sizes: [384], spectra: ['covariance'] });
 * @category Perf
 */
export async function runEigenPerf(options: EigenPerfOptions = {}): Promise<PerfReport[]> {
  const sizes = options.sizes ?? [1024, 2048];
  const spectra = options.spectra ?? SUITE_SPECTRA;
  const repeats = options.repeats ?? 1;
  const beforeUpTo = options.beforeUpTo ?? 1024;
  const kern = eigenKernels();
  const kernels = kern ? 'wasm SIMD128' : 'TypeScript (wasm unavailable)';
  const rows: PerfRow[] = [];
  const npNotes = new Set<string>();
  const cases: Array<{ name: string; n: number; make: () => Float64Array }> = [];
  for (const sp of spectra) {
    if (typeof sp === 'object') cases.push({ name: sp.name, n: sp.n, make: () => sp.matrix });
    else
      for (const n of sizes) cases.push({ name: sp, n, make: () => eigenSuiteMatrix(sp, n, kern !== null) });
  }
  cases.sort((x, y) => x.n - y.n);
  // warm-up: compile the kernels, tier up the JIT, start the helper threads (not timed)
  for (const w of [64, 300]) {
    symmetricEigen(eigenSuiteMatrix('covariance', w, kern !== null), w);
    buildProjector(eigenSuiteMatrix('covariance', w, kern !== null), w, {
      eta: 0.95,
      threshold: { kind: 'adaptive' },
      normalize: 'frobenius',
    });
  }
  for (const { name, n, make } of cases) {
    const a = make();
    // a small matrix takes milliseconds: one timing is mostly noise, so take the best of several
    const reps = n <= SMALL_N ? Math.max(repeats, SMALL_REPEATS) : repeats;
    const best = (f: () => void) => {
      let t = Number.POSITIVE_INFINITY;
      for (let r = 0; r < reps; r++) t = Math.min(t, seconds(f));
      return t;
    };
    let res: ReturnType<typeof symmetricEigen> | undefined;
    const full = best(() => {
      res = symmetricEigen(a, n, { vectors: 'all' });
    });
    let side = '';
    const proj = best(() => {
      const p = buildProjector(a, n, { eta: 0.95, threshold: { kind: 'adaptive' }, normalize: 'frobenius' });
      side = `${p.side} (i* = ${p.start})`;
    });
    // the solver as it was: inverse-iteration vectors on one thread
    const old: SymmetricEigenOptions = { vectors: 'all', method: 'inverse-iteration', threads: 1 };
    const before = n <= beforeUpTo ? best(() => symmetricEigen(a, n, old)) : undefined;
    const beforeProj =
      n <= beforeUpTo
        ? best(() =>
            buildProjector(a, n, {
              eta: 0.95,
              threshold: { kind: 'adaptive' },
              normalize: 'frobenius',
              decompose: (m, nn) => eigenDecompose(m, nn, { method: 'inverse-iteration', threads: 1 }),
            }),
          )
        : undefined;
    const py = options.python === false ? undefined : options.python || 'python3';
    const npDef = py ? timeNumpyEigh(new Map([[n, a]]), Math.max(reps, 2), py, 'default') : undefined;
    const np1 = py ? timeNumpyEigh(new Map([[n, a]]), Math.max(reps, 2), py, 1) : undefined;
    for (const np of [npDef, np1]) if (np) npNotes.add(np.note);
    const tDef = npDef?.seconds?.get(n)?.full;
    const t1 = np1?.seconds?.get(n)?.full;
    const acc =
      n <= (options.accuracyUpTo ?? 2048) && res
        ? accuracy(a, n, res.values, res.vectors as Float64Array, kern)
        : undefined;
    const row: PerfRow = {
      matrix: name,
      n,
      'full (s)': secondsText(full),
      'before: full (s)': before === undefined ? '—' : secondsText(before),
      'projector (s)': secondsText(proj),
      'before: projector (s)': beforeProj === undefined ? '—' : secondsText(beforeProj),
      'projector side': side,
      'numpy eigh, default threads (s)': tDef === undefined ? '—' : secondsText(tDef),
      'numpy eigh, 1 thread (s)': t1 === undefined ? '—' : secondsText(t1),
      'full / numpy (default)': tDef ? (full / tDef).toFixed(2) : '—',
      'projector / numpy (default)': tDef ? (proj / tDef).toFixed(2) : '—',
      '‖AV−VΛ‖/‖A‖': acc ? acc.residual.toExponential(1) : '—',
      'max|VᵀV−I|': acc ? acc.orth.toExponential(1) : '—',
    };
    rows.push(row);
    options.onRow?.(row);
  }
  return [
    {
      title:
        'Symmetric eigendecomposition (float64) on the method’s spectra, @mamba-cl/nullspace vs numpy eigh',
      rows,
      notes: [
        `kernels: ${kernels}; ours on ${defaultThreads()} threads (the default); best of ${repeats} (of ${Math.max(repeats, SMALL_REPEATS)} for n ≤ ${SMALL_N}, numpy of at least 2); 'before' = the solver as it was: inverse-iteration eigenvectors, one thread`,
        'projector = buildProjector (adaptive threshold, η = 0.95, Frobenius normalisation): QL eigenvalues, then eigenvectors of the smaller side only',
        ...(npNotes.size ? npNotes : ['numpy comparison skipped (python: false)']),
        'target: full ≤ 3× numpy eigh with its default threads at n = 2048 (stretch ≤ 2×)',
      ],
    },
  ];
}
