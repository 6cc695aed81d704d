/**
 * The Strategy contract: lifecycle hooks a continual-learning method plugs into the trainer
 * (Avalanche-like: before/after each task, before each step, after backward), extra loss terms, a
 * transform of the optimizer's final step (where Mamba-CL's projection sits), state save/load and
 * dispose.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbone/backbone.js';
import type { TrainerEvent } from '../events/trainer_events.js';
import type { TaskHeads } from '../heads/task_heads.js';
import type { TaskStream } from '../stream/task_stream.js';

/**
 * A JSON value (strategy options and state metadata are JSON).
 *
 * @category Strategy
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Saved state of a strategy: JSON metadata plus named binary arrays (covariances, projectors,
 * Fisher diagonals, teacher weights).
 *
 * @category Strategy
 */
export interface StrategyState {
  /** Anything JSON. */
  readonly meta: JsonValue;
  /** Named arrays; keys are free-form (e.g. `cov/blocks.0.step`). */
  readonly arrays: Readonly<Record<string, Float32Array | Float64Array | Uint8Array>>;
}

/**
 * What every hook receives.
 *
 * @category Strategy
 */
export interface StrategyContext {
  /** The model being trained. */
  readonly backbone: Backbone;
  /** Per-task heads (head `task` is the one being trained). */
  readonly heads: TaskHeads;
  /** The data. */
  readonly stream: TaskStream;
  /** Current task index. */
  readonly task: number;
  /** Number of tasks in the stream. */
  readonly numTasks: number;
  /** Backbone parameters the optimizer trains (official rule, spec §2). */
  readonly trainableNames: readonly string[];
  /** Run seed. */
  readonly seed: number;
  /** Emits a trainer event (strategies report their progress at task boundaries this way). */
  readonly emit: (event: TrainerEvent) => void;
}

/**
 * What step hooks receive: the context plus the batch.
 *
 * @category Strategy
 */
export interface StepContext extends StrategyContext {
  /** 0-based epoch in the task. */
  readonly epoch: number;
  /** 0-based batch in the epoch. */
  readonly step: number;
  /** The batch images, [b, H, W, C] (owned by the trainer). */
  readonly images: tf.Tensor4D;
  /** Global labels of the batch. */
  readonly labels: Int32Array;
}

/**
 * A continual-learning strategy.
 *
 * **Details**
 * Per task the trainer calls, in order: `beforeTask` → for every step (`beforeStep` → forward +
 * `extraLoss` inside the gradient tape → `afterBackward` → optimizer step with `transformUpdate`
 * applied to each parameter's final Adam step → `afterStep`) → `afterTask` → evaluation. A resumed
 * run does not repeat `beforeTask` of the task it resumes in: `saveState`/`loadState` must carry
 * everything the hooks built. Tensors a strategy keeps are its own, freed by `dispose`.
 *
 * @category Strategy
 */
export interface Strategy {
  /** Registry id. */
  readonly id: string;
  /** Resolved options (JSON; part of the checkpoint fingerprint). */
  readonly options: Readonly<Record<string, JsonValue>>;
  /**
   * `'current'` (default, official): cross-entropy over the current head's local logits only.
   * `'seen'`: over the concatenated heads of all seen tasks, all of them trained (`joint`).
   */
  readonly lossScope?: 'current' | 'seen';
  /** Tasks whose training data an epoch of task `ctx.task` reads; default `[ctx.task]`. */
  trainingTasks?(ctx: StrategyContext): number[];
  /** After a checkpoint was loaded into this strategy (async work such as reloading a disk store). */
  onResume?(ctx: StrategyContext): void | Promise<void>;
  /** Before training a task (after its head exists). */
  beforeTask?(ctx: StrategyContext): void | Promise<void>;
  /** Before each step, outside the gradient tape (e.g. teacher logits). */
  beforeStep?(ctx: StepContext): void;
  /**
   * An extra loss term, computed inside the gradient tape.
   *
   * @param out - features [b, dModel] and the logits the CE uses [b, C]
   * @returns a scalar added to the loss, or undefined
   */
  extraLoss?(ctx: StepContext, out: { features: tf.Tensor2D; logits: tf.Tensor2D }): tf.Scalar | undefined;
  /** After the gradients exist, before the optimizer step (read only; owned by the trainer). */
  afterBackward?(ctx: StepContext, grads: ReadonlyMap<string, tf.Tensor>): void;
  /**
   * Transforms the final Adam step U of one parameter (spec §3.5); return a new tensor or `update`.
   * Runs inside `tf.tidy`.
   */
  transformUpdate?(name: string, update: tf.Tensor, ctx: StrategyContext): tf.Tensor;
  /** After the optimizer step. */
  afterStep?(ctx: StepContext): void;
  /** After training a task, before its evaluation (Mamba-CL collects features here). */
  afterTask?(ctx: StrategyContext): void | Promise<void>;
  /**
   * Everything needed to continue later. May resolve asynchronously: a strategy holding tensors reads
   * them with `await tensor.data()`, since webgpu under Node has no synchronous read-back.
   */
  saveState(): StrategyState | Promise<StrategyState>;
  /** Restores {@link Strategy.saveState}; throws naming what does not fit. */
  loadState(state: StrategyState): void;
  /** Frees every tensor the strategy holds. */
  dispose(): void;
}
