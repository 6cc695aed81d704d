import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend/backend_names.js';
import { currentBackendChoice } from '../backend/select_backend.js';
import type { MixerScanImpl } from '../layers/scan_call.js';
import type { VisionMamba } from '../model/vision_mamba.js';
import { type ClassifierHead, HEAD_BIAS, HEAD_WEIGHT } from './classifier_head.js';
import type { DataParallelWorkerError } from './data_parallel_worker_error.js';
import { GradientWorkerHandle } from './gradient_worker_handle.js';
import type { HeadValue, ParamValue, ResultMessage } from './gradient_worker_messages.js';
import { shardLossAndGrads, tensorOfName } from './shard_loss_and_grads.js';
import { shardSizes } from './shard_sizes.js';

/**
 * Options of {@link DataParallelClassifier.create}.
 *
 * @category Parallel
 */
export interface DataParallelClassifierOptions {
  /**
   * Worker threads besides the main thread (default `max(0, os.availableParallelism() − 1)`).
   * `0` computes everything on the main thread.
   */
  readonly workers?: number;
  /** Backend every worker activates (default: the one of the last `selectBackend` call). */
  readonly backend?: BackendName;
  /** Scan implementation of the workers' replicas; use the main model's (default `'auto'`). */
  readonly scanImpl?: MixerScanImpl;
}

/**
 * The loss and gradients of one batch.
 *
 * @category Parallel
 */
export interface LossAndGrads {
  /** Mean softmax cross-entropy over the whole batch. */
  readonly loss: number;
  /**
   * Gradient of the loss per differentiated name, shaped as the parameter. The tensors belong to
   * the caller, who disposes them.
   */
  readonly grads: Map<string, tf.Tensor>;
}

/** A copy of a tensor's values (dataSync may return the backend's own storage, e.g. on cpu). */
function copyOf(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

function isTrainable(t: tf.Tensor): boolean {
  return !(t instanceof tf.Variable) || t.trainable;
}

/**
 * Data-parallel loss and gradients of a VisionMamba backbone with a linear classification head,
 * over Node `worker_threads`: one batch split into shards, one shard per thread.
 *
 * **Details**
 * tfjs' wasm and cpu backends compute on one thread, so a second core is only used by a second
 * tfjs instance. {@link DataParallelClassifier.create} starts `workers` threads; each activates
 * the same backend, builds a VisionMamba of the main model's config and loads all its parameters.
 * {@link DataParallelClassifier.lossAndGrads} splits the batch into `workers + 1` contiguous
 * shards as evenly as possible (the main thread takes shard 0, the largest; empty shards are
 * skipped), sends each worker the current values of the named backbone parameters and of the head
 * (they change every optimizer step) with its images, computes shard 0 on the main model while the
 * workers compute theirs, then sums: every shard computes
 * loss_s = −(1/B)·Σ_{i∈s} log softmax(W·f(x_i) + b)[y_i]  (B = whole batch),
 * so Σ_s loss_s is the batch mean and Σ_s ∇loss_s its gradient. Results equal a single-thread
 * `tf.variableGrads` of the same loss up to float32 rounding of the sums.
 *
 * Parameters not named in `lossAndGrads` are sent only at creation and by
 * {@link DataParallelClassifier.syncAll}: call it after changing them on the main model (e.g.
 * after loading a checkpoint). `trainable` flags are sent with every step. Always
 * {@link DataParallelClassifier.dispose} the classifier (the threads stay alive until then, but do
 * not keep the process alive while idle).
 *
 * @example
 * await selectBackend('wasm');
 * const model = VisionMamba.create('tiny', { seed: 1 });
 * const dp = await DataParallelClassifier.create(model, { workers: 1 });
 * const names = [...model.trainableNames(), 'head.weight', 'head.bias'];
 * const { loss, grads } = await dp.lossAndGrads(images, targets, { weight: headW, bias: headB }, names);
 * optimizer.applyGradients(names.map((n) => ({ name: n, tensor: grads.get(n)! })));
 * tf.dispose([...grads.values()]);
 * await dp.dispose();
 * @category Parallel
 */
export class DataParallelClassifier {
  /** The main thread's model (the one whose parameters are the truth). */
  readonly model: VisionMamba;
  private readonly handles: readonly GradientWorkerHandle[];
  private disposed = false;

  private constructor(model: VisionMamba, handles: readonly GradientWorkerHandle[]) {
    this.model = model;
    this.handles = handles;
  }

  /**
   * Starts the worker threads and copies the model into each.
   *
   * @param model - the backbone; the classifier reads its parameters but never changes them
   * @param options - number of workers, backend, scan implementation
   * @returns the classifier, once every worker reported ready
   * @throws {@link DataParallelWorkerError} naming the first worker that failed to start (the
   *   others are stopped)
   * @throws `RangeError` for a negative or non-integer worker count
   * @throws `Error` when workers are asked for but no backend was chosen
   * @example
   * const dp = await DataParallelClassifier.create(model, { workers: 1, backend: 'wasm' });
   */
  static async create(
    model: VisionMamba,
    options: DataParallelClassifierOptions = {},
  ): Promise<DataParallelClassifier> {
    const workers = options.workers ?? Math.max(0, availableParallelism() - 1);
    if (!Number.isInteger(workers) || workers < 0) {
      throw new RangeError(`DataParallelClassifier.create: workers is ${workers}, expected an integer ≥ 0`);
    }
    if (workers === 0) return new DataParallelClassifier(model, []);
    const backend = options.backend ?? currentBackendChoice()?.name;
    if (backend === undefined) {
      throw new Error(
        'DataParallelClassifier.create: no backend for the workers: call selectBackend() first or pass options.backend',
      );
    }
    const params = [...model.stateDict()].map(([name, e]) => ({ name, shape: e.shape, data: e.data }));
    const trainable = [...model.parameters.values()].map((v) => v.trainable);
    const init = {
      type: 'init' as const,
      backend,
      config: model.config,
      scanImpl: options.scanImpl ?? 'auto',
      params,
      trainable,
    };
    const started = await Promise.allSettled(
      Array.from({ length: workers }, (_, i) => GradientWorkerHandle.start(i, init)),
    );
    const handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(handles.map((h) => h.close()));
      throw failed.reason;
    }
    return new DataParallelClassifier(model, handles);
  }

  /** Number of worker threads (the batch is split into `workers + 1` shards). */
  get workers(): number {
    return this.handles.length;
  }

  /** Number of worker threads that have not exited (0 after {@link DataParallelClassifier.dispose}). */
  get runningWorkers(): number {
    return this.handles.filter((h) => h.running).length;
  }

  /**
   * Mean softmax cross-entropy of `linear(model.forward(images), head.weight, head.bias)` over the
   * whole batch, and its gradients, computed in shards by the main thread and the workers.
   *
   * **Details**
   * Work is posted to the workers first, then shard 0 is computed synchronously on the main
   * thread, then the replies are awaited and summed. Gradients are returned for every name in
   * `names` that is differentiated: `'head.weight'` and `'head.bias'` address the head, other
   * names backbone parameters; like `tf.variableGrads`, a `tf.Variable` whose `trainable` is false
   * gets none. A non-finite loss is returned as is.
   *
   * @param images - NHWC batch, shape [batch, imgSize, imgSize, inChans], batch ≥ 1
   * @param targets - class index of each image, length batch, each in [0, numClasses)
   * @param head - weight [numClasses, dModel] and bias [numClasses] (variables or tensors)
   * @param names - what to differentiate: backbone parameter names and/or `'head.weight'`, `'head.bias'`
   * @returns the batch-mean loss and name → gradient (parameter shapes); the gradient tensors
   *   belong to the caller, who disposes them
   * @throws {@link DataParallelWorkerError} when a worker fails (message and index of the worker)
   * @throws `Error` for mismatched shapes, an unknown name or an out-of-range target
   * @example
   * const { loss, grads } = await dp.lossAndGrads(images, targets, head, ['head.weight', 'head.bias']);
   * tf.dispose([...grads.values()]);
   */
  async lossAndGrads(
    images: tf.Tensor4D,
    targets: Int32Array,
    head: ClassifierHead,
    names: readonly string[],
  ): Promise<LossAndGrads> {
    this.assertAlive();
    const c = this.model.config;
    if (images.rank !== 4 || images.shape[0] < 1) {
      throw new Error(
        `DataParallelClassifier.lossAndGrads: images have shape [${images.shape}], expected [batch ≥ 1, ${c.imgSize}, ${c.imgSize}, ${c.inChans}]`,
      );
    }
    const batch = images.shape[0];
    if (targets.length !== batch) {
      throw new Error(
        `DataParallelClassifier.lossAndGrads: ${targets.length} targets for ${batch} images, expected one per image`,
      );
    }
    const w = head.weight;
    const b = head.bias;
    if (w.rank !== 2 || w.shape[1] !== c.dModel || b.rank !== 1 || b.shape[0] !== w.shape[0]) {
      throw new Error(
        `DataParallelClassifier.lossAndGrads: head weight [${w.shape}] and bias [${b.shape}], expected [numClasses, ${c.dModel}] and [numClasses]`,
      );
    }
    const numClasses = w.shape[0];
    for (let i = 0; i < batch; i++) {
      const t = targets[i];
      if (!Number.isInteger(t) || t < 0 || t >= numClasses) {
        throw new Error(
          `DataParallelClassifier.lossAndGrads: target ${i} is ${t}, expected a class index in [0, ${numClasses})`,
        );
      }
    }
    for (const name of names) tensorOfName(this.model, head, name); // unknown names throw here
    const sizes = shardSizes(batch, this.handles.length + 1);

    // 1. Post the workers' shards (current parameter values, head, images).
    const replies: Promise<ResultMessage>[] = [];
    if (sizes.slice(1).some((s) => s > 0)) {
      const all = images.dataSync() as Float32Array;
      const perImage = all.length / batch;
      const backboneNames = names.filter((n) => n !== HEAD_WEIGHT && n !== HEAD_BIAS);
      const trainable = [...this.model.parameters.values()].map((v) => v.trainable);
      const headW = copyOf(w);
      const headB = copyOf(b);
      let offset = sizes[0];
      this.handles.forEach((handle, i) => {
        const size = sizes[i + 1];
        if (size === 0) return;
        const params: ParamValue[] = backboneNames.map((name) => ({
          name,
          data: copyOf(this.model.parameters.get(name)!),
        }));
        const headValue: HeadValue = {
          weight: headW.slice(),
          bias: headB.slice(),
          numClasses,
          weightTrainable: isTrainable(w),
          biasTrainable: isTrainable(b),
        };
        const shard = all.slice(offset * perImage, (offset + size) * perImage);
        const shardTargets = targets.slice(offset, offset + size);
        replies.push(
          handle.step(
            {
              type: 'step',
              params,
              trainable,
              head: headValue,
              images: shard,
              shardBatch: size,
              targets: shardTargets,
              totalBatch: batch,
              names,
            },
            [
              ...params.map((p) => p.data.buffer as ArrayBuffer),
              headValue.weight.buffer as ArrayBuffer,
              headValue.bias.buffer as ArrayBuffer,
              shard.buffer as ArrayBuffer,
              shardTargets.buffer as ArrayBuffer,
            ],
          ),
        );
        offset += size;
      });
    }

    // 2. Shard 0 on this thread, while the workers compute theirs.
    let mine: { loss: number; grads: Map<string, tf.Tensor> };
    try {
      const shard0 =
        sizes[0] === batch ? images : (tf.slice(images, [0, 0, 0, 0], [sizes[0], -1, -1, -1]) as tf.Tensor4D);
      try {
        mine = shardLossAndGrads(this.model, head, shard0, targets.subarray(0, sizes[0]), batch, names);
      } finally {
        if (shard0 !== images) shard0.dispose();
      }
    } catch (err) {
      await Promise.allSettled(replies);
      throw err;
    }

    // 3. Await the workers and sum.
    let results: ResultMessage[];
    try {
      results = await Promise.all(replies);
    } catch (err) {
      tf.dispose([...mine.grads.values()]);
      throw err;
    }
    if (results.length === 0) return mine;
    let loss = mine.loss;
    const sums = new Map<string, Float32Array>();
    for (const [name, g] of mine.grads) {
      sums.set(name, copyOf(g));
      g.dispose();
    }
    for (const r of results) {
      loss += r.loss;
      for (const { name, data } of r.grads) {
        const acc = sums.get(name);
        if (acc === undefined) sums.set(name, data);
        else for (let k = 0; k < acc.length; k++) acc[k] += data[k];
      }
    }
    const grads = new Map<string, tf.Tensor>();
    for (const name of names) {
      const sum = sums.get(name);
      if (sum !== undefined)
        grads.set(name, tf.tensor(sum, tensorOfName(this.model, head, name).shape, 'float32'));
    }
    return { loss, grads };
  }

  /**
   * Sends every parameter of the main model (values and `trainable` flags) to every worker: call it
   * after changing parameters that `lossAndGrads` does not name (frozen weights, a loaded
   * checkpoint).
   *
   * @returns once every worker applied them
   * @throws {@link DataParallelWorkerError} when a worker fails
   * @example
   * model.loadStateDict(checkpoint);
   * await dp.syncAll();
   */
  async syncAll(): Promise<void> {
    this.assertAlive();
    if (this.handles.length === 0) return;
    const trainable = [...this.model.parameters.values()].map((v) => v.trainable);
    await Promise.all(
      this.handles.map((h) => {
        const params = [...this.model.parameters].map(([name, v]) => ({ name, data: copyOf(v) }));
        return h.sync(
          { type: 'sync', params, trainable },
          params.map((p) => p.data.buffer as ArrayBuffer),
        );
      }),
    );
  }

  /**
   * Stops the worker threads (each frees its replica and exits; one that does not within 2 s is
   * terminated). The main model is left alone. Idempotent; the classifier cannot be used afterwards.
   *
   * @returns once every thread has exited
   * @example
   * await dp.dispose();
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(this.handles.map((h) => h.close()));
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('DataParallelClassifier: the classifier was disposed');
  }
}
