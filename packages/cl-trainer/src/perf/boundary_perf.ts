/**
 * Performance of one Mamba-CL task boundary at the paper model's width (dModel 1024, dInner 2048,
 * 145 tokens) with reduced depth and image count: time and peak RSS of feature collection, Gram
 * accumulation and eigh + threshold + projectors; the throughput of the Gram products beside the
 * linear layers'; and an extrapolation to 48 blocks and 5,000 images.
 *
 * @module
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackendName, MODEL_PRESETS, matMulNT, selectBackend, VisionMamba } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, BackboneTap } from '../backbone/backbone.js';
import { SeededRng } from '../rng/seeded_rng.js';
import { batchGrams, type GramKernel, type GramSource } from '../strategies/feature_grams.js';
import { createMambaClStrategy } from '../strategies/mamba_cl.js';
import type { StrategyContext } from '../strategy/strategy.js';
import { inMemoryStream } from '../stream/in_memory_stream.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/**
 * Options of {@link runBoundaryPerf}.
 *
 * @category Perf
 */
export interface BoundaryPerfOptions {
  /** Backend; default `'wasm'`. */
  readonly backend?: BackendName;
  /** Number of blocks of the `defocus-mamba-large` width; default 2. */
  readonly depth?: number;
  /** Images of the task (all collected); default 20. */
  readonly images?: number;
  /** Feature batch size; default min(images, 100) (official 100). */
  readonly batch?: number;
  /** Gram products (`mamba-cl` option `gramKernel`); default `'exact'`. */
  readonly gramKernel?: GramKernel;
  /** `mamba-cl` option `store`; `'disk'` uses a fresh temporary folder (removed after); default `'memory'`. */
  readonly store?: 'memory' | 'disk';
  /**
   * `'per-block'` (default): the strategy's block-by-block collection; `'all-blocks'`: the path
   * before it, every block's taps of a feature batch held at once (`forwardWithTaps`), for comparison.
   */
  readonly collect?: 'per-block' | 'all-blocks';
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/**
 * What one boundary run measured (one process, one depth).
 *
 * @category Perf
 */
export interface BoundaryPerfResult {
  readonly backend: string;
  readonly depth: number;
  readonly images: number;
  readonly batch: number;
  readonly gramKernel: GramKernel;
  readonly store: 'memory' | 'disk';
  readonly collect: 'per-block' | 'all-blocks';
  /** Tapped forward passes, without the Gram work done inside the visitor. */
  readonly collectSeconds: number;
  /** Gram products and accumulation (inside the visitor). */
  readonly gramSeconds: number;
  /** eigh + threshold + projector tensors of every projected parameter. */
  readonly projectorSeconds: number;
  /** RSS (bytes) after creating the model and the data, before the boundary. */
  readonly rssStart: number;
  /** Highest RSS sampled during collection (each block's taps alive, and after its Grams). */
  readonly rssPeakCollect: number;
  /** Highest RSS sampled while the projectors were built. */
  readonly rssPeakProjectors: number;
  /** The process's peak RSS (`resourceUsage().maxRSS`) at the end. */
  readonly maxRss: number;
  /** Bytes of one block's taps x, Δ, y at this batch (3·b·L·dInner·4). */
  readonly tapBytesPerBlock: number;
  /** Bytes of one float64 D×D matrix per distinct covariance of a block (4: x, B, A, out). */
  readonly covarianceBytesPerBlock: number;
  /** Tensor bytes (`tf.memory().numBytes`: parameters) before the boundary. */
  readonly tensorBytesStart: number;
  /** Tensor bytes after the boundary (parameters + projector tensors). */
  readonly tensorBytesEnd: number;
}

const PAPER = MODEL_PRESETS['defocus-mamba-large'];

function syntheticImages(n: number, seed: number): Float32Array {
  const rng = SeededRng.derive(seed, 'boundary-perf');
  const per = PAPER.imgSize * PAPER.imgSize * PAPER.inChans;
  const images = new Float32Array(n * per);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform(-1, 1);
  return images;
}

const rss = (): number => process.memoryUsage().rss;
/** A full GC where the process runs with `--expose-gc`, so sampled RSS is live memory, not GC lag. */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * Runs one `mamba-cl` task boundary (the strategy's own `afterTask`: block-by-block collection,
 * Grams, eigh + adaptive threshold + projectors) on a `defocus-mamba-large`-width model with
 * `depth` blocks and `images` synthetic images, timing and sampling RSS per part.
 *
 * **Details**
 * The collection time is the tapped forward passes; the Gram time is what the strategy spends in
 * the tap visitor (the five Grams of each block, as four distinct products, and their
 * accumulation); the projector time is from the end of collection to the end of the boundary. RSS
 * is sampled when each block's taps arrive, after its Grams and after each projector; with
 * `--expose-gc` a full GC follows each sample (the time it takes is outside the Gram time but inside
 * the collection or projector time), so the samples and the peak RSS are live memory rather than
 * garbage not yet collected. Run one configuration per process: RSS never shrinks much (the wasm
 * heap does not).
 *
 * @param options - backend, depth, images, batch, Gram kernel
 * @returns the figures
 * @example
 * const r = await runBoundaryPerf({ depth: 4, images: 20 });
 * @category Perf
 */
export async function runBoundaryPerf(options: BoundaryPerfOptions = {}): Promise<BoundaryPerfResult> {
  const log = options.log ?? (() => {});
  const depth = options.depth ?? 2;
  const n = options.images ?? 20;
  const batch = options.batch ?? Math.min(n, 100);
  const gramKernel = options.gramKernel ?? 'exact';
  const backend = (await selectBackend(options.backend ?? 'wasm')).name;
  const config = { ...PAPER, depth };
  const model = VisionMamba.create(config, { seed: 1 });
  const L = model.seqLen;
  const D = config.dInner;
  const train = { images: syntheticImages(n, 1), labels: Int32Array.from({ length: n }, (_, i) => i % 2) };
  const train1 = { images: train.images, labels: train.labels.map((c) => c + 2) };
  const stream = inMemoryStream({
    tasks: [
      { classes: [0, 1], train, val: train },
      { classes: [2, 3], train: train1, val: train1 },
    ],
    imageShape: [config.imgSize, config.imgSize, config.inChans],
    batchSize: batch,
    evalBatchSize: batch,
  });
  const store = options.store ?? 'memory';
  const collect = options.collect ?? 'per-block';
  const storeDir = store === 'disk' ? mkdtempSync(join(tmpdir(), 'mamba-cl-boundary-')) : '';
  const strategy = createMambaClStrategy({ gramKernel, store, storeDir });
  let gramSeconds = 0;
  let rssPeakCollect = 0;
  let rssPeakProjectors = 0;
  // The model, with the time and memory of the strategy's visitor recorded around each block.
  const timed: Backbone = {
    config: model.config,
    parameters: model.parameters,
    forward: (images) => model.forward(images),
    forwardWithTaps: (images) => model.forwardWithTaps(images),
    trainableNames: () => model.trainableNames(),
    forwardWithTapVisitor: (images: tf.Tensor4D, visit: (block: number, tap: BackboneTap) => void) => {
      const timedVisit = (block: number, tap: BackboneTap): void => {
        rssPeakCollect = Math.max(rssPeakCollect, rss());
        const t0 = performance.now();
        visit(block, tap);
        gramSeconds += (performance.now() - t0) / 1000;
        rssPeakCollect = Math.max(rssPeakCollect, rss());
        collectGarbage();
        log(`  batch block ${block}: grams done, rss ${(rss() / 2 ** 20).toFixed(0)} MiB`);
      };
      if (collect === 'per-block') return model.forwardWithTapVisitor(images, timedVisit);
      // The path before block-by-block collection: every block's taps of the batch held at once.
      const { features, taps } = model.forwardWithTaps(images);
      try {
        for (const [block, tap] of taps.entries()) timedVisit(block, tap);
      } finally {
        for (const t of taps) tf.dispose([t.x, t.delta, t.y]);
      }
      return features;
    },
  };
  const rssStart = rss();
  const tensorBytesStart = tf.memory().numBytes;
  let featuresEnd = 0;
  let end = 0;
  const ctx: StrategyContext = {
    backbone: timed,
    heads: undefined as never,
    stream,
    task: 0,
    numTasks: 2,
    trainableNames: model.trainableNames(),
    seed: 0,
    emit: (e) => {
      if (e.type !== 'boundary') return;
      if (e.phase === 'features') featuresEnd = e.seconds;
      else {
        rssPeakProjectors = Math.max(rssPeakProjectors, rss());
        collectGarbage();
        end = e.seconds;
        log(`  projector ${e.done}/${e.total} at ${e.seconds.toFixed(1)} s`);
      }
    },
  };
  log(`boundary: depth ${depth}, ${n} images, batch ${batch}, ${backend}, gramKernel ${gramKernel}`);
  await strategy.afterTask(ctx);
  const tensorBytesEnd = tf.memory().numBytes;
  const sources: GramSource[] = ['x', 'B', 'A', 'out'];
  const result: BoundaryPerfResult = {
    backend,
    depth,
    images: n,
    batch,
    gramKernel,
    store,
    collect,
    collectSeconds: featuresEnd - gramSeconds,
    gramSeconds,
    projectorSeconds: end - featuresEnd,
    rssStart,
    rssPeakCollect,
    rssPeakProjectors,
    maxRss: process.resourceUsage().maxRSS * 1024,
    tapBytesPerBlock: 3 * batch * L * D * 4,
    covarianceBytesPerBlock: sources.length * D * D * 8,
    tensorBytesStart,
    tensorBytesEnd,
  };
  strategy.dispose();
  model.dispose();
  if (storeDir !== '') rmSync(storeDir, { recursive: true, force: true });
  return result;
}

/**
 * Options of {@link runGramThroughput}.
 *
 * @category Perf
 */
export interface GramThroughputOptions {
  /** Backend; default `'wasm'`. */
  readonly backend?: BackendName;
  /** Images of the feature batch (rows = images·145); default 20. */
  readonly images?: number;
  /** Timed repetitions (best kept); default 3. */
  readonly repeats?: number;
}

function best(repeats: number, f: () => void): number {
  let t = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

/**
 * Throughput of the Gram products of one block and feature batch at the paper width, beside the
 * block's linear layers on the same rows.
 *
 * **Details**
 * rows = images·145. Linear layers: in_proj x[rows, 1024]·W[4096, 1024]ᵀ and out_proj
 * y[rows, 2048]·W[1024, 2048]ᵀ (`matMulNT`), 2·rows·in·out flops. Grams of [rows, 2048] features
 * (`batchGrams` of one source, so including the tensor read-back): `'exact'` (float64 upper
 * triangle) and `'matmul'` (float32 `matMulNT` on the transposed features, 512-feature panel pairs i ≤ j); both counted as 2·rows·D² flops, the
 * cost of the product they replace. The low-rank W_B Gram is counted as its Gram work (exact: two
 * Grams, 4·rows·D²; matmul: one XᵀW, 2·rows·D²) plus its small [L, L] products.
 *
 * @param options - backend, images, repeats
 * @returns a report with ms and GFLOP/s per product
 * @example
 * const r = await runGramThroughput({ images: 20 });
 * @category Perf
 */
export async function runGramThroughput(options: GramThroughputOptions = {}): Promise<PerfReport> {
  const backend = (await selectBackend(options.backend ?? 'wasm')).name;
  const b = options.images ?? 20;
  const repeats = options.repeats ?? 3;
  const L = (PAPER.imgSize / PAPER.patchSize) ** 2 + 1;
  const D = PAPER.dInner;
  const M = PAPER.dModel;
  const rows = b * L;
  const rng = SeededRng.derive(7, 'gram-throughput');
  const rand = (k: number, lo: number, hi: number) => {
    const a = new Float32Array(k);
    for (let i = 0; i < k; i++) a[i] = rng.uniform(lo, hi);
    return a;
  };
  const x = tf.tensor3d(rand(rows * D, -1, 1), [b, L, D]);
  const delta = tf.tensor3d(rand(rows * D, 0.001, 0.1), [b, L, D]);
  const tap: BackboneTap = { x, delta, y: x };
  const u = tf.tensor2d(rand(rows * M, -1, 1), [rows, M]);
  const wIn = tf.tensor2d(rand(2 * D * M, -0.03, 0.03), [2 * D, M]);
  const wOut = tf.tensor2d(rand(M * D, -0.02, 0.02), [M, D]);
  const y2 = tf.reshape(x, [rows, D]) as tf.Tensor2D;
  const rowsOut: PerfRow[] = [];
  const add = (what: string, flops: number, seconds: number) =>
    rowsOut.push({
      product: what,
      shape: `${rows} rows`,
      ms: Number((seconds * 1000).toFixed(1)),
      'GFLOP/s': Number((flops / seconds / 1e9).toFixed(1)),
    });
  const lin = (w: tf.Tensor2D, a: tf.Tensor2D) => () => {
    const o = matMulNT(a, w);
    o.dataSync();
    o.dispose();
  };
  lin(wIn, u)(); // warm-up (kernel registration, heap growth)
  add('linear in_proj [rows,1024]·[4096,1024]ᵀ (matMulNT)', 2 * rows * M * 2 * D, best(repeats, lin(wIn, u)));
  add('linear out_proj [rows,2048]·[1024,2048]ᵀ (matMulNT)', 2 * rows * D * M, best(repeats, lin(wOut, y2)));
  const gram = (kernel: GramKernel, src: GramSource) => () => {
    batchGrams(tap, [src], 8, 'lowrank', kernel);
  };
  gram('matmul', 'x')();
  for (const kernel of ['exact', 'matmul'] as const) {
    add(`Gram XᵀX [rows,2048], ${kernel}`, 2 * rows * D * D, best(repeats, gram(kernel, 'x')));
  }
  for (const kernel of ['exact', 'matmul'] as const) {
    const gramFlops = (kernel === 'exact' ? 4 : 2) * rows * D * D + 4 * b * L * L * D;
    add(`W_B Gram low-rank, ${kernel}`, gramFlops, best(repeats, gram(kernel, 'B')));
  }
  tf.dispose([x, delta, u, wIn, wOut, y2]);
  const gf = (i: number) => rowsOut[i]['GFLOP/s'] as number;
  const linear = Math.max(gf(0), gf(1)); // the faster linear layer: the stricter reference
  return {
    title: `Gram products vs linear layers at the paper width (${backend}, ${b} images = ${rows} rows)`,
    rows: rowsOut,
    notes: [
      `Gram GFLOP/s count 2·rows·D² (the product they replace); 'exact' computes the upper triangle in float64, 'matmul' the 512-feature panel pairs on and above the diagonal in float32 (matMulNT on the transposed features).`,
      `faster linear layer ${linear} GFLOP/s; Gram XᵀX exact ${gf(2)} (${(linear / gf(2)).toFixed(2)}× slower), matmul ${gf(3)} (${(linear / gf(3)).toFixed(2)}×); W_B low-rank exact ${gf(4)} (${(linear / gf(4)).toFixed(2)}×), matmul ${gf(5)} (${(linear / gf(5)).toFixed(2)}×); target ≤ 1.5×.`,
    ],
  };
}

/**
 * Fits the boundary runs of several depths: per-part time and peak RSS against depth, the memory
 * slope beside the per-block state, and an extrapolation to `targetDepth` blocks and
 * `targetImages` images.
 *
 * **Details**
 * Collection and Gram time scale with depth × images; projector time with depth only (one eigh
 * per distinct covariance, whatever the image count). Peak RSS is fitted as a + s·depth by least
 * squares; s is compared with the per-block state (the float64 covariances held — 𝒦 and K_t with
 * the memory store, K_t with the disk store — plus the block's tensors, i.e. its parameters and
 * projectors, from the fitted slope of `tensorBytesEnd`) and with that plus one block's taps —
 * block-by-block collection holds one block's taps whatever the depth, so s should match the state,
 * not state + taps. At the
 * target, taps are counted at the official feature batch of 100.
 *
 * @param runs - one result per depth (same images, batch, kernel)
 * @param targetDepth - default 48
 * @param targetImages - default 5000
 * @returns the report
 * @category Perf
 */
export function summarizeBoundaryPerf(
  runs: readonly BoundaryPerfResult[],
  targetDepth = 48,
  targetImages = 5000,
): PerfReport {
  if (runs.length === 0) throw new Error('summarizeBoundaryPerf: no runs');
  const mib = (v: number) => Number((v / 2 ** 20).toFixed(0));
  const rows: PerfRow[] = runs.map((r) => ({
    depth: r.depth,
    images: r.images,
    'collect s': Number(r.collectSeconds.toFixed(1)),
    'gram s': Number(r.gramSeconds.toFixed(1)),
    'eigh+proj s': Number(r.projectorSeconds.toFixed(1)),
    'RSS start MiB': mib(r.rssStart),
    'peak RSS collect MiB': mib(r.rssPeakCollect),
    'peak RSS proj MiB': mib(r.rssPeakProjectors),
    'maxRSS MiB': mib(r.maxRss),
  }));
  const fitLine = (ys: number[]) => {
    const xs = runs.map((r) => r.depth);
    const mx = xs.reduce((a, v) => a + v, 0) / xs.length;
    const my = ys.reduce((a, v) => a + v, 0) / ys.length;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
    }
    const slope = sxx > 0 ? sxy / sxx : 0;
    return { slope, intercept: my - slope * mx };
  };
  const r0 = runs[0];
  const perBlock = (f: (r: BoundaryPerfResult) => number) =>
    runs.reduce((a, r) => a + f(r) / r.depth, 0) / runs.length;
  const collectPerBlockImage = perBlock((r) => r.collectSeconds / r.images);
  const gramPerBlockImage = perBlock((r) => r.gramSeconds / r.images);
  const projPerBlock = perBlock((r) => r.projectorSeconds);
  const mem = fitLine(runs.map((r) => r.maxRss));
  const tensors = fitLine(runs.map((r) => r.tensorBytesEnd));
  // Per-block state: the float64 covariances held (memory store: 𝒦 and K_t; disk store: K_t, 𝒦 one
  // block at a time) plus the block's tensors (its parameters — reduced depth grows the model too —
  // and its projectors).
  const covHeld = (r0.store === 'disk' ? 1 : 2) * r0.covarianceBytesPerBlock;
  const state = covHeld + tensors.slope;
  const tCollect = collectPerBlockImage * targetDepth * targetImages;
  const tGram = gramPerBlockImage * targetDepth * targetImages;
  const tProj = projPerBlock * targetDepth;
  const tapsAt100 = (r0.tapBytesPerBlock / r0.batch) * 100;
  const peakTarget = mem.intercept + mem.slope * targetDepth + (tapsAt100 - r0.tapBytesPerBlock);
  const h = (s: number) => `${s.toFixed(0)} s (${(s / 3600).toFixed(1)} h)`;
  return {
    title: `Mamba-CL task boundary at defocus-mamba-large width (dModel 1024, dInner 2048, L 145; ${r0.backend}, gramKernel ${r0.gramKernel}, store ${r0.store}, collect ${r0.collect}, feature batch ${r0.batch})`,
    rows,
    notes: [
      `maxRSS slope over depth: ${mib(mem.slope)} MiB per block (intercept ${mib(mem.intercept)} MiB). Per-block state: covariances held ${mib(covHeld)} MiB (${r0.store === 'disk' ? 'K_t' : '𝒦 + K_t'}, float64, 4 distinct) + tensors ${mib(tensors.slope)} MiB (parameters + projectors) = ${mib(state)} MiB; one block's taps at this batch ${mib(r0.tapBytesPerBlock)} MiB (holding all blocks' taps, the old path, would add that per block: ${mib(state + r0.tapBytesPerBlock)} MiB).`,
      `slope / per-block state = ${(mem.slope / state).toFixed(2)}; slope / (state + taps) = ${(mem.slope / (state + r0.tapBytesPerBlock)).toFixed(2)}.`,
      `per block and image: collect ${(collectPerBlockImage * 1000).toFixed(0)} ms, Grams ${(gramPerBlockImage * 1000).toFixed(0)} ms; per block eigh+projectors ${projPerBlock.toFixed(1)} s.`,
      `extrapolated to ${targetDepth} blocks, ${targetImages} images: collect ${h(tCollect)}, Grams ${h(tGram)}, eigh+projectors ${h(tProj)}; total ${h(tCollect + tGram + tProj)}.`,
      `tensor memory (tf backend: parameters + projectors) after the boundary: ${mib(tensors.slope)} MiB per block; at ${targetDepth} blocks ≈ ${((tensors.intercept + tensors.slope * targetDepth) / 2 ** 30).toFixed(1)} GiB (the wasm backend's heap stops at 4 GiB).`,
      `extrapolated peak RSS at ${targetDepth} blocks (taps at feature batch 100: ${mib(tapsAt100)} MiB): ≈ ${(peakTarget / 2 ** 30).toFixed(1)} GiB; with all blocks' taps held at once (the old path) it would be ≈ ${((peakTarget + (targetDepth - 1) * tapsAt100) / 2 ** 30).toFixed(1)} GiB.`,
    ],
  };
}
