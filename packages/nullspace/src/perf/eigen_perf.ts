import { eigenDecompose } from '../eigen/symmetric_eigen.js';
import { eigenKernels } from '../eigen/wasm/eigen_wasm.js';
import { mulberry32, randn } from '../internal/random.js';
import { timeNumpyEigh } from './numpy_eigh.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/** Options of {@link runEigenPerf}. @category Perf */
export interface EigenPerfOptions {
  /** Orders to time; default [384, 1024, 2048]. */
  readonly sizes?: readonly number[];
  /** Best of this many runs; default 2. */
  readonly repeats?: number;
  /** Vectors of the one-sided mode (the leading range); default 31 (the usual adaptive i*). */
  readonly oneSided?: number;
  /** Python executable for the numpy comparison, or false to skip it; default 'python3'. */
  readonly python?: string | false;
}

function seconds(f: () => void): number {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
}

/**
 * Times `eigenDecompose` (values only, one-sided, full) beside numpy's `linalg.eigh`.
 *
 * **Details**
 * Random symmetric Gaussian matrices (seeded), the same bytes for both. Our times are wall-clock
 * best-of-N on one thread; numpy is run single-threaded in a child process when python3 with
 * numpy is found (skipped with a note otherwise). Target: ≤ 3× numpy at n = 2048.
 *
 * @param options - sizes, repeats, one-sided width, python
 * @returns one report
 * @example
 * const [report] = await runEigenPerf({ sizes: [384] });
 * @category Perf
 */
export async function runEigenPerf(options: EigenPerfOptions = {}): Promise<PerfReport[]> {
  const sizes = options.sizes ?? [384, 1024, 2048];
  const repeats = options.repeats ?? 2;
  const k = options.oneSided ?? 31;
  const mats = new Map<number, Float64Array>();
  for (const n of sizes) {
    const rng = mulberry32(1000 + n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const v = randn(rng);
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    mats.set(n, a);
  }
  const kernels = eigenKernels() ? 'wasm SIMD128' : 'TypeScript (wasm unavailable)';
  const rows: PerfRow[] = [];
  let npNote = 'numpy comparison skipped (python: false)';
  for (const [n, a] of mats) {
    let values = Number.POSITIVE_INFINITY;
    let one = Number.POSITIVE_INFINITY;
    let full = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) {
      values = Math.min(
        values,
        seconds(() => eigenDecompose(a, n)),
      );
      one = Math.min(
        one,
        seconds(() => eigenDecompose(a, n).vectors(0, Math.min(k, n))),
      );
      full = Math.min(
        full,
        seconds(() => eigenDecompose(a, n).vectors(0, n)),
      );
    }
    // numpy right after ours on the same matrix, so both see about the same machine load
    const np =
      options.python === false
        ? undefined
        : timeNumpyEigh(new Map([[n, a]]), repeats, options.python || 'python3');
    if (np) npNote = np.note;
    const ref = np?.seconds?.get(n);
    rows.push({
      n,
      'values only (s)': values.toFixed(3),
      [`one-sided, ${k} vectors (s)`]: one.toFixed(3),
      'full (s)': full.toFixed(3),
      'numpy eigvalsh (s)': ref ? ref.values.toFixed(3) : '—',
      'numpy eigh (s)': ref ? ref.full.toFixed(3) : '—',
      'one-sided / numpy eigh': ref ? (one / ref.full).toFixed(2) : '—',
      'full / numpy eigh': ref ? (full / ref.full).toFixed(2) : '—',
    });
  }
  const np = { note: npNote };
  return [
    {
      title: 'Symmetric eigendecomposition (float64), @mamba-cl/nullspace vs numpy',
      rows,
      notes: [
        `kernels: ${kernels}; one thread; best of ${repeats}; random symmetric Gaussian matrices (seeded)`,
        np.note,
        'target: ≤ 3× numpy eigh at n = 2048 (the projector uses the one-sided mode)',
      ],
    },
  ];
}
