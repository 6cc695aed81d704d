/**
 * A {@link TaskStream} over epoch-keyed loaders such as `DataLoader` of `@mamba-cl/datasets`.
 *
 * @module
 */
import {
  type Batch,
  type BatchSource,
  iterateBatches,
  type TaskStream,
  type TrainRequest,
} from './task_stream.js';

/**
 * What {@link loaderStream} needs from a training loader: deterministic epochs by number (the
 * shuffle and augmentation keyed by seed and epoch) and the batch count. `DataLoader` fits.
 *
 * @category Data
 */
export interface EpochLoader {
  /** Batches of one epoch. */
  iterate(epoch: number): AsyncIterable<Batch> | Iterable<Batch>;
  /** Batches per epoch. */
  readonly length: number;
}

/**
 * Options of {@link loaderStream}.
 *
 * @category Data
 */
export interface LoaderStreamOptions {
  /** Tasks in order (global class ids, local label = position). */
  readonly tasks: readonly { readonly classes: readonly number[] }[];
  /** The class order (recorded in checkpoints). */
  readonly classOrder?: readonly number[];
  /**
   * Makes the training loader over the union of these tasks' training items, with this many passes
   * per epoch and this seed (e.g. `new DataLoader(items, { batchSize: 200, pipeline, shuffle: true,
   * expandTimes, seed })`). Called once per distinct (tasks, expandTimes, seed).
   */
  readonly train: (tasks: readonly number[], expandTimes: number, seed: number) => EpochLoader;
  /** Validation batches of a task (eval transform, batch 100). */
  readonly eval: (task: number) => BatchSource;
  /** Feature-collection batches of a task (train items, eval transform, batch 100, no shuffle). */
  readonly collect: (task: number) => BatchSource;
  /** Called when a training loader is no longer needed (e.g. `loader.close()`). */
  readonly release?: (loader: EpochLoader) => void | Promise<void>;
}

/**
 * Adapts epoch-keyed loaders to the trainer's {@link TaskStream}.
 *
 * **Details**
 * `train(request)` iterates `loader.iterate(request.epoch)` and drops the first `startBatch`
 * batches when a run resumes inside an epoch (they are still produced, so the augmentation streams
 * stay aligned: resumed runs see exactly the batches an uninterrupted run would). The loader of the
 * previous task set is released when another set is requested.
 *
 * @param options - tasks and loader factories
 * @returns the stream
 * @example
 * const stream = loaderStream({
 *   tasks: split.tasks, classOrder: split.classOrder,
 *   train: (ts, expandTimes, seed) => new DataLoader(ts.flatMap((t) => split.tasks[t].train), { batchSize: 200, pipeline: trainPipe, expandTimes, seed }),
 *   eval: (t) => new DataLoader(split.tasks[t].val, { batchSize: 100, pipeline: evalPipe, shuffle: false }),
 *   collect: (t) => new DataLoader(split.tasks[t].train, { batchSize: 100, pipeline: evalPipe, shuffle: false }),
 * });
 * @category Data
 */
export function loaderStream(options: LoaderStreamOptions): TaskStream {
  let current: { key: string; loader: EpochLoader } | undefined;
  const loaderFor = (tasks: readonly number[], expandTimes: number, seed: number): EpochLoader => {
    const key = `${tasks.join(',')}|${expandTimes}|${seed}`;
    if (current?.key !== key) {
      if (current) void options.release?.(current.loader);
      current = { key, loader: options.train(tasks, expandTimes, seed) };
    }
    return current.loader;
  };
  return {
    tasks: options.tasks,
    classOrder: options.classOrder,
    train: (req: TrainRequest) =>
      iterateBatches(loaderFor(req.tasks, req.expandTimes, req.seed).iterate(req.epoch), req.startBatch),
    trainBatchCount: (req) => {
      // The count does not depend on the seed: reuse the current loader when it covers these tasks.
      const prefix = `${req.tasks.join(',')}|${req.expandTimes}|`;
      if (current?.key.startsWith(prefix)) return current.loader.length;
      const temp = options.train(req.tasks, req.expandTimes, 0);
      const n = temp.length;
      void options.release?.(temp);
      return n;
    },
    eval: options.eval,
    collect: options.collect,
  };
}
