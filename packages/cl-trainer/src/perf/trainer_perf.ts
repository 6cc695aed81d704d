/**
 * Performance of the trainer: step time with and without the null-space projection, and the cost
 * of a Mamba-CL task boundary (feature collection + projectors), measured on a small backbone and
 * extrapolated to the paper model.
 *
 * @module
 */
import { addGram, buildProjector } from '@mamba-cl/nullspace';
import {
  type BackendName,
  formatBackendChoice,
  MODEL_PRESETS,
  selectBackend,
  VisionMamba,
  type VisionMambaConfig,
} from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRng } from '../rng/seeded_rng.js';
import { createStrategy } from '../strategies/builtin_strategies.js';
import { batchGrams } from '../strategies/feature_grams.js';
import { inMemoryStream } from '../stream/in_memory_stream.js';
import { ContinualTrainer } from '../trainer/continual_trainer.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/**
 * Options of {@link runTrainerPerf}.
 *
 * @category Perf
 */
export interface TrainerPerfOptions {
  /** Backend; default `'wasm'`. */
  readonly backend?: BackendName;
  /** Backbone; default the `tiny` preset (28×28×1, dModel 64, dInner 128, depth 4). */
  readonly config?: VisionMambaConfig;
  /** Training batch size; default 32. */
  readonly batch?: number;
  /** Timed steps per strategy (task 1, after the boundary); default 8. */
  readonly steps?: number;
  /** Images per task (also the feature-collection set); default 64. */
  readonly imagesPerTask?: number;
  /** Also time the paper-scale pieces (one 2048² projector, Grams at D = 2048, L = 145); default false. */
  readonly paperScale?: boolean;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

function syntheticTaskData(config: VisionMambaConfig, classes: number[], n: number, seed: number) {
  const per = config.imgSize * config.imgSize * config.inChans;
  const rng = SeededRng.derive(seed, 'perf', classes.join(','));
  const images = new Float32Array(n * per);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform(-1, 1);
  const labels = Int32Array.from({ length: n }, (_, i) => classes[i % classes.length]);
  return { images, labels };
}

async function measure(
  strategyId: 'mamba-cl' | 'finetune',
  o: Required<Omit<TrainerPerfOptions, 'log' | 'backend' | 'paperScale'>>,
  log: (l: string) => void,
): Promise<{
  stepMs: number[];
  boundarySec: number;
  collectSec: number;
  imagesPerSec: number;
  projectMs: number[];
}> {
  const backbone = VisionMamba.create(o.config, { seed: 1 });
  const tasks = [0, 1].map((t) => ({
    classes: [2 * t, 2 * t + 1],
    train: syntheticTaskData(o.config, [2 * t, 2 * t + 1], o.imagesPerTask, t),
    val: syntheticTaskData(o.config, [2 * t, 2 * t + 1], 8, 10 + t),
  }));
  const stream = inMemoryStream({
    tasks,
    imageShape: [o.config.imgSize, o.config.imgSize, o.config.inChans],
    batchSize: o.batch,
    evalBatchSize: 100,
  });
  const strategy = createStrategy(strategyId);
  const stepsPerEpoch = Math.ceil(o.imagesPerTask / o.batch);
  const trainer = new ContinualTrainer({
    backbone,
    strategy,
    stream,
    config: { epochs: Math.max(1, Math.ceil(o.steps / Math.max(1, stepsPerEpoch - 1))), lr: 1e-4, seed: 1 },
  });
  const stepMs: number[] = [];
  let boundarySec = 0;
  let collectSec = 0;
  let last = performance.now();
  let prevStep = -1;
  trainer.on((e) => {
    const now = performance.now();
    // Time between consecutive steps of one epoch of task 1 (the first step of an epoch is skipped).
    if (e.type === 'step' && e.task === 1 && stepMs.length < o.steps && prevStep === e.step - 1)
      stepMs.push(now - last);
    if (e.type === 'step') prevStep = e.step;
    if (e.type === 'epoch-start') prevStep = -2;
    if (e.type === 'boundary' && e.task === 0) {
      if (e.phase === 'features') collectSec = e.seconds;
      boundarySec = e.seconds;
    }
    if (e.type === 'task-end') log(`  ${strategyId}: task ${e.task} done in ${e.seconds.toFixed(1)} s`);
    last = performance.now();
  });
  await trainer.run();
  // The projection alone: transform a random update of every trainable backbone tensor, as one
  // optimizer step does (projectors of task 0 are still held after the last task).
  const projectMs: number[] = [];
  if (strategy.transformUpdate) {
    const names = backbone.trainableNames();
    const updates = names.map((n) => tf.randomNormal((backbone.parameters.get(n) as tf.Variable).shape));
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < names.length; i++) {
        const out = tf.tidy(
          () => strategy.transformUpdate?.(names[i], updates[i], trainer.context(1)) as tf.Tensor,
        );
        await out.data(); // not dataSync: webgpu under Node has no synchronous read-back
        if (out !== updates[i]) out.dispose();
      }
      projectMs.push(performance.now() - t0);
    }
    tf.dispose(updates);
  }
  trainer.dispose();
  strategy.dispose();
  backbone.dispose();
  const best = Math.min(...stepMs);
  return { stepMs, boundarySec, collectSec, imagesPerSec: (o.batch / best) * 1000, projectMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Measures the projection overhead per training step and the cost of a task boundary.
 *
 * **Details**
 * Runs two tasks of a synthetic stream with `finetune` and with `mamba-cl` on the same backbone and
 * batch, and times the steps of task 1 (where Mamba-CL projects every update: 5 matrix products
 * with D×D projectors per block). The task boundary (forward with taps over the task's images,
 * the five Grams per block, accumulation, one eigendecomposition per distinct covariance) is timed
 * from the strategy's `boundary` events. With `paperScale`, one D = 2048 projector
 * (`buildProjector`) and the per-image Grams at L = 145, D = 2048 are timed, and the paper-model
 * boundary is extrapolated: 48 blocks × (4 eigendecompositions: W_δ and W_C share one) and
 * 5000 images × 48 blocks × (3 row Grams + 1 W_B Gram); the forward pass itself is not included.
 *
 * @param options - backend, backbone, batch, steps, paperScale
 * @returns the step table and the boundary table
 * @example
 * const reports = await runTrainerPerf({ steps: 8, paperScale: true });
 * @category Perf
 */
export async function runTrainerPerf(options: TrainerPerfOptions = {}): Promise<PerfReport[]> {
  const backend = options.backend ?? 'wasm';
  const choice = await selectBackend(backend);
  const log = options.log ?? (() => {});
  const o = {
    config: options.config ?? MODEL_PRESETS.tiny,
    batch: options.batch ?? 32,
    steps: options.steps ?? 8,
    imagesPerTask: options.imagesPerTask ?? 64,
  };
  log(
    `backend ${formatBackendChoice(choice)}; backbone dModel ${o.config.dModel}, dInner ${o.config.dInner}, depth ${o.config.depth}`,
  );
  log('warm-up run (discarded) ...');
  await measure('finetune', { ...o, steps: 1 }, () => {});
  const ft = await measure('finetune', o, log);
  const mc = await measure('mamba-cl', o, log);
  const stepRows: PerfRow[] = [
    {
      strategy: 'finetune',
      'median ms/step': median(ft.stepMs).toFixed(1),
      'best ms/step': Math.min(...ft.stepMs).toFixed(1),
      'images/s (best)': ft.imagesPerSec.toFixed(1),
    },
    {
      strategy: 'mamba-cl',
      'median ms/step': median(mc.stepMs).toFixed(1),
      'best ms/step': Math.min(...mc.stepMs).toFixed(1),
      'images/s (best)': mc.imagesPerSec.toFixed(1),
    },
  ];
  const overhead = median(mc.stepMs) / median(ft.stepMs) - 1;
  const overheadBest = Math.min(...mc.stepMs) / Math.min(...ft.stepMs) - 1;
  const reports: PerfReport[] = [
    {
      title: `cl-trainer: training step, ${o.config.imgSize}px dModel ${o.config.dModel} dInner ${o.config.dInner} depth ${o.config.depth}, batch ${o.batch} (${backend})`,
      rows: stepRows,
      notes: [
        ...(choice.adapter ? [`Backend ${formatBackendChoice(choice)}.`] : []),
        `projection alone (all ${o.config.depth * 5} projected tensors of one step, best of 5): ${Math.min(...mc.projectMs).toFixed(1)} ms = ${((100 * Math.min(...mc.projectMs)) / Math.min(...ft.stepMs)).toFixed(1)} % of the best finetune step`,
        `projection overhead: median ${(overhead * 100).toFixed(1)} %, best ${(overheadBest * 100).toFixed(1)} % (task 1, ${o.steps} steps each, projectors of task 0 active)`,
        'mamba-cl projects 5 tensors per block: 4 right products U·P ([out,D]×[D,D]) and 1 left product P·U ([D,D]×[D,N])',
      ],
    },
  ];
  const boundaryRows: PerfRow[] = [
    {
      model: `dInner ${o.config.dInner}, depth ${o.config.depth}, ${o.imagesPerTask} images`,
      'features s': mc.collectSec.toFixed(2),
      'projectors s': (mc.boundarySec - mc.collectSec).toFixed(2),
      'boundary s': mc.boundarySec.toFixed(2),
    },
  ];
  const notes: string[] = [];
  if (options.paperScale) {
    const D = 2048;
    const L = 145;
    log('paper scale: one 2048×2048 projector ...');
    const rng = SeededRng.derive(7, 'paper');
    // A full-rank PSD matrix with a decaying spectrum: XᵀX / rows from 3000 scaled random rows
    // (a rank-deficient matrix would put a huge cluster of zero eigenvalues in the eigensolver's way).
    const rows = 3000;
    const X = tf.tidy(() => tf.mul(tf.randomNormal([rows, D], 0, 1, 'float32', 3), tf.linspace(1, 0.01, D)));
    const cov = new Float64Array(D * D);
    addGram((await X.data()) as Float32Array, rows, D, cov, 1 / rows);
    X.dispose();
    let t0 = performance.now();
    buildProjector(cov, D, {
      eta: 0.95,
      threshold: { kind: 'adaptive' },
      normalize: 'frobenius',
      dense: false,
    });
    const projSec = (performance.now() - t0) / 1000;
    log(`  projector ${projSec.toFixed(1)} s; Grams for one image at L=145, D=2048 ...`);
    const mk = () => {
      const d = new Float32Array(L * D);
      for (let i = 0; i < d.length; i++) d[i] = rng.uniform(0, 1);
      return tf.tensor3d(d, [1, L, D]);
    };
    const tap = { x: mk(), delta: mk(), y: mk() };
    t0 = performance.now();
    batchGrams(tap, ['x', 'A', 'out'], 1);
    const rowSec = (performance.now() - t0) / 1000;
    t0 = performance.now();
    batchGrams(tap, ['B'], 1, 'lowrank');
    const bSec = (performance.now() - t0) / 1000;
    t0 = performance.now();
    batchGrams(tap, ['B'], 1, 'explicit');
    const bExplicitSec = (performance.now() - t0) / 1000;
    tf.dispose([tap.x, tap.delta, tap.y]);
    const projTotal = 48 * 4 * projSec;
    const gramTotal = 5000 * 48 * (rowSec + bSec);
    boundaryRows.push({
      model: 'paper (D 2048, depth 48, 5000 images), extrapolated',
      'features s': `${gramTotal.toFixed(0)} (Grams only)`,
      'projectors s': projTotal.toFixed(0),
      'boundary s': (gramTotal + projTotal).toFixed(0),
    });
    notes.push(
      `measured at paper scale: buildProjector(2048) ${projSec.toFixed(2)} s; Grams of one image at L=145, D=2048: x+A+out ${rowSec.toFixed(3)} s, W_B low-rank (default, X_iᵀ(Δ_iΔ_iᵀ)X_i) ${bSec.toFixed(3)} s, W_B explicit (M_iᵀM_i, 2·D³ flops, as the official code) ${bExplicitSec.toFixed(3)} s`,
      `extrapolation: 48 blocks × 4 distinct covariances × projector time; 5000 images × 48 blocks × per-image Gram time (low-rank W_B; with the explicit W_B the features would take ${(5000 * 48 * (rowSec + bExplicitSec)).toFixed(0)} s); the tapped forward pass is excluded`,
    );
  }
  reports.push({ title: `cl-trainer: Mamba-CL task boundary (${backend})`, rows: boundaryRows, notes });
  return reports;
}
