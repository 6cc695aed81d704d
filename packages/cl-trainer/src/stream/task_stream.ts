/**
 * What the trainer reads data from: a class-incremental stream of tasks, each able to produce
 * training, evaluation and feature-collection batches (CONTRACTS.md `DataLoader` batches).
 *
 * @module
 */

/**
 * One batch: NHWC float32 images, already normalised, with global class labels.
 *
 * @category Data
 */
export interface Batch {
  /** [b, H, W, C] row-major. */
  readonly images: Float32Array;
  /** Global class ids, length b. */
  readonly labels: Int32Array;
  /** [b, H, W, C]. */
  readonly shape: readonly [number, number, number, number];
}

/**
 * Batches that can be iterated (sync or async): a `DataLoader`, a generator, an array.
 *
 * @category Data
 */
export type BatchSource = AsyncIterable<Batch> | Iterable<Batch>;

/**
 * Which training batches the trainer asks for.
 *
 * @category Data
 */
export interface TrainRequest {
  /** Tasks whose training data to mix (one task, or all seen tasks for `joint`). */
  readonly tasks: readonly number[];
  /** 0-based epoch within the current task (seeds the shuffle). */
  readonly epoch: number;
  /** Passes over the data per epoch (official: 5, each pass freshly augmented). */
  readonly expandTimes: number;
  /** Run seed. */
  readonly seed: number;
  /** First batch to yield (resume inside an epoch): the source must skip the batches before it. */
  readonly startBatch: number;
}

/**
 * A class-incremental stream.
 *
 * **Details**
 * `train` yields the (shuffled, augmented) training batches of one epoch; the order must depend
 * only on the request, so that a resumed run sees the same batches. `eval(τ)` yields task τ's
 * validation images (eval transform); `collect(τ)` yields task τ's training images with the eval
 * transform, unshuffled, batch 100 (spec §3.2).
 *
 * @category Data
 */
export interface TaskStream {
  /** Tasks in order; `classes` are global ids, local label = position. */
  readonly tasks: readonly { readonly classes: readonly number[] }[];
  /** The class order the split came from (recorded in checkpoints). */
  readonly classOrder?: readonly number[];
  /** Training batches of one epoch. */
  train(request: TrainRequest): BatchSource;
  /** Batches per epoch for a request (for ETA); optional. */
  trainBatchCount?(request: Omit<TrainRequest, 'epoch' | 'startBatch' | 'seed'>): number;
  /** Validation batches of task τ. */
  eval(task: number): BatchSource;
  /** Feature-collection batches of task τ (train images, eval transform, no shuffle). */
  collect(task: number): BatchSource;
}

/**
 * Iterates sync or async batch sources alike.
 *
 * @param source - a batch source
 * @param skip - batches to drop at the start
 * @category Data
 */
export async function* iterateBatches(source: BatchSource, skip = 0): AsyncGenerator<Batch> {
  let i = 0;
  if (Symbol.asyncIterator in source) {
    for await (const b of source as AsyncIterable<Batch>) if (i++ >= skip) yield b;
  } else {
    for (const b of source as Iterable<Batch>) if (i++ >= skip) yield b;
  }
}
