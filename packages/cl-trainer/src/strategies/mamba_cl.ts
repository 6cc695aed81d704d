/**
 * `mamba-cl`: null-space projection of the selective-SSM parameters (spec §3), and `nscl`, its
 * textbook variant.
 *
 * @module
 */

import { join } from 'node:path';
import {
  type AccumulationMode,
  buildProjector,
  CovarianceAccumulator,
  DiskMatrixStore,
  projectUpdate,
  projectUpdateFactored,
  type ThresholdPolicy,
} from '@mamba-cl/nullspace';
import * as tf from '@tensorflow/tfjs-core';
import { FEATURE_GROUPS, type FeatureGroup, groupParameter } from '../backbone/backbone.js';
import type { JsonValue, Strategy, StrategyContext, StrategyState } from '../strategy/strategy.js';
import {
  checkOptionKeys,
  readOption,
  type StrategyDefinition,
  type StrategyOptionInfo,
  type StrategyOptions,
} from '../strategy/strategy_registry.js';
import { iterateBatches } from '../stream/task_stream.js';
import { hasSyncReadback } from '../trainer/sync_readback.js';
import {
  deferBatchGrams,
  disposePendingGrams,
  type PendingBatchGrams,
  readBatchGrams,
} from './deferred_grams.js';
import {
  type BatchGram,
  type BGramMethod,
  batchGrams,
  type GramKernel,
  type GramSource,
} from './feature_grams.js';

/**
 * Resolved options of the `mamba-cl` / `nscl` strategies.
 *
 * @category Strategies
 */
export interface MambaClOptions {
  /** Blend η of P = η·P̂ + (1−η)·I; default 0.95 (0.90 for 10-split ImageNet-R). */
  readonly eta: number;
  /** Threshold policy; default the official adaptive elbow. */
  readonly threshold: ThresholdPolicy;
  /** Projector normalisation; default `'frobenius'` (P̂ = U₀U₀ᵀ/√k). */
  readonly normalize: 'frobenius' | 'none';
  /** Which of the five groups are projected (default all: step, B, C, A, out). */
  readonly groups: readonly FeatureGroup[];
  /** Accumulation across tasks; default `'sum'`. */
  readonly accumulation: AccumulationMode;
  /** Images per chunk of the explicit W_B features (memory bound); default 8. */
  readonly chunk: number;
  /**
   * How the W_B Gram Σ_i M_iᵀM_i is formed: `'lowrank'` (default; X_iᵀ(Δ_iΔ_iᵀ)X_i, ≈ D/(2L) times
   * cheaper) or `'explicit'` (every M_i = Δ_iᵀX_i, as the official code). Equal up to float32 rounding.
   */
  readonly bGram: BGramMethod;
  /**
   * Which products form the Grams: `'exact'` (default; float64 products and sums, the reference) or
   * `'matmul'` (one float32 product per batch and source through the backend's fastest matmul, as
   * the official PyTorch fp32 code; summed across batches in float64; equal to float32 rounding).
   */
  readonly gramKernel: GramKernel;
  /**
   * How the projection is applied: `'dense'` (U·P with the n×n P, as the official code), `'factored'`
   * (P = diag·I + coef·B·Bᵀ with B the smaller eigenvector side: O(n·cols) per row instead of O(n²);
   * equal up to float32 rounding), or `'auto'` (default: factored when cols < n/2).
   */
  readonly apply: 'auto' | 'dense' | 'factored';
  /**
   * Where projectors live between boundaries: `'memory'` (default; embedded in checkpoints) or
   * `'disk'` (written to `storeDir` with `DiskMatrixStore`; checkpoints then reference that folder).
   * With `'disk'` the cumulative covariances 𝒦 live there too (`storeDir/covariances`, float64, as
   * `<block>.<source>@<tasks folded>`, the last two versions kept so a boundary interrupted before its
   * checkpoint can rerun): during collection only the task's K_t is in memory, and each block's 𝒦 is
   * read, folded, used for its projectors and written back one block at a time. Same bits as `'memory'`.
   */
  readonly store: 'memory' | 'disk';
  /** Folder of the disk store (required with `store: 'disk'`). */
  readonly storeDir: string;
}

const KNOWN = [
  'eta',
  'threshold',
  'normalize',
  'groups',
  'accumulation',
  'chunk',
  'bGram',
  'gramKernel',
  'apply',
  'store',
  'storeDir',
] as const;

function sourceOf(g: FeatureGroup): GramSource {
  return g === 'step' || g === 'C' ? 'x' : g;
}

function parseOptions(id: string, o: StrategyOptions, defaults: MambaClOptions): MambaClOptions {
  checkOptionKeys(o, KNOWN, id);
  const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  const eta = readOption(
    o,
    'eta',
    defaults.eta,
    (v) => isNum(v) && (v as number) >= 0 && (v as number) <= 1,
    'a number in [0, 1]',
    id,
  );
  const threshold = readOption(
    o,
    'threshold',
    defaults.threshold as unknown as JsonValue,
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      ['adaptive', 'fixed-count', 'energy', 'ratio'].includes((v as { kind: string }).kind),
    "{ kind: 'adaptive' | 'fixed-count' | 'energy' | 'ratio', … }",
    id,
  ) as unknown as ThresholdPolicy;
  const normalize = readOption(
    o,
    'normalize',
    defaults.normalize,
    (v) => v === 'frobenius' || v === 'none',
    "'frobenius' or 'none'",
    id,
  );
  const groups = readOption(
    o,
    'groups',
    [...defaults.groups] as JsonValue[],
    (v) => Array.isArray(v) && v.every((g) => FEATURE_GROUPS.includes(g as FeatureGroup)),
    `a list of ${FEATURE_GROUPS.join(', ')}`,
    id,
  ) as FeatureGroup[];
  const accumulation = readOption(
    o,
    'accumulation',
    defaults.accumulation,
    (v) => v === 'sum' || v === 'mean',
    "'sum' or 'mean'",
    id,
  );
  const chunk = readOption(
    o,
    'chunk',
    defaults.chunk,
    (v) => Number.isInteger(v) && (v as number) > 0,
    'a positive integer',
    id,
  );
  const bGram = readOption<string>(
    o,
    'bGram',
    defaults.bGram,
    (v) => v === 'lowrank' || v === 'explicit',
    "'lowrank' or 'explicit'",
    id,
  ) as BGramMethod;
  const gramKernel = readOption<string>(
    o,
    'gramKernel',
    defaults.gramKernel,
    (v) => v === 'exact' || v === 'matmul',
    "'exact' or 'matmul'",
    id,
  ) as GramKernel;
  const apply = readOption<string>(
    o,
    'apply',
    defaults.apply,
    (v) => v === 'auto' || v === 'dense' || v === 'factored',
    "'auto', 'dense' or 'factored'",
    id,
  ) as MambaClOptions['apply'];
  const store = readOption(
    o,
    'store',
    defaults.store,
    (v) => v === 'memory' || v === 'disk',
    "'memory' or 'disk'",
    id,
  );
  const storeDir = readOption(
    o,
    'storeDir',
    defaults.storeDir,
    (v) => typeof v === 'string',
    'a folder path',
    id,
  );
  if (store === 'disk' && storeDir === '')
    throw new Error(`strategy "${id}": store 'disk' needs option storeDir (a folder)`);
  return {
    eta,
    threshold,
    normalize,
    groups,
    accumulation,
    chunk,
    bGram,
    gramKernel,
    apply,
    store,
    storeDir,
  };
}

/**
 * The null-space strategy of Mamba-CL (spec §3.2–3.6).
 *
 * **Details**
 * Task 0 trains with plain Adam. After every task t < T−1, the five feature groups of every block
 * are collected from the backbone's taps on task t's training images (eval transform, batch 100,
 * no shuffle: `stream.collect(t)`), one block at a time (`forwardWithTapVisitor`: block k's taps
 * become its Grams and are freed before block k+1 runs, so the peak is one block's taps plus the
 * accumulators, as the official hooks), each batch's Gram divided by its own row count and summed into
 * K_t, folded into the cumulative 𝒦 (sum or mean); then P = η·U₀U₀ᵀ/√k + (1−η)·I is rebuilt per
 * projected parameter from its 𝒦 (W_δ and W_C share the x-covariance). During later tasks the
 * final Adam step of `x_proj_step/B/C.weight` and `out_proj.weight` is right-multiplied (U·P), that
 * of `A_log` left-multiplied (P·U); moments stay unprojected (spec §3.5). Heads are never projected.
 *
 * @category Strategies
 */
export class MambaClStrategy implements Strategy {
  readonly id: string;
  readonly options: Readonly<Record<string, JsonValue>>;
  readonly settings: MambaClOptions;
  private readonly accumulators = new Map<string, CovarianceAccumulator>();
  private readonly projectors = new Map<string, ProjectorEntry>();
  private collectedTasks = 0;
  private disk: DiskMatrixStore<Float32Array> | undefined;
  private covDisk: DiskMatrixStore<Float64Array> | undefined;

  /**
   * @param id - registry id
   * @param settings - resolved options
   */
  constructor(id: string, settings: MambaClOptions) {
    this.id = id;
    this.settings = settings;
    this.options = {
      eta: settings.eta,
      threshold: settings.threshold as unknown as JsonValue,
      normalize: settings.normalize,
      groups: [...settings.groups],
      accumulation: settings.accumulation,
      chunk: settings.chunk,
      bGram: settings.bGram,
      gramKernel: settings.gramKernel,
      apply: settings.apply,
      store: settings.store,
      storeDir: settings.storeDir,
    };
  }

  /** Null-space dimension k of each projected parameter (after the last boundary). */
  nullDims(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [n, p] of this.projectors) out[n] = p.nullDim;
    return out;
  }

  /** How each projector is applied (`dense` n×n or `factored` diag·I + coef·B·Bᵀ). */
  projectorKinds(): Record<string, 'dense' | 'factored'> {
    const out: Record<string, 'dense' | 'factored'> = {};
    for (const [n, p] of this.projectors) out[n] = p.kind;
    return out;
  }

  /**
   * The cumulative covariance of a block's source (`x`, `B`, `A`, `out`), or undefined (also with
   * the disk store, where it is not held in memory: see {@link MambaClStrategy.storedCovariance}).
   */
  covariance(block: number, source: GramSource): Float64Array | undefined {
    const acc = this.accumulators.get(`${block}.${source}`);
    return acc?.hasMatrix ? acc.matrix : undefined;
  }

  /**
   * With the disk store: the cumulative covariance of a block's source as last written there, or
   * undefined.
   *
   * @param block - block index
   * @param source - `x`, `B`, `A` or `out`
   * @returns 𝒦 [D, D] row-major float64, read from `storeDir/covariances`
   */
  async storedCovariance(block: number, source: GramSource): Promise<Float64Array | undefined> {
    const key = `${block}.${source}`;
    const acc = this.accumulators.get(key);
    if (this.settings.store !== 'disk' || acc === undefined || acc.tasks === 0) return undefined;
    return (await this.covarianceStore().get(covName(key, acc.tasks)))?.data;
  }

  transformUpdate(name: string, update: tf.Tensor): tf.Tensor {
    const p = this.projectors.get(name);
    if (p === undefined) return update;
    if (p.tensor === undefined) {
      throw new Error(
        `${this.id}: projector of "${name}" is not loaded (call onResume after loadState with a disk store)`,
      );
    }
    if (p.kind === 'dense') return projectUpdate(update as tf.Tensor2D, p.tensor, p.side);
    return projectUpdateFactored(
      update as tf.Tensor2D,
      { diag: p.diag, coef: p.coef, basis: p.tensor, basisT: p.tensorT },
      p.side,
    );
  }

  async afterTask(ctx: StrategyContext): Promise<void> {
    if (ctx.task >= ctx.numTasks - 1) return; // nothing is collected after the last task (spec §3.2)
    const started = performance.now();
    const sources = [...new Set(this.settings.groups.map(sourceOf))];
    let batches = 0;
    const { chunk, bGram, gramKernel } = this.settings;
    for await (const batch of iterateBatches(ctx.stream.collect(ctx.task))) {
      const images = tf.tensor4d(batch.images, [...batch.shape] as [number, number, number, number]);
      try {
        const add = (block: number, grams: Map<GramSource, BatchGram>, D: number) => {
          for (const [src, g] of grams) {
            const key = `${block}.${src}`;
            let acc = this.accumulators.get(key);
            if (acc === undefined) {
              acc = new CovarianceAccumulator(D, {
                mode: this.settings.accumulation,
                detached: this.settings.store === 'disk', // 𝒦 stays in the store until its block is folded
              });
              this.accumulators.set(key, acc);
            }
            acc.addGram(g.gram, g.rows, batch.shape[0]);
          }
        };
        if (hasSyncReadback()) {
          // One block at a time: block k's taps become its Grams and are freed before block k+1 runs.
          const features = ctx.backbone.forwardWithTapVisitor(images, (block, tap) =>
            add(block, batchGrams(tap, sources, chunk, bGram, gramKernel), tap.x.shape[2]),
          );
          features.dispose();
        } else {
          // No synchronous read-back (webgpu under Node): each block's Gram inputs (exact) or D×D
          // products (matmul) are kept on the device while the batch runs, then read back in order.
          const pending: PendingBatchGrams[] = [];
          try {
            const features = ctx.backbone.forwardWithTapVisitor(images, (_block, tap) => {
              pending.push(deferBatchGrams(tap, sources, chunk, bGram, gramKernel));
            });
            features.dispose();
            for (let block = 0; block < pending.length; block++)
              add(block, await readBatchGrams(pending[block]), pending[block].D);
          } finally {
            for (const p of pending) disposePendingGrams(p);
          }
        }
      } finally {
        images.dispose();
      }
      batches++;
      ctx.emit({
        type: 'boundary',
        task: ctx.task,
        phase: 'features',
        done: batches,
        total: 0,
        seconds: (performance.now() - started) / 1000,
      });
    }
    // With the disk store each block's 𝒦 is folded in rebuildProjectors, one block at a time.
    if (this.settings.store !== 'disk') for (const acc of this.accumulators.values()) acc.endTask();
    this.collectedTasks++;
    await this.rebuildProjectors(ctx, started);
  }

  private async rebuildProjectors(ctx: StrategyContext, started: number): Promise<void> {
    this.disposeProjectors();
    const cache = new Map<string, ProjectorEntry>();
    const blocks = new Set([...this.accumulators.keys()].map((k) => Number(k.split('.')[0])));
    const total = blocks.size * this.settings.groups.length;
    let done = 0;
    for (const block of [...blocks].sort((a, b) => a - b)) {
      for (const group of this.settings.groups) {
        const key = `${block}.${sourceOf(group)}`;
        const acc = this.accumulators.get(key) as CovarianceAccumulator;
        const { name, side } = groupParameter(block, group);
        let built = cache.get(key);
        if (built === undefined) {
          if (this.settings.store === 'disk') await this.foldFromDisk(key, acc);
          const r = buildProjector(acc.matrix, acc.dim, {
            eta: this.settings.eta,
            threshold: this.settings.threshold,
            normalize: this.settings.normalize,
            dense: false,
          });
          const f = r.factored;
          const kind =
            this.settings.apply === 'auto' ? (2 * f.cols < f.n ? 'factored' : 'dense') : this.settings.apply;
          built = makeEntry(kind, side, r.nullDim, f.n, f.cols, f.diag, f.coef, f.basis, 'basis');
          cache.set(key, built);
        }
        // W_δ and W_C share a covariance, hence a projector; each parameter gets its own tensors.
        const entry = cloneEntry(built, side);
        if (this.settings.store === 'disk') await this.saveToDisk(name, entry);
        this.projectors.set(name, entry);
        done++;
        ctx.emit({
          type: 'boundary',
          task: ctx.task,
          phase: 'projectors',
          done,
          total,
          seconds: (performance.now() - started) / 1000,
        });
      }
      // This block's shared projectors are cloned into its parameters: free them now (no block
      // shares a covariance with another), and with the disk store write its 𝒦 back.
      for (const [key, e] of cache) {
        disposeEntry(e);
        if (this.settings.store === 'disk') await this.saveCovariance(key);
      }
      cache.clear();
    }
  }

  private covarianceStore(): DiskMatrixStore<Float64Array> {
    this.covDisk ??= new DiskMatrixStore<Float64Array>(
      join(this.settings.storeDir, 'covariances'),
      'float64',
    );
    return this.covDisk;
  }

  /**
   * Disk store: reads 𝒦 after the tasks folded so far (zeros before the first) unless it is held
   * (a state saved with the memory store), and folds K_t into it.
   */
  private async foldFromDisk(key: string, acc: CovarianceAccumulator): Promise<void> {
    if (acc.hasMatrix) {
      acc.endTask();
      return;
    }
    const t = acc.tasks;
    const prev = t === 0 ? undefined : await this.covarianceStore().get(covName(key, t));
    if (t > 0 && prev === undefined) {
      throw new Error(
        `${this.id}: covariance "${covName(key, t)}" is missing from ${join(this.settings.storeDir, 'covariances')}`,
      );
    }
    acc.attachMatrix(prev?.data ?? new Float64Array(acc.dim * acc.dim));
    acc.endTask();
  }

  /** Disk store: writes 𝒦 as version `@tasks`, drops it from memory, deletes version `@tasks−2`. */
  private async saveCovariance(key: string): Promise<void> {
    const acc = this.accumulators.get(key) as CovarianceAccumulator;
    if (!acc.hasMatrix) return;
    const store = this.covarianceStore();
    await store.set(covName(key, acc.tasks), { rows: acc.dim, cols: acc.dim, data: acc.matrix });
    acc.detachMatrix();
    if (acc.tasks >= 3) await store.delete(covName(key, acc.tasks - 2));
  }

  private diskStore(): DiskMatrixStore<Float32Array> {
    this.disk ??= new DiskMatrixStore<Float32Array>(this.settings.storeDir, 'float32');
    return this.disk;
  }

  private async saveToDisk(name: string, e: ProjectorEntry): Promise<void> {
    const t = e.tensor as tf.Tensor2D;
    await this.diskStore().set(name, {
      rows: t.shape[0],
      cols: t.shape[1],
      data: (await t.data()) as Float32Array,
    });
  }

  /** With the disk store, reloads the projectors a resumed run needs. */
  async onResume(): Promise<void> {
    await this.beforeTask();
  }

  /** Before a task: with the disk store, makes sure every projector is loaded. */
  async beforeTask(): Promise<void> {
    if (this.settings.store !== 'disk') return;
    for (const [name, p] of this.projectors) {
      if (p.tensor !== undefined) continue;
      const m = await this.diskStore().get(name);
      if (m === undefined)
        throw new Error(`${this.id}: projector "${name}" is missing from ${this.settings.storeDir}`);
      Object.assign(p, makeEntry(p.kind, p.side, p.nullDim, p.n, p.cols, p.diag, p.coef, m.data));
    }
  }

  async saveState(): Promise<StrategyState> {
    const arrays: Record<string, Uint8Array | Float32Array> = {};
    for (const [k, acc] of this.accumulators) arrays[`cov/${k}`] = acc.serialize();
    if (this.settings.store === 'memory') {
      for (const [n, p] of this.projectors)
        arrays[`proj/${n}`] = (await (p.tensor as tf.Tensor).data()) as Float32Array;
    }
    return {
      meta: {
        collectedTasks: this.collectedTasks,
        projectors: [...this.projectors].map(([name, p]) => ({
          name,
          kind: p.kind,
          side: p.side,
          nullDim: p.nullDim,
          n: p.n,
          cols: p.cols,
          diag: p.diag,
          coef: p.coef,
        })),
      },
      arrays,
    };
  }

  loadState(state: StrategyState): void {
    this.dispose();
    const meta = state.meta as unknown as { collectedTasks: number; projectors: SavedProjector[] };
    for (const [k, a] of Object.entries(state.arrays)) {
      if (k.startsWith('cov/'))
        this.accumulators.set(k.slice(4), CovarianceAccumulator.deserialize(a as Uint8Array, k));
    }
    for (const p of meta.projectors) {
      if (this.settings.store === 'disk') {
        // Loaded from the disk store by onResume / beforeTask (async).
        this.projectors.set(p.name, { ...p, tensor: undefined, tensorT: undefined });
        continue;
      }
      const data = state.arrays[`proj/${p.name}`] as Float32Array | undefined;
      if (data === undefined) throw new Error(`${this.id}.loadState: projector of "${p.name}" is missing`);
      this.projectors.set(p.name, makeEntry(p.kind, p.side, p.nullDim, p.n, p.cols, p.diag, p.coef, data));
    }
    this.collectedTasks = meta.collectedTasks;
  }

  private disposeProjectors(): void {
    for (const p of this.projectors.values()) disposeEntry(p);
    this.projectors.clear();
  }

  dispose(): void {
    this.disposeProjectors();
    this.accumulators.clear();
    this.collectedTasks = 0;
  }
}

/** Name of a block source's 𝒦 after `tasks` folded tasks in the disk store. */
function covName(key: string, tasks: number): string {
  return `${key}@${tasks}`;
}

interface SavedProjector {
  name: string;
  kind: 'dense' | 'factored';
  side: 'right' | 'left';
  nullDim: number;
  n: number;
  cols: number;
  diag: number;
  coef: number;
}

/** A projector held as tensors: dense P [n, n], or factored (diag, coef, B [n, cols], Bᵀ). */
interface ProjectorEntry extends Omit<SavedProjector, 'name'> {
  tensor: tf.Tensor2D | undefined;
  tensorT: tf.Tensor2D | undefined;
}

/**
 * Makes the tensors of a projector from `data`: what was stored (dense P [n, n] for kind dense,
 * B [n, cols] for kind factored), or the basis B from buildProjector (`dataIs: 'basis'`), from which
 * a dense P is formed as diag·I + coef·B·Bᵀ.
 */
function makeEntry(
  kind: 'dense' | 'factored',
  side: 'right' | 'left',
  nullDim: number,
  n: number,
  cols: number,
  diag: number,
  coef: number,
  data: Float32Array,
  dataIs: 'stored' | 'basis' = 'stored',
): ProjectorEntry {
  if (kind === 'dense') {
    const tensor =
      dataIs === 'stored'
        ? (tf.tidy(() => tf.keep(tf.tensor2d(data, [n, n]))) as tf.Tensor2D)
        : (tf.tidy(() => {
            // No zero-size product when the basis is empty (webgpu rejects zero-size bindings).
            if (cols === 0) return tf.keep(tf.mul(tf.eye(n), diag));
            const B = tf.tensor2d(data, [n, cols]);
            return tf.keep(tf.add(tf.mul(tf.eye(n), diag), tf.mul(tf.matMul(B, B, false, true), coef)));
          }) as tf.Tensor2D);
    return { kind, side, nullDim, n, cols, diag, coef, tensor, tensorT: undefined };
  }
  const tensor = tf.tidy(() => tf.keep(tf.tensor2d(data, [n, cols]))) as tf.Tensor2D;
  // An empty basis is transposed by shape alone: webgpu rejects the zero-size binding of a kernel.
  const tensorT =
    cols === 0
      ? tf.tensor2d(new Float32Array(0), [0, n])
      : (tf.tidy(() => tf.keep(tf.transpose(tensor))) as tf.Tensor2D);
  return { kind, side, nullDim, n, cols, diag, coef, tensor, tensorT };
}

function cloneEntry(e: ProjectorEntry, side: 'right' | 'left'): ProjectorEntry {
  return {
    ...e,
    side,
    tensor: e.tensor ? (tf.tidy(() => tf.keep(tf.clone(e.tensor as tf.Tensor2D))) as tf.Tensor2D) : undefined,
    tensorT: e.tensorT
      ? (tf.tidy(() => tf.keep(tf.clone(e.tensorT as tf.Tensor2D))) as tf.Tensor2D)
      : undefined,
  };
}

function disposeEntry(e: ProjectorEntry): void {
  e.tensor?.dispose();
  e.tensorT?.dispose();
  e.tensor = undefined;
  e.tensorT = undefined;
}

/** Defaults of `mamba-cl` (the official recipe). @category Strategies */
export const MAMBA_CL_DEFAULTS: MambaClOptions = {
  eta: 0.95,
  threshold: { kind: 'adaptive' },
  normalize: 'frobenius',
  groups: FEATURE_GROUPS,
  accumulation: 'sum',
  chunk: 8,
  bGram: 'lowrank',
  gramKernel: 'exact',
  apply: 'auto',
  store: 'memory',
  storeDir: '',
};

/** Defaults of `nscl` (textbook null space: η = 1, unnormalised, λ ≤ 0.01·λ_max). @category Strategies */
export const NSCL_DEFAULTS: MambaClOptions = {
  ...MAMBA_CL_DEFAULTS,
  eta: 1,
  threshold: { kind: 'ratio', ratio: 0.01 },
  normalize: 'none',
};

/** The options of `mamba-cl` and `nscl`, described for the CLI (defaults from `defaults`). */
function optionInfo(defaults: MambaClOptions): Readonly<Record<string, StrategyOptionInfo>> {
  return {
    eta: { type: 'number', default: defaults.eta, description: 'blend η of P = η·P̂ + (1−η)·I, in [0, 1]' },
    threshold: {
      type: 'object',
      default: defaults.threshold as unknown as JsonValue,
      description: "{ kind: 'adaptive' | 'fixed-count' | 'energy' | 'ratio', … }",
    },
    normalize: { type: 'string', default: defaults.normalize, description: "'frobenius' or 'none'" },
    groups: {
      type: 'array',
      default: [...defaults.groups],
      description: `projected feature groups, a list of ${FEATURE_GROUPS.join(', ')}`,
    },
    accumulation: { type: 'string', default: defaults.accumulation, description: "'sum' or 'mean'" },
    chunk: { type: 'number', default: defaults.chunk, description: 'images per chunk of the W_B features' },
    bGram: { type: 'string', default: defaults.bGram, description: "'lowrank' or 'explicit'" },
    gramKernel: { type: 'string', default: defaults.gramKernel, description: "'exact' or 'matmul'" },
    apply: { type: 'string', default: defaults.apply, description: "'auto', 'dense' or 'factored'" },
    store: {
      type: 'string',
      default: defaults.store,
      description: "'memory' or 'disk' (projectors and covariances in storeDir)",
    },
    storeDir: { type: 'string', default: defaults.storeDir, description: 'folder of the disk store' },
  };
}

/**
 * Creates the `mamba-cl` strategy.
 *
 * @param options - any of the 11 fields of {@link MambaClOptions}, over {@link MAMBA_CL_DEFAULTS}:
 *   `eta` (0.95), `threshold` (`{ kind: 'adaptive' }`), `normalize` (`'frobenius'`), `groups` (all five
 *   feature groups), `accumulation` (`'sum'`), `chunk` (8), `bGram` (`'lowrank'`), `gramKernel`
 *   (`'exact'`), `apply` (`'auto'`), `store` (`'memory'`) and `storeDir` (for `store: 'disk'`)
 * @example
 * createMambaClStrategy({ eta: 0.9 });
 * @category Strategies
 */
export function createMambaClStrategy(options: StrategyOptions = {}): MambaClStrategy {
  return new MambaClStrategy('mamba-cl', parseOptions('mamba-cl', options, MAMBA_CL_DEFAULTS));
}

/**
 * Creates the `nscl` strategy: Mamba-CL's feature groups with a textbook (Adam-NSCL-like) projector:
 * η = 1, no normalisation (P = U₀U₀ᵀ), null space = eigenvalues ≤ ratio·λ_max (default 0.01).
 *
 * @param options - same knobs as `mamba-cl`
 * @category Strategies
 */
export function createNsclStrategy(options: StrategyOptions = {}): MambaClStrategy {
  return new MambaClStrategy('nscl', parseOptions('nscl', options, NSCL_DEFAULTS));
}

/** Registry entry of `mamba-cl`. @category Strategies */
export const MAMBA_CL_STRATEGY: StrategyDefinition = {
  id: 'mamba-cl',
  description:
    'Null-space projected Adam on W_δ, W_B, W_C, A_log, out_proj (official: η=0.95, adaptive threshold, Frobenius)',
  create: createMambaClStrategy,
  options: optionInfo(MAMBA_CL_DEFAULTS),
};

/** Registry entry of `nscl`. @category Strategies */
export const NSCL_STRATEGY: StrategyDefinition = {
  id: 'nscl',
  description:
    'Textbook null-space variant: η=1, unnormalised projector, fixed-ratio threshold (Adam-NSCL-like)',
  create: createNsclStrategy,
  options: optionInfo(NSCL_DEFAULTS),
};
