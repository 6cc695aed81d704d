/**
 * A seeded synthetic class-incremental stream for tests: each class is a random prototype image
 * plus noise.
 *
 * @module
 */
import { SeededRng } from '../rng/seeded_rng.js';
import { inMemoryStream } from '../stream/in_memory_stream.js';
import type { TaskStream } from '../stream/task_stream.js';

/**
 * Options of {@link syntheticStream}.
 *
 * @category Testing
 */
export interface SyntheticStreamOptions {
  readonly numTasks?: number;
  readonly classesPerTask?: number;
  readonly trainPerClass?: number;
  readonly valPerClass?: number;
  /** Image side (square); default 8. */
  readonly imgSize?: number;
  readonly channels?: number;
  readonly batchSize?: number;
  /** Noise std relative to the prototype scale; default 0.5. */
  readonly noise?: number;
  readonly seed?: number;
}

/**
 * Builds a small in-memory stream whose classes are separable but confusable.
 *
 * @param options - sizes and seed
 * @returns the stream (class order: 0..K−1 shuffled by the seed)
 * @example
 * const stream = syntheticStream({ numTasks: 3, classesPerTask: 2 });
 * @category Testing
 */
export function syntheticStream(options: SyntheticStreamOptions = {}): TaskStream {
  const T = options.numTasks ?? 3;
  const C = options.classesPerTask ?? 2;
  const S = options.imgSize ?? 8;
  const ch = options.channels ?? 3;
  const per = S * S * ch;
  const noise = options.noise ?? 0.5;
  const rng = SeededRng.derive(options.seed ?? 0, 'synthetic');
  const order = rng.shuffled(Array.from({ length: T * C }, (_, i) => i));
  const protos = new Map<number, Float32Array>();
  for (const c of order) {
    const p = new Float32Array(per);
    for (let i = 0; i < per; i++) p[i] = rng.uniform(-1, 1);
    protos.set(c, p);
  }
  const gauss = (): number => {
    const u = Math.max(rng.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };
  const make = (classes: number[], n: number) => {
    const images = new Float32Array(classes.length * n * per);
    const labels = new Int32Array(classes.length * n);
    let k = 0;
    for (const c of classes) {
      const p = protos.get(c) as Float32Array;
      for (let j = 0; j < n; j++, k++) {
        for (let i = 0; i < per; i++) images[k * per + i] = p[i] + noise * gauss();
        labels[k] = c;
      }
    }
    return { images, labels };
  };
  const tasks = Array.from({ length: T }, (_, t) => {
    const classes = order.slice(t * C, (t + 1) * C);
    return {
      classes,
      train: make(classes, options.trainPerClass ?? 8),
      val: make(classes, options.valPerClass ?? 4),
    };
  });
  return inMemoryStream({
    tasks,
    imageShape: [S, S, ch],
    batchSize: options.batchSize ?? 8,
    evalBatchSize: 100,
    classOrder: order,
  });
}
