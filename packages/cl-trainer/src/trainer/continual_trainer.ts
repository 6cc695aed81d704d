/**
 * The class-incremental trainer (spec §2, §4, §6): a thin class over the run's pieces — the task
 * loop (`task_loop.ts`), one task's training (`train_task.ts`), the step (`train_step.ts`), the
 * gradient workers (`parallel_step.ts`), evaluation (`evaluate.ts`) and checkpoint I/O
 * (`trainer_checkpoint.ts`).
 *
 * @module
 */
import type { Backbone } from '../backbone/backbone.js';
import type { TrainerEvent, TrainerListener } from '../events/trainer_events.js';
import { TaskHeads } from '../heads/task_heads.js';
import type { JsonValue, Strategy, StrategyContext } from '../strategy/strategy.js';
import type { TaskStream } from '../stream/task_stream.js';
import { evaluateSeenTasks } from './evaluate.js';
import { GradientWorkers } from './parallel_step.js';
import { runFingerprint } from './run_fingerprint.js';
import { type RunResult, runTaskLoop } from './task_loop.js';
import { type ResolvedTrainerConfig, resolveTrainerConfig, type TrainerConfig } from './trainer_config.js';
import type { TrainerRuntime } from './trainer_runtime.js';

export type { RunResult } from './task_loop.js';
export { CHECKPOINT_FILE, checkpointModelWeights, MODEL_WEIGHTS_KEY } from './trainer_checkpoint.js';

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
    return runFingerprint(this.runtime());
  }

  /**
   * Runs the whole stream (or its rest, when resuming).
   *
   * @param options - `resume: true` continues from the checkpoint in `config.checkpoint.dir`;
   *   aborting `signal` (Ctrl-C) stops the run after the current step, with a checkpoint of exactly
   *   that point, and throws {@link TrainingStopped}
   * @returns accuracy matrix, counts and metrics
   * @throws {@link NonFiniteLossError}, {@link CheckpointError} (corrupt or mismatched checkpoint),
   *   {@link TrainingStopped}
   */
  async run(options: { resume?: boolean; signal?: AbortSignal } = {}): Promise<RunResult> {
    const workers = new GradientWorkers(this.backbone, this.config.workers);
    try {
      return await runTaskLoop(this.runtime(), workers, options);
    } finally {
      await workers.dispose();
    }
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

  /**
   * Accuracy (percent) of every seen task with the concatenated heads of tasks 0..t.
   *
   * @param t - last trained task
   * @param counts - filled with n_τ
   * @returns row t of the accuracy matrix
   */
  async evaluate(t: number, counts: number[] = []): Promise<number[]> {
    return evaluateSeenTasks(this, t, counts);
  }

  /** Frees the heads (the backbone and the strategy belong to the caller). */
  dispose(): void {
    this.heads.dispose();
  }

  private runtime(): TrainerRuntime {
    return {
      backbone: this.backbone,
      strategy: this.strategy,
      stream: this.stream,
      config: this.config,
      heads: this.heads,
      trainable: this.trainable,
      emit: this.emit,
      context: (t) => this.context(t),
      fingerprint: () => this.fingerprint(),
    };
  }
}
