/**
 * Batching for training and evaluation (CONTRACTS.md): per-epoch seeded shuffling, `expandTimes`
 * (spec §4), drop-last, NHWC float32 batches, and prefetching in worker threads.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRng } from '../rng/pcg64.js';
import type { LabeledItem } from '../sources/image_source.js';
import {
  adaptPipeline,
  type LoaderPipelineSpec,
  resolvePipeline,
  type SampleTransform,
} from './pipeline_spec.js';
import { type Batch, ImageCache, runJobs, type SampleJob } from './sample_job.js';

/**
 * Options of {@link DataLoader}.
 *
 * @category Loading
 */
export interface DataLoaderOptions {
  /** Samples per batch (200 for training, 100 for evaluation in the official code). */
  batchSize: number;
  /** The per-sample pipeline: data ({@link LoaderPipelineSpec}, required with workers) or a function (inline only). */
  pipeline: LoaderPipelineSpec | SampleTransform;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffles and of every sample's augmentation generator (default 0). */
  seed?: number;
  /** Dataset length ×k; index i reads item i mod N, augmented afresh (spec §4: 5). Default 1. */
  expandTimes?: number;
  /** Drop a last incomplete batch (default false, as the official code). */
  dropLast?: boolean;
  /** Worker threads that decode + augment ahead of the consumer (default 0 = inline). */
  workers?: number;
  /** Batches requested ahead per worker (default 2): bounds memory. */
  prefetch?: number;
  /** Cache decoded images of file-backed items: true (no limit) or a maximum image count. Default off. */
  cache?: boolean | number;
  /** Keep workers alive between epochs until {@link DataLoader.close} (default false: one pool per epoch). */
  persistentWorkers?: boolean;
}

interface Pending {
  resolve(b: Batch): void;
  reject(e: Error): void;
}

class WorkerHandle {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  failure: Error | undefined;

  constructor(init: { pipeline: LoaderPipelineSpec; seed: number; cacheImages: number }) {
    this.worker = spawnLoaderWorker(init);
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; batch?: Batch; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`loader worker: ${msg.error}`));
      else p.resolve(msg.batch!);
    });
    const failAll = (e: Error) => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', (e) => failAll(new Error(`loader worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => failAll(new Error(`loader worker exited (code ${code})`)));
  }

  request(id: number, epoch: number, jobs: SampleJob[]): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const transfer = jobs.flatMap((j) => (j.image ? [j.image.pixels.buffer as ArrayBuffer] : []));
      this.worker.postMessage({ id, epoch, jobs }, transfer);
    });
  }
}

function spawnLoaderWorker(init: {
  pipeline: LoaderPipelineSpec;
  seed: number;
  cacheImages: number;
}): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // running from TypeScript sources (tests, tsx): boot the worker through tsx
    const entry = new URL('./loader_worker.ts', here).href;
    const tsxApi = createRequire(here).resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(pathToFileURL(tsxApi.replace(/\.cjs$/, '.mjs')).href)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
    const execArgv = process.execArgv.some((a) => a.includes('@mamba-cl/source'))
      ? process.execArgv
      : [...process.execArgv, '--conditions=@mamba-cl/source'];
    return new Worker(code, { eval: true, workerData: init, execArgv });
  }
  return new Worker(new URL('./loader_worker.js', here), { workerData: init });
}

/**
 * Iterates a list of labelled items in batches.
 *
 * **Details**
 * Epoch e visits the expanded indices 0 … k·N−1 (k = expandTimes), in the order
 * `default_rng([seed, e, 0, 2]).shuffle(arange(k·N))` when shuffling; index i reads item i mod N and
 * runs the pipeline with `default_rng([seed, e, i, 1])`, so batches are identical for any worker count.
 * With `workers > 0` the main thread only slices packed pixels (or passes file paths); decoding and
 * augmentation run in `node:worker_threads`, at most `workers·prefetch` batches ahead. Workers are
 * terminated when an epoch ends or its iteration is abandoned (break/throw), or by `close()` with
 * `persistentWorkers`.
 *
 * @example
 * const loader = new DataLoader(task.train, { batchSize: 200, expandTimes: 5, seed: 2024,
 *   pipeline: { preset: 'cifar100-train' }, workers: 1 });
 * for await (const { images, labels, shape } of loader) { ... } // images: [b, H, W, C]
 * @category Loading
 */
export class DataLoader implements AsyncIterable<Batch> {
  readonly items: readonly LabeledItem[];
  readonly options: Readonly<Required<Omit<DataLoaderOptions, 'cache'>>> & { cacheImages: number };
  /** The epoch the next `for await` runs (incremented by each `[Symbol.asyncIterator]` call). */
  epoch = 0;
  private pool: WorkerHandle[] | undefined;
  private inlineTransform: Promise<SampleTransform> | undefined;
  private readonly mainCache: ImageCache | undefined;

  /**
   * @param items - the dataset (e.g. `task.train`)
   * @param options - batching, pipeline, workers
   */
  constructor(items: readonly LabeledItem[], options: DataLoaderOptions) {
    const o = options;
    const intOpt = (v: number | undefined, d: number, name: string, min: number) => {
      const x = v ?? d;
      if (!Number.isInteger(x) || x < min)
        throw new RangeError(`DataLoader: ${name} must be an integer ≥ ${min}, got ${v}`);
      return x;
    };
    const cacheImages =
      o.cache === true ? Number.POSITIVE_INFINITY : typeof o.cache === 'number' ? o.cache : 0;
    this.options = {
      batchSize: intOpt(o.batchSize, 0, 'batchSize', 1),
      pipeline: o.pipeline,
      shuffle: o.shuffle ?? true,
      seed: intOpt(o.seed, 0, 'seed', 0),
      expandTimes: intOpt(o.expandTimes, 1, 'expandTimes', 1),
      dropLast: o.dropLast ?? false,
      workers: intOpt(o.workers, 0, 'workers', 0),
      prefetch: intOpt(o.prefetch, 2, 'prefetch', 1),
      persistentWorkers: o.persistentWorkers ?? false,
      cacheImages,
    };
    if (this.options.workers > 0 && typeof o.pipeline === 'function') {
      throw new TypeError(
        'DataLoader: workers need the pipeline as data ({ preset, options }), a function cannot be sent to a worker',
      );
    }
    this.items = items;
    this.mainCache = cacheImages > 0 ? new ImageCache(cacheImages) : undefined;
  }

  /** Samples per epoch: expandTimes · N. */
  get numSamples(): number {
    return this.items.length * this.options.expandTimes;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.numSamples;
    const b = this.options.batchSize;
    return this.options.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  /**
   * The sample order of an epoch (expanded indices).
   *
   * @param epoch - epoch number
   * @returns k·N indices
   */
  order(epoch: number): Int32Array {
    const n = this.numSamples;
    const idx = Array.from({ length: n }, (_, i) => i);
    if (this.options.shuffle) createRng([this.options.seed, epoch, 0, 2]).shuffle(idx);
    return Int32Array.from(idx);
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.iterate(this.epoch++);
  }

  /**
   * Iterates one epoch.
   *
   * @param epoch - epoch number (keys the shuffle and the augmentation)
   * @returns the batches
   */
  async *iterate(epoch: number): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const { batchSize } = this.options;
    const numBatches = this.length;
    const jobsOf = async (b: number, forWorker: boolean): Promise<SampleJob[]> => {
      const jobs: SampleJob[] = [];
      const end = Math.min(order.length, (b + 1) * batchSize);
      for (let p = b * batchSize; p < end; p++) {
        const index = order[p];
        const itemIdx = index % this.items.length;
        const item = this.items[itemIdx];
        const job: SampleJob = { index, item: itemIdx, label: item.label, key: item.key };
        if (item.file && forWorker) {
          job.file = item.file;
        } else {
          let img = this.mainCache?.get(itemIdx);
          if (!img) {
            img = await item.load();
            if (item.file) this.mainCache?.set(itemIdx, img);
          }
          // workers get a private copy (transferred); inline runs use the image as is
          job.image = forWorker ? { ...img, pixels: img.pixels.slice() } : img;
        }
        jobs.push(job);
      }
      return jobs;
    };

    if (this.options.workers === 0) {
      this.inlineTransform ??=
        typeof this.options.pipeline === 'function'
          ? Promise.resolve(adaptPipeline(this.options.pipeline))
          : resolvePipeline(this.options.pipeline);
      const transform = await this.inlineTransform;
      for (let b = 0; b < numBatches; b++) {
        yield await runJobs(await jobsOf(b, false), transform, this.options.seed, epoch, this.mainCache);
      }
      return;
    }

    const pool = this.startPool();
    const inFlight: Promise<Batch>[] = [];
    let next = 0;
    const fill = async () => {
      while (next < numBatches && inFlight.length < pool.length * this.options.prefetch) {
        const b = next++;
        const jobs = await jobsOf(b, true);
        const p = pool[b % pool.length].request(b, epoch, jobs);
        p.catch(() => undefined); // observed when awaited in order
        inFlight.push(p);
      }
    };
    try {
      for (let b = 0; b < numBatches; b++) {
        await fill();
        const batch = await inFlight.shift()!;
        yield batch;
      }
    } finally {
      if (!this.options.persistentWorkers) await this.close();
    }
  }

  private startPool(): WorkerHandle[] {
    if (!this.pool || this.pool.some((w) => w.failure)) {
      if (this.pool) for (const w of this.pool) void w.worker.terminate();
      const pipeline = this.options.pipeline as LoaderPipelineSpec;
      this.pool = Array.from(
        { length: this.options.workers },
        () =>
          new WorkerHandle({
            pipeline,
            seed: this.options.seed,
            cacheImages: Number.isFinite(this.options.cacheImages) ? this.options.cacheImages : 2 ** 31,
          }),
      );
    }
    return this.pool;
  }

  /** Number of live worker threads (0 when idle without persistent workers). */
  get liveWorkers(): number {
    return this.pool?.length ?? 0;
  }

  /** Terminates the worker threads (safe to call any time; a later epoch starts a new pool). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await Promise.all(pool.map((w) => w.worker.terminate()));
  }
}
