import * as tf from '@tensorflow/tfjs-core';
import { addGram } from '../covariance/gram.js';
import { defaultThreads } from '../eigen/wasm/eigen_pool.js';
import { mulberry32, randn } from '../internal/random.js';
import type { FactoredProjector } from '../projector/build_projector.js';
import { buildProjector } from '../projector/build_projector.js';
import { projectUpdate, projectUpdateFactored } from '../projector/project_update.js';
import { timeNumpyEigh } from './numpy_eigh.js';
import type { PerfReport } from './perf_report.js';

/** Options of {@link runProjectorPerf}. @category Perf */
export interface ProjectorPerfOptions {
  /** Matrix order; default 2048 (the paper model's dInner). */
  readonly n?: number;
  /** Matrices built and timed (the figure is per matrix); default 2. */
  readonly matrices?: number;
  /** Steps timed for the apply cost; default 5. */
  readonly steps?: number;
  /** Blocks of the model (apply cost is one block × this); default 48. */
  readonly blocks?: number;
  /** Python for timing numpy's eigh on the same matrix (a load-independent yardstick), or false; default 'python3'. */
  readonly python?: string | false;
}

/** A covariance-like matrix: XᵀX/rows of mixed features with decaying scales, plus a small floor. */
function covarianceLike(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const rank = Math.min(256, n);
  const rows = 2 * rank;
  const mix = Float32Array.from({ length: rank * n }, () => randn(rng));
  const x = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++)
    for (let p = 0; p < rank; p++) {
      const z = randn(rng) * Math.exp(-p / 40);
      const o = p * n;
      for (let c = 0; c < n; c++) x[r * n + c] += z * mix[o + c];
    }
  const k = new Float64Array(n * n);
  addGram(x, rows, n, k, 1 / rows);
  for (let i = 0; i < n; i++) k[i * n + i] += 1e-4;
  return k;
}

/**
 * Times one paper-model task boundary's projector build and the per-step cost of applying the
 * projections.
 *
 * **Details**
 * Build: `buildProjector` (adaptive threshold, η = 0.95, Frobenius) on covariance-like 2048²
 * matrices, per matrix; the paper model needs 240 projectors per boundary, of which 192 are
 * distinct (W_δ and W_C share theirs), so the boundary costs ≈ 192 × per-matrix (target ≤ 15 min).
 * Apply: one block's five projections on the active tfjs backend — U·P for x_proj_step [48, n],
 * x_proj_B [16, n], x_proj_C [16, n], out_proj [1024, n] and P·U for A_log [n, 16] — timed per
 * step (data read back) and multiplied by the block count.
 *
 * @param options - size, counts
 * @returns three reports (build, apply, covariance accumulation)
 * @example
 * const reports = await runProjectorPerf({ n: 512, matrices: 1 });
 * @category Perf
 */
export async function runProjectorPerf(options: ProjectorPerfOptions = {}): Promise<PerfReport[]> {
  const n = options.n ?? 2048;
  const count = options.matrices ?? 2;
  const steps = options.steps ?? 5;
  const blocks = options.blocks ?? 48;
  const buildRows = [];
  let total = 0;
  let lastP: Float32Array | undefined;
  let lastF: FactoredProjector | undefined;
  let numpyNote = 'numpy comparison skipped (python: false)';
  for (let m = 0; m < count; m++) {
    const cov = covarianceLike(n, 77 + m);
    if (m === 0 && options.python !== false) {
      const np = timeNumpyEigh(new Map([[n, cov]]), 1, options.python || 'python3');
      const e = np.seconds?.get(n);
      numpyNote = e
        ? `yardstick: numpy eigh on matrix 0 took ${e.full.toFixed(2)} s in this run (${np.note}); 192 × that = ${((192 * e.full) / 60).toFixed(1)} min`
        : np.note;
    }
    const t = performance.now();
    const r = buildProjector(cov, n, { eta: 0.95, threshold: { kind: 'adaptive' }, normalize: 'frobenius' });
    const s = (performance.now() - t) / 1000;
    total += s;
    lastP = r.projector;
    lastF = r.factored;
    buildRows.push({
      matrix: m,
      n,
      'i*': r.start,
      'null dim k': r.nullDim,
      side: r.side,
      seconds: s.toFixed(2),
    });
  }
  const per = total / count;
  const boundary = (192 * per) / 60;
  const build: PerfReport = {
    title: `Projector build (eigen + adaptive threshold + P), n = ${n}`,
    rows: buildRows,
    notes: [
      `mean ${per.toFixed(2)} s per matrix → one paper-model task boundary (192 distinct of 240) ≈ ${boundary.toFixed(1)} min, one matrix at a time on ${defaultThreads()} threads (target ≤ 15 min)`,
      'covariance-like matrices: XᵀX/rows of 512 rows of 256 mixed directions with scales exp(−p/40), plus 1e-4·I',
      numpyNote,
    ],
  };
  // apply cost on the active backend
  const P = tf.tensor2d(lastP as Float32Array, [n, n]);
  const Ps = [P, tf.clone(P), tf.clone(P), tf.clone(P), tf.clone(P)] as tf.Tensor2D[];
  const shapes: Array<[number, number, 'right' | 'left']> = [
    [48, n, 'right'],
    [16, n, 'right'],
    [16, n, 'right'],
    [1024, n, 'right'],
    [n, 16, 'left'],
  ];
  const U = shapes.map(([r, c], i) => tf.randomNormal([r, c], 0, 1e-3, 'float32', i) as tf.Tensor2D);
  const f = lastF as FactoredProjector;
  const Bs = shapes.map(() => tf.tensor2d(f.basis, [n, f.cols]));
  const BTs = Bs.map((b) => tf.transpose(b) as tf.Tensor2D);
  const time = async (factored: boolean): Promise<number> => {
    const step = async () => {
      const outs = shapes.map(([, , side], i) =>
        factored
          ? projectUpdateFactored(U[i], { diag: f.diag, coef: f.coef, basis: Bs[i], basisT: BTs[i] }, side)
          : projectUpdate(U[i], Ps[i], side),
      );
      await Promise.all(outs.map((o) => o.data()));
      tf.dispose(outs);
    };
    await step();
    let best = Number.POSITIVE_INFINITY;
    for (let s = 0; s < steps; s++) {
      const t = performance.now();
      await step();
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    return best;
  };
  const best = await time(false);
  const bestF = await time(true);
  tf.dispose([...Ps, ...U, ...Bs, ...BTs]);
  const apply: PerfReport = {
    title: `Applying the projections per training step (backend ${tf.getBackend()})`,
    rows: [
      { scope: 'dense P: one block (5 matMuls)', seconds: best.toFixed(4) },
      { scope: `dense P: ${blocks} blocks`, seconds: (best * blocks).toFixed(3) },
      { scope: `factored P (basis ${f.cols} columns): one block`, seconds: bestF.toFixed(4) },
      { scope: `factored P: ${blocks} blocks`, seconds: (bestF * blocks).toFixed(3) },
    ],
    notes: [
      `per block: x_proj_step [48,${n}]·P, x_proj_B [16,${n}]·P, x_proj_C [16,${n}]·P, out_proj [1024,${n}]·P, P·A_log [${n},16]; best of ${steps}`,
      'factored: U·P = diag·U + coef·(U·B)·Bᵀ with B the smaller-side eigenvectors (same result up to float32 rounding)',
      `dense flops per step ≈ ${((blocks * 2 * n * n * (48 + 16 + 16 + 1024 + 16)) / 1e9).toFixed(0)} GFLOP`,
    ],
  };
  // covariance accumulation: one batch of 2 images × 145 tokens
  const rows = 290;
  const feats = Float32Array.from({ length: rows * n }, (_, i) => Math.sin(i * 0.37) + 0.1);
  const acc = new Float64Array(n * n);
  let bestG = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 2; s++) {
    const t = performance.now();
    addGram(feats, rows, n, acc, 1 / rows);
    bestG = Math.min(bestG, (performance.now() - t) / 1000);
  }
  const gram: PerfReport = {
    title: `Covariance accumulation: addGram (XᵀX/rows in float64), rows = ${rows}, D = ${n}`,
    rows: [
      {
        rows,
        D: n,
        seconds: bestG.toFixed(3),
        'GFLOP/s (rows·D² flops, symmetric half computed)': ((rows * n * n) / bestG / 1e9).toFixed(2),
      },
    ],
    notes: [
      `one paper-model batch (100 images, 14 500 rows) ≈ ${((bestG * 14500) / rows).toFixed(0)} s per matrix at this rate: the trainer should form XᵀX with tfjs matMul and pass it to CovarianceAccumulator.addGram`,
    ],
  };
  return [build, apply, gram];
}
