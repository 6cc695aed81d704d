/**
 * A {@link TaskStream} over arrays held in memory: for tests, small experiments and pre-decoded
 * data.
 *
 * @module
 */
import { SeededRng } from '../rng/seeded_rng.js';
import type { Batch, TaskStream, TrainRequest } from './task_stream.js';

/**
 * Images and global labels of one split.
 *
 * @category Data
 */
export interface ArraySplit {
  /** [n, H, W, C] row-major. */
  readonly images: Float32Array;
  /** Global class ids, length n. */
  readonly labels: Int32Array | readonly number[];
}

/**
 * Options of {@link inMemoryStream}.
 *
 * @category Data
 */
export interface InMemoryStreamOptions {
  /** Per task: classes (global ids, task order) and its train and validation splits. */
  readonly tasks: readonly {
    readonly classes: readonly number[];
    readonly train: ArraySplit;
    readonly val: ArraySplit;
  }[];
  /** [H, W, C]. */
  readonly imageShape: readonly [number, number, number];
  /** Training batch size (official 200). */
  readonly batchSize: number;
  /** Eval and collection batch size (official 100). */
  readonly evalBatchSize?: number;
  /** Drop a last incomplete training batch; default false. */
  readonly dropLast?: boolean;
  /** Optional training-time transform per image (augmentation), given a seeded generator. */
  readonly augment?: (image: Float32Array, rng: SeededRng) => Float32Array;
  /** Class order to record in checkpoints. */
  readonly classOrder?: readonly number[];
}

/**
 * Builds an in-memory {@link TaskStream}.
 *
 * **Details**
 * An epoch over tasks S with `expandTimes` E reads every sample of S E times: index i of the
 * E·N-long virtual dataset reads sample i mod N (the official `expand_times`), shuffled by a
 * generator derived from (seed, tasks, epoch), so any epoch can be replayed and resumed at a batch.
 * Evaluation and collection batches are in storage order, unshuffled.
 *
 * @param options - tasks, image shape, batch sizes
 * @returns the stream
 * @example
 * const stream = inMemoryStream({ tasks, imageShape: [8, 8, 3], batchSize: 16 });
 * @category Data
 */
export function inMemoryStream(options: InMemoryStreamOptions): TaskStream {
  const [H, W, C] = options.imageShape;
  const per = H * W * C;
  const evalBatch = options.evalBatchSize ?? 100;
  options.tasks.forEach((t, i) => {
    for (const [name, s] of [
      ['train', t.train],
      ['val', t.val],
    ] as const) {
      if (s.images.length !== s.labels.length * per) {
        throw new Error(
          `inMemoryStream: task ${i} ${name} has ${s.images.length} image values for ${s.labels.length} labels; expected ${s.labels.length}×${H}×${W}×${C}`,
        );
      }
      for (const l of s.labels) {
        if (!t.classes.includes(l))
          throw new Error(
            `inMemoryStream: task ${i} ${name} has label ${l}, not among its classes [${t.classes}]`,
          );
      }
    }
  });
  const gather = (parts: { split: ArraySplit; index: number }[], rng?: SeededRng): Batch => {
    const b = parts.length;
    const images = new Float32Array(b * per);
    const labels = new Int32Array(b);
    parts.forEach(({ split, index }, j) => {
      let img = split.images.subarray(index * per, (index + 1) * per);
      if (rng && options.augment) img = options.augment(img, rng);
      images.set(img, j * per);
      labels[j] = split.labels[index];
    });
    return { images, labels, shape: [b, H, W, C] };
  };
  function* sequential(split: ArraySplit): Generator<Batch> {
    const n = split.labels.length;
    for (let s = 0; s < n; s += evalBatch) {
      const parts = [];
      for (let i = s; i < Math.min(n, s + evalBatch); i++) parts.push({ split, index: i });
      yield gather(parts);
    }
  }
  const trainItems = (tasks: readonly number[]): { split: ArraySplit; index: number }[] =>
    tasks.flatMap((t) => {
      const split = options.tasks[t].train;
      return Array.from({ length: split.labels.length }, (_, index) => ({ split, index }));
    });
  const count = (n: number): number =>
    options.dropLast ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize);
  return {
    tasks: options.tasks.map((t) => ({ classes: t.classes })),
    classOrder: options.classOrder ?? options.tasks.flatMap((t) => t.classes),
    *train(req: TrainRequest): Generator<Batch> {
      const items = trainItems(req.tasks);
      const n = items.length * req.expandTimes;
      const order = SeededRng.derive(req.seed, 'shuffle', req.tasks.join(','), req.epoch).shuffled(
        Array.from({ length: n }, (_, i) => i),
      );
      const batches = count(n);
      for (let k = req.startBatch; k < batches; k++) {
        const idx = order.slice(k * options.batchSize, Math.min(n, (k + 1) * options.batchSize));
        const rng = SeededRng.derive(req.seed, 'augment', req.tasks.join(','), req.epoch, k);
        yield gather(
          idx.map((i) => items[i % items.length]),
          rng,
        );
      }
    },
    trainBatchCount(req) {
      return count(trainItems(req.tasks).length * req.expandTimes);
    },
    eval: (t: number) => sequential(options.tasks[t].val),
    collect: (t: number) => sequential(options.tasks[t].train),
  };
}
