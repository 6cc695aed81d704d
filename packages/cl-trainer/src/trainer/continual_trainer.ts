/**
 * The class-incremental training loop (spec §2, §4, §6): per task a fresh optimizer, the MultiStep
 * schedule, the strategy's hooks, evaluation of every seen task with the concatenated heads, and
 * resumable checkpoints.
 *
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataParallelClassifier, readSafetensors, VisionMamba, writeSafetensors } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbone/backbone.js';
import {
  CheckpointError,
  readCheckpointFile,
  type StoredArray,
  writeCheckpointFile,
} from '../checkpoint/checkpoint_file.js';
import { TaskHeads } from '../heads/task_heads.js';
import {
  accuracyAfterTask,
  type ContinualMetrics,
  continualMetrics,
  forgettingOfficial,
} from '../metrics/accuracy_metrics.js';
import { MultiStepLR } from '../optim/multi_step_lr.js';
import { type AdamParam, ProjectedAdam } from '../optim/projected_adam.js';
import type { JsonValue, StepContext, Strategy, StrategyContext } from '../strategy/strategy.js';
import { iterateBatches, type TaskStream } from '../stream/task_stream.js';
import { NonFiniteLossError } from './non_finite_loss_error.js';
import './register_gradients.js';
import { type ResolvedTrainerConfig, resolveTrainerConfig, type TrainerConfig } from './trainer_config.js';
import type { RunPosition, TrainerEvent, TrainerListener } from './trainer_events.js';

/**
 * Inputs of {@link ContinualTrainer}.
 *
 * @category Trainer
 */
export interface ContinualTrainerOptions {
  readonly backbone: Backbone;
  readonly strategy: Strategy;
  readonly stream: TaskStream;
  readonly config: TrainerConfig;
}

/**
 * Result of a run.
 *
 * @category Trainer
 */
export interface RunResult {
  /** a[t][τ] in percent (0–100); row t has t+1 entries. */
  readonly accuracy: number[][];
  /** Validation images per task (n_τ). */
  readonly evalCounts: number[];
  /** Metrics of {@link continualMetrics}. */
  readonly metrics: ContinualMetrics;
  /** Optimizer steps taken over the whole run (resumed runs include the steps before the checkpoint). */
  readonly steps: number;
}

/** Key of the model weights (a safetensors blob) inside a checkpoint file. @category Checkpoint */
export const MODEL_WEIGHTS_KEY = 'model.safetensors';

/**
 * The model weights of a checkpoint as safetensors bytes (official parameter names), e.g. to write a
 * `.safetensors` file for PyTorch or `VisionMamba.loadStateDict`.
 *
 * @param path - a checkpoint file
 * @returns the safetensors bytes
 * @throws {@link CheckpointError} for a corrupt file
 * @example
 * writeFileSync('weights.safetensors', checkpointModelWeights('runs/a/checkpoint.mclckpt'));
 * @category Checkpoint
 */
export function checkpointModelWeights(path: string): Uint8Array {
  const a = readCheckpointFile(path).arrays.get(MODEL_WEIGHTS_KEY);
  if (!(a instanceof Uint8Array)) throw new CheckpointError(`${path}: has no "${MODEL_WEIGHTS_KEY}"`);
  return a;
}

/** File name of the latest checkpoint inside the checkpoint folder. @category Checkpoint */
export const CHECKPOINT_FILE = 'checkpoint.mclckpt';

interface SavedMeta {
  fingerprint: Record<string, JsonValue>;
  position: RunPosition;
  taskDone: boolean;
  globalStep: number;
  accuracy: number[][];
  evalCounts: number[];
  adam: { step: number; lrFactor: number; names: string[]; shapes: number[][] } | null;
  heads: { classes: number[] }[];
  modelNames: string[];
  strategy: { id: string; meta: JsonValue; keys: string[] };
  metrics: ContinualMetrics | null;
}

function flattenJson(v: JsonValue, prefix: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of Object.keys(v).sort()) flattenJson(v[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(v));
  }
}

/**
 * Compares two fingerprints and describes every difference (field, checkpoint value, current value).
 *
 * @internal
 */
export function describeFingerprintMismatch(saved: JsonValue, current: JsonValue): string[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flattenJson(saved, '', a);
  flattenJson(current, '', b);
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (x !== y) {
      const clip = (s: string | undefined): string =>
        s === undefined ? '(absent)' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
      out.push(`${k}: checkpoint ${clip(x)}, now ${clip(y)}`);
    }
  }
  return out;
}

/**
 * Runs a strategy over a class-incremental stream.
 *
 * **Details**
 * For each task t: the head of t is created (fresh, or the official warm start, spec §2), the
 * strategy's `beforeTask` runs, a NEW {@link ProjectedAdam} is built (groups `backbone` ×1 and
 * `head` × `headLrScale`, coupled L2), and the task trains for `epochs` epochs of `expandTimes`
 * passes; the lr factor of 0-based epoch e is set by timm's `step(e)` ({@link MultiStepLR}). Each
 * step minimises the mean cross-entropy over the current head's local logits (or, for strategies with
 * `lossScope: 'seen'`, over all seen heads) plus the strategy's extra loss, and applies the
 * strategy's transform to each parameter's final Adam step. Then `afterTask` runs and every seen
 * task is evaluated with the concatenated heads (argmax over all seen classes, no task id).
 * A NaN/infinite loss throws {@link NonFiniteLossError} before touching the weights. With a
 * checkpoint folder, the state is written atomically after every task (and every N steps);
 * `run({ resume: true })` continues from it and ends with the same results (bit-identical on cpu).
 *
 * @example
 * const trainer = new ContinualTrainer({ backbone, strategy: createStrategy('mamba-cl'), stream,
 *   config: { epochs: 10, expandTimes: 5, lr: 2e-4, seed: 2024 } });
 * trainer.on((e) => console.log(eventToJsonLine(e)));
 * const result = await trainer.run();
 * @category Trainer
 */
export class ContinualTrainer {
  readonly backbone: Backbone;
  readonly strategy: Strategy;
  readonly stream: TaskStream;
  readonly config: ResolvedTrainerConfig;
  readonly heads: TaskHeads;
  private readonly listeners: TrainerListener[] = [];
  private readonly trainable: string[];
  /** Gradient workers (config.workers > 0 with a VisionMamba backbone), alive during `run`. */
  private parallel: DataParallelClassifier | undefined;

  constructor(options: ContinualTrainerOptions) {
    this.backbone = options.backbone;
    this.strategy = options.strategy;
    this.stream = options.stream;
    this.config = resolveTrainerConfig(options.config);
    this.heads = new TaskHeads({
      dModel: this.backbone.config.dModel,
      seed: this.config.seed,
      warmStart: this.config.warmStartHead,
    });
    this.trainable = this.backbone.trainableNames();
    for (const n of this.trainable) {
      if (!this.backbone.parameters.has(n)) {
        throw new Error(`backbone lists "${n}" as trainable but has no parameter of that name`);
      }
    }
    if (this.stream.tasks.length === 0) throw new Error('ContinualTrainer: the stream has no tasks');
  }

  /**
   * Adds an event listener. A listener that throws aborts the run.
   *
   * @returns a function removing the listener
   */
  on(listener: TrainerListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit = (event: TrainerEvent): void => {
    for (const l of this.listeners) l(event);
  };

  /** What identifies a run; a checkpoint of another run is refused naming the differences. */
  fingerprint(): Record<string, JsonValue> {
    const c = this.config;
    return {
      format: 1,
      strategy: { id: this.strategy.id, options: this.strategy.options as Record<string, JsonValue> },
      classOrder: [...(this.stream.classOrder ?? [])],
      tasks: this.stream.tasks.map((t) => [...t.classes]),
      config: {
        epochs: c.epochs,
        expandTimes: c.expandTimes,
        lr: c.lr,
        headLrScale: c.headLrScale,
        weightDecay: c.weightDecay,
        betas: [...c.betas],
        eps: c.eps,
        milestones: [...c.milestones],
        gamma: c.gamma,
        seed: c.seed,
        warmStartHead: c.warmStartHead,
      },
      model: {
        dModel: this.backbone.config.dModel,
        trainable: this.trainable.map(
          (n) => `${n}[${(this.backbone.parameters.get(n) as tf.Variable).shape}]`,
        ),
      },
    };
  }

  private checkpointPath(): string | undefined {
    const dir = this.config.checkpoint?.dir;
    return dir === undefined ? undefined : join(dir, CHECKPOINT_FILE);
  }

  /**
   * Runs the whole stream (or its rest, when resuming).
   *
   * @param options - `resume: true` continues from the checkpoint in `config.checkpoint.dir`
   * @returns accuracy matrix, counts and metrics
   * @throws {@link NonFiniteLossError}, {@link CheckpointError} (corrupt or mismatched checkpoint)
   */
  async run(options: { resume?: boolean } = {}): Promise<RunResult> {
    try {
      return await this.runTasks(options);
    } finally {
      await this.parallel?.dispose();
      this.parallel = undefined;
    }
  }

  private async runTasks(options: { resume?: boolean }): Promise<RunResult> {
    const T = this.stream.tasks.length;
    const cfg = this.config;
    let accuracy: number[][] = [];
    let evalCounts: number[] = [];
    let globalStep = 0;
    let start: RunPosition = { task: 0, epoch: 0, batch: 0 };
    let midTask = false;
    let savedAdam:
      | { meta: NonNullable<SavedMeta['adam']>; arrays: ReadonlyMap<string, StoredArray> }
      | undefined;

    if (options.resume) {
      const path = this.checkpointPath();
      if (path === undefined)
        throw new CheckpointError('resume requested but config.checkpoint.dir is not set');
      if (!existsSync(path)) throw new CheckpointError(`resume requested but ${path} does not exist`);
      const ck = readCheckpointFile(path);
      const meta = ck.meta as SavedMeta;
      const diff = describeFingerprintMismatch(meta.fingerprint, this.fingerprint());
      if (diff.length > 0) {
        throw new CheckpointError(
          `${path} was written by a different run; mismatches:\n  ${diff.join('\n  ')}`,
        );
      }
      this.restore(path, meta, ck.arrays);
      await this.strategy.onResume?.(this.context(meta.position.task));
      accuracy = meta.accuracy.map((r) => [...r]);
      evalCounts = [...meta.evalCounts];
      globalStep = meta.globalStep;
      start = meta.position;
      midTask = !meta.taskDone;
      if (midTask && meta.adam) savedAdam = { meta: meta.adam, arrays: ck.arrays };
    }
    this.emit({
      type: 'run-start',
      numTasks: T,
      strategy: this.strategy.id,
      ...(options.resume ? { resumedFrom: start } : {}),
    });

    const totalSteps = this.estimateTotalSteps();
    const timing = { steps: 0, seconds: 0 };

    for (let t = start.task; t < T; t++) {
      const resuming = midTask && t === start.task;
      const taskStarted = performance.now();
      const ctx = this.context(t);
      if (!resuming) {
        this.heads.startTask(t, this.stream.tasks[t].classes);
        this.emit({ type: 'task-start', task: t, numTasks: T, classes: this.stream.tasks[t].classes });
        await this.strategy.beforeTask?.(ctx);
      } else {
        this.emit({ type: 'task-start', task: t, numTasks: T, classes: this.stream.tasks[t].classes });
      }
      await this.syncParallel();
      const scope = this.strategy.lossScope ?? 'current';
      const headTasks = scope === 'seen' ? Array.from({ length: t + 1 }, (_, i) => i) : [t];
      const optimizer = new ProjectedAdam(this.optimizerParams(headTasks, t), {
        lr: cfg.lr,
        betas: cfg.betas,
        eps: cfg.eps,
        weightDecay: cfg.weightDecay,
        lrScales: { head: cfg.headLrScale },
      });
      try {
        if (savedAdam && resuming) {
          const moments = new Map<string, { m: Float32Array; v: Float32Array; shape: number[] }>();
          savedAdam.meta.names.forEach((name, i) => {
            moments.set(name, {
              m: savedAdam?.arrays.get(`adam/m/${name}`) as Float32Array,
              v: savedAdam?.arrays.get(`adam/v/${name}`) as Float32Array,
              shape: savedAdam?.meta.shapes[i] as number[],
            });
          });
          optimizer.setState({ step: savedAdam.meta.step, lrFactor: savedAdam.meta.lrFactor, moments });
        }
        const schedule = new MultiStepLR({ milestones: cfg.milestones, gamma: cfg.gamma });
        const trainTasks = this.strategy.trainingTasks?.(ctx) ?? [t];
        const headClasses = this.heads.classesOf(headTasks);
        const column = new Map(headClasses.map((c, i) => [c, i]));
        const steps = this.stream.trainBatchCount?.({ tasks: trainTasks, expandTimes: cfg.expandTimes });
        for (let e = resuming ? start.epoch : 0; e < cfg.epochs; e++) {
          schedule.step(e);
          optimizer.setLrFactor(schedule.factor);
          const epochStarted = performance.now();
          this.emit({
            type: 'epoch-start',
            task: t,
            epoch: e,
            epochs: cfg.epochs,
            lr: optimizer.groupLr('backbone'),
            ...(steps !== undefined ? { steps } : {}),
          });
          const startBatch = resuming && e === start.epoch ? start.batch : 0;
          let lossSum = 0;
          let lossCount = 0;
          let k = startBatch;
          const source = this.stream.train({
            tasks: trainTasks,
            epoch: e,
            expandTimes: cfg.expandTimes,
            seed: cfg.seed,
            startBatch,
          });
          for await (const batch of iterateBatches(source)) {
            const t0 = performance.now();
            const { loss, threads } = await this.trainStep(ctx, optimizer, batch, {
              epoch: e,
              step: k,
              headTasks,
              column,
            });
            const seconds = (performance.now() - t0) / 1000;
            timing.steps++;
            timing.seconds += seconds;
            lossSum += loss;
            lossCount++;
            globalStep++;
            k++;
            const every = cfg.checkpoint?.everySteps ?? 0;
            if (every > 0 && globalStep % every === 0) {
              this.saveCheckpoint(
                { task: t, epoch: e, batch: k },
                false,
                globalStep,
                accuracy,
                evalCounts,
                optimizer,
              );
            }
            const eta =
              totalSteps !== undefined
                ? Math.max(0, totalSteps - globalStep) * (timing.seconds / timing.steps)
                : undefined;
            this.emit({
              type: 'step',
              task: t,
              epoch: e,
              step: k - 1,
              ...(steps !== undefined ? { steps } : {}),
              globalStep,
              loss,
              lr: optimizer.groupLr('backbone'),
              imagesPerSec: batch.shape[0] / Math.max(seconds, 1e-9),
              threads,
              ...(eta !== undefined ? { etaSec: eta } : {}),
            });
          }
          this.emit({
            type: 'epoch-end',
            task: t,
            epoch: e,
            meanLoss: lossCount > 0 ? lossSum / lossCount : Number.NaN,
            seconds: (performance.now() - epochStarted) / 1000,
          });
        }
      } finally {
        optimizer.dispose();
      }
      await this.strategy.afterTask?.(ctx);
      const row = await this.evaluate(t, evalCounts);
      accuracy = [...accuracy.slice(0, t), row];
      this.emit({
        type: 'eval',
        task: t,
        accuracies: row,
        accuracy: accuracyAfterTask(accuracy, evalCounts, t),
        forgetting: forgettingOfficial(accuracy, t),
      });
      this.emit({ type: 'task-end', task: t, seconds: (performance.now() - taskStarted) / 1000 });
      this.saveCheckpoint(
        { task: t + 1, epoch: 0, batch: 0 },
        true,
        globalStep,
        accuracy,
        evalCounts,
        undefined,
      );
    }
    const metrics = continualMetrics(accuracy, evalCounts);
    this.emit({
      type: 'run-end',
      accuracy,
      finalAccuracy: metrics.finalAccuracy,
      averageIncrementalAccuracy: metrics.averageIncrementalAccuracy,
      forgetting: metrics.forgetting,
    });
    return { accuracy, evalCounts, metrics, steps: globalStep };
  }

  private estimateTotalSteps(): number | undefined {
    if (!this.stream.trainBatchCount) return undefined;
    let total = 0;
    for (let t = 0; t < this.stream.tasks.length; t++) {
      const tasks = this.strategy.trainingTasks?.(this.context(t)) ?? [t];
      total +=
        this.config.epochs * this.stream.trainBatchCount({ tasks, expandTimes: this.config.expandTimes });
    }
    return total;
  }

  /** The context handed to strategy hooks for task t. */
  context(t: number): StrategyContext {
    return {
      backbone: this.backbone,
      heads: this.heads,
      stream: this.stream,
      task: t,
      numTasks: this.stream.tasks.length,
      trainableNames: this.trainable,
      seed: this.config.seed,
      emit: this.emit,
    };
  }

  private optimizerParams(headTasks: number[], t: number): AdamParam[] {
    const params: AdamParam[] = this.trainable.map((name) => ({
      name,
      variable: this.backbone.parameters.get(name) as tf.Variable,
      group: 'backbone',
    }));
    for (const h of headTasks) {
      const head = this.heads.head(h);
      const prefix = h === t ? 'head' : `heads.${h}`;
      params.push({ name: `${prefix}.weight`, variable: head.weight, group: 'head' });
      params.push({ name: `${prefix}.bias`, variable: head.bias, group: 'head' });
    }
    return params;
  }

  /**
   * Starts the gradient workers at the first task (after any resume), or re-sends every parameter
   * to them at later ones (strategies and checkpoints may change weights between tasks).
   */
  private async syncParallel(): Promise<void> {
    if (this.config.workers === 0 || !(this.backbone instanceof VisionMamba)) return;
    if (this.parallel === undefined) {
      this.parallel = await DataParallelClassifier.create(this.backbone, { workers: this.config.workers });
    } else {
      await this.parallel.syncAll();
    }
  }

  /**
   * Loss and gradients from the gradient workers: the heads of `headTasks` act as one linear head
   * (their concatenation, as `TaskHeads.logits` builds it), whose gradient is split back per head.
   */
  private async parallelGrads(
    dp: DataParallelClassifier,
    images: tf.Tensor4D,
    target: Int32Array,
    names: readonly string[],
    headTasks: readonly number[],
    t: number,
  ): Promise<{ loss: number; named: Map<string, tf.Tensor> }> {
    const hs = headTasks.map((h) => this.heads.head(h));
    const { weight, bias } = this.heads.concatenated(headTasks);
    try {
      const backboneNames = names.filter((n) => this.backbone.parameters.has(n));
      const { loss, grads } = await dp.lossAndGrads(images, target, { weight, bias }, [
        ...backboneNames,
        'head.weight',
        'head.bias',
      ]);
      const named = new Map<string, tf.Tensor>();
      for (const n of backboneNames) named.set(n, grads.get(n) as tf.Tensor);
      const gw = grads.get('head.weight') as tf.Tensor;
      const gb = grads.get('head.bias') as tf.Tensor;
      const sizes = hs.map((h) => h.weight.shape[0]);
      const ws = hs.length === 1 ? [gw] : tf.split(gw, sizes, 0);
      const bs = hs.length === 1 ? [gb] : tf.split(gb, sizes, 0);
      if (hs.length > 1) tf.dispose([gw, gb]);
      headTasks.forEach((h, i) => {
        const prefix = h === t ? 'head' : `heads.${h}`;
        named.set(`${prefix}.weight`, ws[i]);
        named.set(`${prefix}.bias`, bs[i]);
      });
      return { loss, named };
    } finally {
      if (hs.length > 1) tf.dispose([weight, bias]);
    }
  }

  private async trainStep(
    ctx: StrategyContext,
    optimizer: ProjectedAdam,
    batch: { images: Float32Array; labels: Int32Array; shape: readonly [number, number, number, number] },
    where: { epoch: number; step: number; headTasks: number[]; column: Map<number, number> },
  ): Promise<{ loss: number; threads: number }> {
    const b = batch.shape[0];
    const target = new Int32Array(b);
    for (let i = 0; i < b; i++) {
      const c = where.column.get(batch.labels[i]);
      if (c === undefined) {
        throw new Error(
          `task ${ctx.task}, epoch ${where.epoch + 1}, batch ${where.step + 1}: label ${batch.labels[i]} is not among the trained heads' classes`,
        );
      }
      target[i] = c;
    }
    const images = tf.tensor4d(batch.images, [...batch.shape] as [number, number, number, number]);
    const sctx: StepContext = { ...ctx, epoch: where.epoch, step: where.step, images, labels: batch.labels };
    try {
      this.strategy.beforeStep?.(sctx);
      const params = optimizer.names;
      let loss: number;
      let named: Map<string, tf.Tensor>;
      // gradient workers compute the plain cross-entropy only: an extra loss keeps the step here
      const dp = this.strategy.extraLoss === undefined ? this.parallel : undefined;
      if (dp !== undefined) {
        ({ loss, named } = await this.parallelGrads(dp, images, target, params, where.headTasks, ctx.task));
      } else {
        const variables = params.map((n) => this.variableOf(n, ctx.task));
        const byVarName = new Map(variables.map((v, i) => [v.name, params[i]]));
        const { value, grads } = tf.variableGrads(() => {
          const features = this.backbone.forward(images);
          const logits = this.heads.logits(features, where.headTasks);
          const logp = tf.logSoftmax(logits);
          const oh = tf.oneHot(tf.tensor1d(target, 'int32'), logits.shape[1]);
          const ce = tf.neg(tf.mean(tf.sum(tf.mul(oh, logp), 1))) as tf.Scalar;
          const extra = this.strategy.extraLoss?.(sctx, { features, logits });
          return extra ? (tf.add(ce, extra) as tf.Scalar) : ce;
        }, variables);
        loss = value.dataSync()[0];
        value.dispose();
        named = new Map<string, tf.Tensor>();
        for (const [vn, g] of Object.entries(grads)) named.set(byVarName.get(vn) as string, g);
      }
      try {
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(ctx.task, where.epoch, where.step, loss);
        this.strategy.afterBackward?.(sctx, named);
        const transform = this.strategy.transformUpdate;
        optimizer.step(
          named,
          transform ? (name, u) => transform.call(this.strategy, name, u, ctx) : undefined,
        );
        this.strategy.afterStep?.(sctx);
        return { loss, threads: dp !== undefined ? this.config.workers + 1 : 1 };
      } finally {
        tf.dispose([...named.values()]);
      }
    } finally {
      images.dispose();
    }
  }

  private variableOf(name: string, t: number): tf.Variable {
    if (name === 'head.weight') return this.heads.head(t).weight;
    if (name === 'head.bias') return this.heads.head(t).bias;
    const m = /^heads\.(\d+)\.(weight|bias)$/.exec(name);
    if (m) return this.heads.head(Number(m[1]))[m[2] as 'weight' | 'bias'];
    return this.backbone.parameters.get(name) as tf.Variable;
  }

  /**
   * Accuracy (percent) of every seen task with the concatenated heads of tasks 0..t.
   *
   * @param t - last trained task
   * @param counts - filled with n_τ
   * @returns row t of the accuracy matrix
   */
  async evaluate(t: number, counts: number[] = []): Promise<number[]> {
    const seen = Array.from({ length: t + 1 }, (_, i) => i);
    const classes = this.heads.classesOf(seen);
    const row: number[] = [];
    for (let tau = 0; tau <= t; tau++) {
      let correct = 0;
      let total = 0;
      for await (const batch of iterateBatches(this.stream.eval(tau))) {
        const pred = tf.tidy(() => {
          const images = tf.tensor4d(batch.images, [...batch.shape] as [number, number, number, number]);
          return tf.argMax(this.heads.logits(this.backbone.forward(images), seen), 1);
        });
        const idx = pred.dataSync();
        pred.dispose();
        for (let i = 0; i < idx.length; i++) if (classes[idx[i]] === batch.labels[i]) correct++;
        total += idx.length;
      }
      counts[tau] = total;
      row.push(total === 0 ? 0 : (100 * correct) / total);
    }
    return row;
  }

  private modelNames(): string[] {
    return this.config.checkpoint?.modelWeights === 'all'
      ? [...this.backbone.parameters.keys()]
      : this.trainable;
  }

  private saveCheckpoint(
    position: RunPosition,
    taskDone: boolean,
    globalStep: number,
    accuracy: number[][],
    evalCounts: number[],
    optimizer: ProjectedAdam | undefined,
  ): void {
    const path = this.checkpointPath();
    if (path === undefined) return;
    mkdirSync(this.config.checkpoint?.dir as string, { recursive: true });
    const arrays = new Map<string, StoredArray>();
    const modelNames = this.modelNames();
    // Model weights as one safetensors blob (official names), so they can be extracted for other tools.
    arrays.set(
      MODEL_WEIGHTS_KEY,
      writeSafetensors(
        new Map(
          modelNames.map((n) => {
            const v = this.backbone.parameters.get(n) as tf.Variable;
            return [n, { shape: [...v.shape], data: v.dataSync() as Float32Array }];
          }),
        ),
      ),
    );
    const heads = this.heads.getState();
    heads.forEach((h, i) => {
      arrays.set(`heads/${i}/weight`, h.weight);
      arrays.set(`heads/${i}/bias`, h.bias);
    });
    let adam: SavedMeta['adam'] = null;
    if (optimizer) {
      const st = optimizer.getState();
      const names: string[] = [];
      const shapes: number[][] = [];
      for (const [n, mv] of st.moments) {
        names.push(n);
        shapes.push(mv.shape);
        arrays.set(`adam/m/${n}`, mv.m);
        arrays.set(`adam/v/${n}`, mv.v);
      }
      adam = { step: st.step, lrFactor: st.lrFactor, names, shapes };
    }
    const s = this.strategy.saveState();
    for (const [k, a] of Object.entries(s.arrays)) arrays.set(`strategy/${k}`, a);
    const meta: SavedMeta = {
      fingerprint: this.fingerprint(),
      position,
      taskDone,
      globalStep,
      accuracy,
      evalCounts,
      adam,
      heads: heads.map((h) => ({ classes: h.classes })),
      modelNames,
      strategy: { id: this.strategy.id, meta: s.meta, keys: Object.keys(s.arrays) },
      metrics: accuracy.length > 0 ? continualMetrics(accuracy, evalCounts) : null,
    };
    writeCheckpointFile(path, { meta, arrays });
    this.emit({ type: 'checkpoint', path, position, taskDone });
  }

  private restore(path: string, meta: SavedMeta, arrays: ReadonlyMap<string, StoredArray>): void {
    const need = (key: string): StoredArray => {
      const a = arrays.get(key);
      if (a === undefined) throw new CheckpointError(`${path}: array "${key}" is missing`);
      return a;
    };
    const weights = readSafetensors(
      need(MODEL_WEIGHTS_KEY) as Uint8Array,
      `${path}#${MODEL_WEIGHTS_KEY}`,
    ).tensors;
    for (const n of meta.modelNames) {
      const v = this.backbone.parameters.get(n);
      if (v === undefined)
        throw new CheckpointError(`${path}: stores parameter "${n}", which the backbone lacks`);
      const data = weights.get(n)?.data;
      if (data === undefined) throw new CheckpointError(`${path}: weights of "${n}" are missing`);
      if (data.length !== v.size) {
        throw new CheckpointError(
          `${path}: parameter "${n}" has ${data.length} values, the backbone expects ${v.size}`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(data as Float32Array, v.shape)));
    }
    this.heads.setState(
      meta.heads.map((h, i) => ({
        classes: h.classes,
        weight: need(`heads/${i}/weight`) as Float32Array,
        bias: need(`heads/${i}/bias`) as Float32Array,
      })),
    );
    const sArrays: Record<string, Float32Array | Float64Array | Uint8Array> = {};
    for (const k of meta.strategy.keys)
      sArrays[k] = need(`strategy/${k}`) as Float32Array | Float64Array | Uint8Array;
    this.strategy.loadState({ meta: meta.strategy.meta, arrays: sArrays });
  }

  /** Frees the heads (the backbone and the strategy belong to the caller). */
  dispose(): void {
    this.heads.dispose();
  }
}
