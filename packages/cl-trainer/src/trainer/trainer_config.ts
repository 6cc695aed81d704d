/**
 * Hyper-parameters of a class-incremental run (defaults: the official recipe, spec §4).
 *
 * @module
 */

/**
 * Configuration of {@link ContinualTrainer}.
 *
 * @category Trainer
 */
export interface TrainerConfig {
  /** Epochs per task (official 10). */
  readonly epochs: number;
  /** Passes over the task data per epoch (official 5). Default 1. */
  readonly expandTimes?: number;
  /** Base learning rate (official 2e-4). */
  readonly lr: number;
  /** lr multiplier of the head group (official 50). Default 50. */
  readonly headLrScale?: number;
  /** Coupled L2 coefficient, both groups (official 5e-5). Default 5e-5. */
  readonly weightDecay?: number;
  /** Adam betas; default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Adam eps; default 1e-8. */
  readonly eps?: number;
  /** MultiStep milestones (timm semantics); default [5, 8]. */
  readonly milestones?: readonly number[];
  /** MultiStep decay; default 0.1. */
  readonly gamma?: number;
  /** Run seed (heads, shuffles, augmentation). */
  readonly seed: number;
  /** Official task-1 head warm start (spec §2); default true. */
  readonly warmStartHead?: boolean;
  /**
   * Worker threads that compute gradients beside the main thread (`DataParallelClassifier` of
   * `@mamba-cl/ssm-core`: each batch is split into workers + 1 shards). Default 0: one thread. Applies
   * when the backbone is a `VisionMamba` and the strategy adds no `extraLoss`; otherwise the step
   * stays on the main thread. Results equal the one-thread run up to float32 rounding (the sum order
   * of the shards' gradients), so a given worker count gives the same figures on every machine.
   */
  readonly workers?: number;
  /** Checkpointing; off when absent. */
  readonly checkpoint?: {
    /** Folder of `checkpoint.mclckpt` (created if missing). */
    readonly dir: string;
    /** Also write every N optimizer steps (0: only after tasks). */
    readonly everySteps?: number;
    /** Backbone weights to store: the trainable ones (default; frozen ones come from the pretrained file) or all. */
    readonly modelWeights?: 'trainable' | 'all';
  };
}

/** {@link TrainerConfig} with every default filled in. @category Trainer */
export type ResolvedTrainerConfig = Required<Omit<TrainerConfig, 'checkpoint'>> &
  Pick<TrainerConfig, 'checkpoint'>;

/**
 * Fills in defaults and checks ranges.
 *
 * @param config - user config
 * @returns resolved config
 * @throws `RangeError` naming the bad field
 * @category Trainer
 */
export function resolveTrainerConfig(config: TrainerConfig): ResolvedTrainerConfig {
  const r: ResolvedTrainerConfig = {
    epochs: config.epochs,
    expandTimes: config.expandTimes ?? 1,
    lr: config.lr,
    headLrScale: config.headLrScale ?? 50,
    weightDecay: config.weightDecay ?? 5e-5,
    betas: config.betas ?? [0.9, 0.999],
    eps: config.eps ?? 1e-8,
    milestones: config.milestones ?? [5, 8],
    gamma: config.gamma ?? 0.1,
    seed: config.seed,
    warmStartHead: config.warmStartHead ?? true,
    workers: config.workers ?? 0,
    checkpoint: config.checkpoint,
  };
  const bad = (field: string, v: unknown, expected: string): never => {
    throw new RangeError(`trainer config: ${field} = ${JSON.stringify(v)}; expected ${expected}`);
  };
  if (!Number.isInteger(r.epochs) || r.epochs < 1) bad('epochs', r.epochs, 'an integer ≥ 1');
  if (!Number.isInteger(r.expandTimes) || r.expandTimes < 1)
    bad('expandTimes', r.expandTimes, 'an integer ≥ 1');
  if (!(r.lr > 0)) bad('lr', r.lr, 'a positive number');
  if (!(r.weightDecay >= 0)) bad('weightDecay', r.weightDecay, 'a number ≥ 0');
  if (!Number.isInteger(r.seed)) bad('seed', r.seed, 'an integer');
  if (!Number.isInteger(r.workers) || r.workers < 0) bad('workers', r.workers, 'an integer ≥ 0');
  const every = r.checkpoint?.everySteps ?? 0;
  if (!Number.isInteger(every) || every < 0) bad('checkpoint.everySteps', every, 'an integer ≥ 0');
  return r;
}
