/**
 * One linear head per task, concatenated at test time (spec §2).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRng } from '../rng/seeded_rng.js';

/**
 * One task's head: `logits = features·Wᵀ + b`, PyTorch layout.
 *
 * @category Heads
 */
export interface TaskHead {
  /** Global class ids of the task, in task order (local label = position). */
  readonly classes: readonly number[];
  /** [C_τ, dModel]. */
  readonly weight: tf.Variable;
  /** [C_τ]. */
  readonly bias: tf.Variable;
}

/**
 * Options of {@link TaskHeads}.
 *
 * @category Heads
 */
export interface TaskHeadsOptions {
  /** Feature width (fan_in). */
  readonly dModel: number;
  /** Seed of the fresh-head initialisation (drawn per task from `derive(seed, 'head', t)`). */
  readonly seed: number;
  /**
   * Replicate the official warm start: a new head is made only when the previous evaluation head
   * (all seen heads concatenated) has a different size; otherwise that head is copied (in practice:
   * task 1 starts from the trained task-0 head when C_0 = C_1). Default true.
   */
  readonly warmStart?: boolean;
}

/**
 * The per-task heads of a class-incremental run.
 *
 * **Details**
 * Training on task t uses head t alone (local labels 0..C_t−1). A fresh head uses PyTorch's default
 * `Linear` init: weight and bias ~ U(−1/√fan_in, 1/√fan_in), seeded per task. With `warmStart`
 * (default, as the official code) a task whose size equals the concatenated size of all earlier
 * heads starts from a copy of that concatenation. At test time the heads of tasks 0..t are
 * concatenated and the prediction is the argmax over all seen classes, mapped back to global ids.
 *
 * @example
 * const heads = new TaskHeads({ dModel: 1024, seed: 2024 });
 * heads.startTask(0, task.classes);
 * const logits = heads.logits(features, [0]);      // [batch, C_0]
 * @category Heads
 */
export class TaskHeads {
  private readonly heads: TaskHead[] = [];
  readonly dModel: number;
  readonly seed: number;
  readonly warmStart: boolean;
  private static counter = 0;
  private readonly instance = TaskHeads.counter++;

  constructor(options: TaskHeadsOptions) {
    this.dModel = options.dModel;
    this.seed = options.seed;
    this.warmStart = options.warmStart ?? true;
  }

  /** Number of heads made so far. */
  get count(): number {
    return this.heads.length;
  }

  /**
   * Head of task t.
   *
   * @param t - task index
   */
  head(t: number): TaskHead {
    const h = this.heads[t];
    if (h === undefined)
      throw new RangeError(`TaskHeads: no head for task ${t} (${this.heads.length} heads exist)`);
    return h;
  }

  /**
   * Creates the head of task t (fresh or warm-started, see the class doc). Tasks start in order.
   *
   * @param t - task index, equal to {@link TaskHeads.count}
   * @param classes - global class ids of the task
   * @returns the new head (its variables are trainable)
   */
  startTask(t: number, classes: readonly number[]): TaskHead {
    if (t !== this.heads.length) {
      throw new Error(
        `TaskHeads.startTask(${t}): heads exist for tasks 0..${this.heads.length - 1}; expected task ${this.heads.length}`,
      );
    }
    const c = classes.length;
    const prevSize = this.heads.reduce((s, h) => s + h.classes.length, 0);
    const name = (k: string): string => `heads.${this.instance}.${t}.${k}`;
    let weight: tf.Variable;
    let bias: tf.Variable;
    if (this.warmStart && t > 0 && prevSize === c) {
      weight = tf.tidy(() => tf.variable(tf.concat(this.heads.map((h) => h.weight)), true, name('weight')));
      bias = tf.tidy(() => tf.variable(tf.concat(this.heads.map((h) => h.bias)), true, name('bias')));
    } else {
      const rng = SeededRng.derive(this.seed, 'head', t);
      const bound = 1 / Math.sqrt(this.dModel);
      const w = new Float32Array(c * this.dModel);
      for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
      const b = new Float32Array(c);
      for (let i = 0; i < c; i++) b[i] = rng.uniform(-bound, bound);
      weight = tf.tidy(() => tf.variable(tf.tensor2d(w, [c, this.dModel]), true, name('weight')));
      bias = tf.tidy(() => tf.variable(tf.tensor1d(b), true, name('bias')));
    }
    const head: TaskHead = { classes: [...classes], weight, bias };
    this.heads.push(head);
    return head;
  }

  /**
   * Concatenated logits of the given heads.
   *
   * @param features - [batch, dModel]
   * @param tasks - head indices, concatenated in this order
   * @returns logits [batch, Σ C_τ]
   */
  logits(features: tf.Tensor2D, tasks: readonly number[]): tf.Tensor2D {
    return tf.tidy(() => {
      const { weight, bias } = this.concatenated(tasks);
      return tf.add(tf.matMul(features, weight, false, true), bias) as tf.Tensor2D;
    });
  }

  /**
   * The given heads as one linear head (what {@link TaskHeads.logits} applies).
   *
   * **Details**
   * For one task these are the head's own variables; for several, new tensors (the caller disposes
   * them) whose rows are the heads' rows in `tasks` order.
   *
   * @param tasks - head indices, concatenated in this order
   * @returns weight [Σ C_τ, dModel] and bias [Σ C_τ]
   */
  concatenated(tasks: readonly number[]): {
    weight: tf.Variable | tf.Tensor2D;
    bias: tf.Variable | tf.Tensor1D;
  } {
    const hs = tasks.map((t) => this.head(t));
    if (hs.length === 1) return { weight: hs[0].weight, bias: hs[0].bias };
    return {
      weight: tf.concat(hs.map((h) => h.weight)) as tf.Tensor2D,
      bias: tf.concat(hs.map((h) => h.bias)) as tf.Tensor1D,
    };
  }

  /**
   * Global class ids behind the columns of {@link TaskHeads.logits} for these tasks.
   *
   * @param tasks - head indices
   */
  classesOf(tasks: readonly number[]): number[] {
    return tasks.flatMap((t) => this.head(t).classes);
  }

  /**
   * Copies every head out (for checkpoints); asynchronous, as webgpu under Node reads back only so.
   *
   * @returns per head: classes, weight [C, dModel] and bias [C]
   */
  async getState(): Promise<{ classes: number[]; weight: Float32Array; bias: Float32Array }[]> {
    const out: { classes: number[]; weight: Float32Array; bias: Float32Array }[] = [];
    for (const h of this.heads) {
      out.push({
        classes: [...h.classes],
        weight: (await h.weight.data()) as Float32Array,
        bias: (await h.bias.data()) as Float32Array,
      });
    }
    return out;
  }

  /**
   * Replaces every head with saved ones.
   *
   * @param state - from {@link TaskHeads.getState}
   */
  setState(state: readonly { classes: readonly number[]; weight: Float32Array; bias: Float32Array }[]): void {
    this.dispose();
    state.forEach((s, t) => {
      const c = s.classes.length;
      if (s.weight.length !== c * this.dModel || s.bias.length !== c) {
        throw new Error(
          `TaskHeads.setState: head ${t} has ${s.weight.length} weights and ${s.bias.length} biases, expected ${c}×${this.dModel} and ${c}`,
        );
      }
      this.heads.push({
        classes: [...s.classes],
        weight: tf.tidy(() =>
          tf.variable(
            tf.tensor2d(s.weight, [c, this.dModel]),
            true,
            `heads.${this.instance}.${t}.weight.r${TaskHeads.counter++}`,
          ),
        ),
        bias: tf.tidy(() =>
          tf.variable(tf.tensor1d(s.bias), true, `heads.${this.instance}.${t}.bias.r${TaskHeads.counter++}`),
        ),
      });
    });
  }

  /** Frees every head. */
  dispose(): void {
    for (const h of this.heads) {
      h.weight.dispose();
      h.bias.dispose();
    }
    this.heads.length = 0;
  }
}
