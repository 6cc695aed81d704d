/**
 * The GPU check of issue 17, item 4: the figures a lent GPU is asked for, from one program.
 *
 * Phases (`--phases`, comma-separated, run in this order):
 * - `tiny`: the `tiny` training step (forward + backward + Adam, the official trainable set + a
 *   10-class head, softmax cross-entropy: what `runStepPerf` measures) at each `--tiny-batch`;
 * - `scan`: the selective scan alone (implementation `--scan`, default `auto`) at the large
 *   model's shape [step batch, 145, 2048, 16], forward and forward + backward;
 * - `large-forward`: `defocus-mamba-large` (random seeded weights, depth `--depth`) forward to
 *   the CLS features at `--forward-batch`;
 * - `large-step`: its training step at `--step-batch`;
 * - `scan-perf`: ssm-core's `runWebGpuScanPerf` (the WGSL fused scan beside the chunked tfjs-op
 *   scan at the tiny step's and the large block's shapes; its report rows in one JSON line);
 * - `wasm`: the `tiny` step on the wasm backend (one thread, this machine's CPU), the CPU
 *   figure the GPU's tiny step is compared with.
 * `--phases none` only activates the backend and prints the adapter.
 *
 * Every phase prints one JSON line (`"kind": "mamba-cl-gpu-check-phase"`) to stdout as it ends, so a
 * run killed by a timeout keeps what it finished; the last line (`"kind": "mamba-cl-gpu-check"`)
 * holds the adapter and all phases. Progress goes to stderr. Exit status: 0 when every phase ran,
 * 1 when one failed (its error is in the JSON), 2 for bad arguments, 3 when the WebGPU adapter is
 * software or missing and `--allow-software` was not given.
 *
 * Timing waits for the device each step (`await loss.data()`; `dataSync` is not available on
 * tfjs-backend-webgpu in Node). Bundled by `prepare.sh` into `.gpu-check/`; see README.md here.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendChoice, formatAdapter, selectBackend } from '../../packages/ssm-core/src/backend.js';
import {
  MODEL_PRESETS,
  resolveScanImpl,
  SCAN_IMPLEMENTATIONS,
  SeededRandom,
  selectiveScan,
  VisionMamba,
  type VisionMambaConfig,
} from '../../packages/ssm-core/src/index.js';
import { createClassifierStep, runWebGpuScanPerf } from '../../packages/ssm-core/src/perf.js';
import { mean, median, type TimedLoopResult, timedLoop } from './timed_loop.js';

const PHASES = ['tiny', 'scan', 'large-forward', 'large-step', 'scan-perf', 'wasm'] as const;
type Phase = (typeof PHASES)[number];
/** Share of `--budget-s` each phase's timed steps get (renormalised over the phases run). */
const PHASE_WEIGHT: Record<Phase, number> = {
  tiny: 2,
  scan: 1,
  'large-forward': 3,
  'large-step': 4,
  'scan-perf': 1,
  wasm: 1,
};

const USAGE = `node check.mjs [--phases tiny,scan,large-forward,large-step,scan-perf,wasm | none] [--backend webgpu]
  [--allow-software] [--tiny-batch 64,512] [--depth 48] [--forward-batch 32] [--step-batch 16]
  [--scan auto] [--budget-s 200] [--max-steps 50] [--warmup 2] [--tf-flag NAME=VALUE ...]
  [--scan-perf-shapes b,L,D,N;b,L,D,N]`;

const { values: args } = parseArgs({
  options: {
    phases: { type: 'string', default: 'tiny,scan,large-forward,large-step' },
    backend: { type: 'string', default: 'webgpu' },
    'allow-software': { type: 'boolean', default: false },
    'tiny-batch': { type: 'string', default: '64,512' },
    depth: { type: 'string', default: '48' },
    'forward-batch': { type: 'string', default: '32' },
    'step-batch': { type: 'string', default: '16' },
    scan: { type: 'string', default: 'auto' },
    'budget-s': { type: 'string', default: '200' },
    'max-steps': { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    'tf-flag': { type: 'string', multiple: true, default: [] },
    'scan-perf-shapes': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`gpu-check: ${message}\nusage: ${USAGE}`);
  process.exit(2);
}
function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} is "${text}", expected a positive integer`);
  return n;
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
// `none`: only activate the backend and print the adapter (device_run.sh's probe)
const phases = (args.phases === 'none' ? [] : args.phases.split(',').map((p) => p.trim())) as Phase[];
for (const p of phases) if (!PHASES.includes(p)) fail(`unknown phase "${p}" (known: ${PHASES.join(', ')})`);
const tinyBatches = args['tiny-batch'].split(',').map((b) => positiveInt('tiny-batch', b));
const depth = positiveInt('depth', args.depth);
const forwardBatch = positiveInt('forward-batch', args['forward-batch']);
const stepBatch = positiveInt('step-batch', args['step-batch']);
const budgetS = Number(args['budget-s']);
if (!(budgetS > 0)) fail(`--budget-s is "${args['budget-s']}", expected a positive number`);
const maxSteps = positiveInt('max-steps', args['max-steps']);
const warmup = positiveInt('warmup', args.warmup);
const scanImpl = args.scan as 'auto';
const log = (line: string): void =>
  console.error(`[gpu-check ${((performance.now() - t00) / 1000).toFixed(1)} s] ${line}`);
const t00 = performance.now();
const weightSum = phases.reduce((s, p) => s + PHASE_WEIGHT[p] * (p === 'tiny' ? tinyBatches.length : 1), 0);
const phaseBudgetMs = (p: Phase): number => (budgetS * 1000 * PHASE_WEIGHT[p]) / weightSum;

/** One phase's figures (one JSON line). */
interface PhaseResult {
  kind: 'mamba-cl-gpu-check-phase';
  phase: Phase | 'scan-forward' | 'scan-forward-backward';
  backend: string;
  batch: number;
  depth: number;
  dModel: number;
  dInner: number;
  tokens: number;
  scanImpl: string;
  buildS?: number;
  warmupMs: number[];
  timedSteps: number;
  msMean: number;
  msMedian: number;
  msBest: number;
  imagesPerS: number;
  imagesPerSBest: number;
  numTensorsAfterWarmup: number;
  numTensorsAfter: number;
  bytesAllocated: number;
  error?: string;
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const results: PhaseResult[] = [];
const errors: Array<{ phase: string; error: string }> = [];

function emit(r: PhaseResult): void {
  results.push(r);
  console.log(JSON.stringify(r));
}

function summarize(
  phase: PhaseResult['phase'],
  config: VisionMambaConfig,
  batch: number,
  loop: TimedLoopResult,
  tensors: { afterWarmup: number; after: number },
  extra: Partial<PhaseResult> = {},
): PhaseResult {
  const m = mean(loop.timesMs);
  const best = Math.min(...loop.timesMs);
  return {
    kind: 'mamba-cl-gpu-check-phase',
    phase,
    backend: tf.getBackend(),
    batch,
    depth: config.depth,
    dModel: config.dModel,
    dInner: config.dInner,
    tokens: (config.imgSize / config.patchSize) ** 2 + 1,
    scanImpl: resolveScanImpl(scanImpl).name,
    warmupMs: loop.warmupMs.map((t) => round(t)),
    timedSteps: loop.timesMs.length,
    msMean: round(m, 2),
    msMedian: round(median(loop.timesMs), 2),
    msBest: round(best, 2),
    imagesPerS: round((batch * 1000) / m),
    imagesPerSBest: round((batch * 1000) / best),
    numTensorsAfterWarmup: tensors.afterWarmup,
    numTensorsAfter: tensors.after,
    bytesAllocated: tf.memory().numBytes,
    ...extra,
  };
}

let choice: BackendChoice | undefined;
async function useBackend(name: string): Promise<BackendChoice> {
  const c = await selectBackend(name);
  if (name === args.backend) choice = c;
  return c;
}

function randomImages(config: VisionMambaConfig, batch: number, seed: number): tf.Tensor4D {
  const { imgSize, inChans } = config;
  return tf.tensor4d(new SeededRandom(seed).normalArray(batch * imgSize * imgSize * inChans), [
    batch,
    imgSize,
    imgSize,
    inChans,
  ]);
}

/** A training step of `model` + a linear head, as `runStepPerf` runs it (Adam 1e-4, cross-entropy). */
async function trainingStep(
  phase: Phase,
  model: VisionMamba,
  batch: number,
  budgetMs: number,
): Promise<PhaseResult> {
  const config = model.config;
  const { step, dispose } = createClassifierStep(model, batch, { images: randomImages(config, batch, 3) });
  let afterWarmup = 0;
  const loop = await timedLoop(
    async () => {
      await step();
      afterWarmup ||= tf.memory().numTensors;
    },
    { warmup, maxSteps, minSteps: 1, budgetMs, log, name: `${phase} batch ${batch}` },
  );
  const after = tf.memory().numTensors;
  const result = summarize(phase, config, batch, loop, { afterWarmup, after });
  dispose();
  return result;
}

async function forwardPass(
  model: VisionMamba,
  batch: number,
  budgetMs: number,
  buildS: number,
): Promise<PhaseResult> {
  const images = randomImages(model.config, batch, 1);
  let afterWarmup = 0;
  const loop = await timedLoop(
    async () => {
      const f = model.forward(images);
      await f.data();
      f.dispose();
      afterWarmup ||= tf.memory().numTensors;
    },
    { warmup, maxSteps, minSteps: 1, budgetMs, log, name: `large-forward batch ${batch}` },
  );
  const result = summarize(
    'large-forward',
    model.config,
    batch,
    loop,
    {
      afterWarmup,
      after: tf.memory().numTensors,
    },
    { buildS: round(buildS, 2) },
  );
  images.dispose();
  return result;
}

/** The scan alone at the large model's shape, forward and forward + backward. */
async function scanAlone(budgetMs: number): Promise<void> {
  const c = { ...MODEL_PRESETS['defocus-mamba-large'], depth };
  const L = (c.imgSize / c.patchSize) ** 2 + 1;
  const [b, d, n] = [stepBatch, c.dInner, c.dState];
  const rng = new SeededRandom(5);
  const x = tf.tensor3d(rng.normalArray(b * L * d), [b, L, d]);
  const delta = tf.tensor3d(rng.uniformArray(b * L * d, 0.001, 0.1), [b, L, d]);
  const A = tf.neg(tf.tensor2d(rng.uniformArray(d * n, 0.5, 16), [d, n])) as tf.Tensor2D;
  const B = tf.tensor3d(rng.normalArray(b * L * n), [b, L, n]);
  const C = tf.tensor3d(rng.normalArray(b * L * n), [b, L, n]);
  const dy = tf.tensor3d(rng.normalArray(b * L * d), [b, L, d]);
  const grad = tf.grads((xx: tf.Tensor, dd: tf.Tensor, aa: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) =>
    tf.sum(
      tf.mul(
        selectiveScan(
          {
            x: xx as tf.Tensor3D,
            delta: dd as tf.Tensor3D,
            A: aa as tf.Tensor2D,
            B: bb as tf.Tensor3D,
            C: cc as tf.Tensor3D,
          },
          { impl: scanImpl },
        ),
        dy,
      ),
    ),
  );
  const passes: Array<['scan-forward' | 'scan-forward-backward', () => Promise<void>]> = [
    [
      'scan-forward',
      async () => {
        const y = selectiveScan({ x, delta, A, B, C }, { impl: scanImpl });
        await y.data();
        y.dispose();
      },
    ],
    [
      'scan-forward-backward',
      async () => {
        const gs = grad([x, delta, A, B, C]);
        await Promise.all(gs.map((g) => g.data()));
        tf.dispose(gs);
      },
    ],
  ];
  for (const [name, fn] of passes) {
    let afterWarmup = 0;
    const loop = await timedLoop(
      async () => {
        await fn();
        afterWarmup ||= tf.memory().numTensors;
      },
      { warmup, maxSteps, minSteps: 1, budgetMs: budgetMs / 2, log, name: `${name} [${b},${L},${d},${n}]` },
    );
    emit(summarize(name, c, b, loop, { afterWarmup, after: tf.memory().numTensors }));
  }
  tf.dispose([x, delta, A, B, C, dy]);
}

let large: { model: VisionMamba; buildS: number } | undefined;
function largeModel(): { model: VisionMamba; buildS: number } {
  if (large === undefined) {
    const t0 = performance.now();
    const model = VisionMamba.create('defocus-mamba-large', { seed: 0, overrides: { depth }, scanImpl });
    large = { model, buildS: (performance.now() - t0) / 1000 };
    log(`built defocus-mamba-large at depth ${depth} in ${large.buildS.toFixed(1)} s`);
  }
  return large;
}

async function runPhase(p: Phase): Promise<void> {
  if (p === 'wasm') {
    large?.model.dispose();
    large = undefined;
    await useBackend('wasm');
    const model = VisionMamba.create('tiny', { seed: 1 });
    emit(await trainingStep('wasm', model, 64, phaseBudgetMs(p)));
    model.dispose();
    return;
  }
  if (tf.getBackend() !== choice?.tfjsName) await useBackend(args.backend);
  if (p === 'tiny') {
    for (const batch of tinyBatches) {
      const model = VisionMamba.create('tiny', { seed: 1, scanImpl });
      emit(await trainingStep('tiny', model, batch, phaseBudgetMs(p)));
      model.dispose();
    }
  } else if (p === 'scan') {
    await scanAlone(phaseBudgetMs(p));
  } else if (p === 'scan-perf') {
    // shapes × 2 implementations × 2 passes, each cell's repetitions within its share
    const shapes = args['scan-perf-shapes']
      ?.split(';')
      .map(
        (t) =>
          t.split(',').map((v) => positiveInt('scan-perf-shapes', v)) as [number, number, number, number],
      );
    const [report] = await runWebGpuScanPerf({
      budgetMs: phaseBudgetMs(p) / (4 * (shapes?.length ?? 2)),
      maxReps: 5,
      log,
      ...(shapes ? { shapes } : {}),
    });
    const row = { kind: 'mamba-cl-gpu-check-phase', phase: 'scan-perf', backend: tf.getBackend(), ...report };
    console.log(JSON.stringify(row));
  } else if (p === 'large-forward') {
    const { model, buildS } = largeModel();
    emit(await forwardPass(model, forwardBatch, phaseBudgetMs(p), buildS));
  } else {
    const { model, buildS } = largeModel();
    emit({
      ...(await trainingStep('large-step', model, stepBatch, phaseBudgetMs(p))),
      buildS: round(buildS, 2),
    });
  }
}

for (const flag of args['tf-flag']) {
  const [name, value] = flag.split('=');
  if (name === undefined || value === undefined) fail(`--tf-flag "${flag}" is not NAME=VALUE`);
  tf.env().set(
    name,
    value === 'true' ? true : value === 'false' ? false : Number.isNaN(Number(value)) ? value : Number(value),
  );
}

let status = 0;
try {
  await useBackend(args.backend);
} catch (err) {
  const error = err instanceof Error ? err.message : String(err);
  console.log(JSON.stringify({ kind: 'mamba-cl-gpu-check', backend: args.backend, error, phases: [] }));
  console.error(`gpu-check: backend ${args.backend} could not be activated: ${error}`);
  process.exit(3);
}
const adapter = choice?.adapter;
log(
  `backend ${choice?.name}${adapter ? ` on ${formatAdapter(adapter)}` : ''}; scan ${resolveScanImpl(scanImpl).name}`,
);
if (adapter?.software === true && !args['allow-software']) {
  console.log(
    JSON.stringify({
      kind: 'mamba-cl-gpu-check',
      backend: choice?.name,
      adapter,
      error: 'software adapter',
      phases: [],
    }),
  );
  console.error(
    `gpu-check: the WebGPU adapter is software (${formatAdapter(adapter)}); pass --allow-software for a dry run`,
  );
  process.exit(3);
}
for (const p of phases) {
  try {
    await runPhase(p);
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log(`phase ${p} failed: ${error}`);
    errors.push({ phase: p, error });
    status = 1;
  }
}
large?.model.dispose();
console.log(
  JSON.stringify({
    kind: 'mamba-cl-gpu-check',
    version: 1,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '',
    backend: choice?.name,
    adapter,
    scanImpls: SCAN_IMPLEMENTATIONS.map((s) => s.name),
    scanImpl: resolveScanImpl(scanImpl, choice?.tfjsName).name,
    tfFlags: args['tf-flag'],
    args,
    totalS: round((performance.now() - t00) / 1000, 1),
    phases: results,
    errors,
  }),
);
process.exit(status);
