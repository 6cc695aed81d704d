import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend/backend_names.js';
import { formatBackendChoice } from '../backend/format_backend_choice.js';
import { selectBackend } from '../backend/select_backend.js';
import { MODEL_PRESETS, type VisionMambaConfig } from '../model/model_config.js';
import { VisionMamba } from '../model/vision_mamba.js';
import { DataParallelClassifier } from '../parallel/data_parallel_classifier.js';
import { shardSizes } from '../parallel/shard_sizes.js';
import { createClassifierStep } from './classifier_step.js';
import type { PerfReport } from './perf_report.js';

/** Options of {@link runStepPerf}. @category Perf */
export interface StepPerfOptions {
  /** Backend (default `'wasm'`). */
  backend?: BackendName;
  /** Batch size (default 64). */
  batch?: number;
  /** Timed steps (default 100). */
  steps?: number;
  /** Untimed warm-up steps (default 3). */
  warmup?: number;
  /** Backbone (default the `tiny` preset: 28×28×1, patch 4, dModel 64, dInner 128, N 16, dtRank 4, depth 4). */
  config?: VisionMambaConfig;
  /** Classes of the linear head (default 10). */
  numClasses?: number;
  /**
   * Worker threads that compute gradients besides the main thread (default 0: today's
   * single-thread `optimizer.minimize`). With N > 0 a {@link DataParallelClassifier} splits each
   * batch into N + 1 shards and the same Adam is applied with `optimizer.applyGradients`.
   */
  workers?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Measures one training step (forward, backward, Adam) of a backbone plus a linear head, as the
 * trainer runs it: the officially trainable tensors (x_proj_*, A_log, out_proj.weight) and the head
 * get gradients; cross-entropy loss.
 *
 * **Details**
 * Reports images/second over the timed steps (and the best window of 10 steps), peak RSS sampled
 * after every step, and `tf.memory().numTensors` after warm-up and after the last step (must be
 * equal: no leak).
 *
 * @param options - backend, batch, steps, config
 * @returns one report
 * @example
 * const [report] = await runStepPerf({ steps: 20 });
 * @category Perf
 */
export async function runStepPerf(options: StepPerfOptions = {}): Promise<PerfReport[]> {
  const backend = options.backend ?? 'wasm';
  const choice = await selectBackend(backend);
  const batch = options.batch ?? 64;
  const steps = options.steps ?? 100;
  const warmup = options.warmup ?? 3;
  const config = options.config ?? MODEL_PRESETS.tiny;
  const numClasses = options.numClasses ?? 10;
  const log = options.log ?? (() => {});
  const workers = options.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) {
    throw new RangeError(`runStepPerf: workers is ${workers}, expected an integer ≥ 0`);
  }
  const model = VisionMamba.create(config, { seed: 1 });
  const {
    headW,
    headB,
    images,
    targets,
    optimizer,
    step: singleThreadStep,
    dispose,
  } = createClassifierStep(model, batch, {
    numClasses,
    variableNames: { weight: 'stepPerfHeadW', bias: 'stepPerfHeadB' },
  });
  // Data-parallel step: the same loss and Adam, gradients from the main thread + `workers` threads.
  const dp = workers > 0 ? await DataParallelClassifier.create(model, { workers, backend }) : undefined;
  const names = [...model.trainableNames(), 'head.weight', 'head.bias'];
  const head = { weight: headW, bias: headB };
  const variableOf = (name: string): tf.Variable =>
    name === 'head.weight' ? headW : name === 'head.bias' ? headB : model.parameters.get(name)!;
  const parallelStep = async (): Promise<void> => {
    const { grads } = await dp!.lossAndGrads(images, targets, head, names);
    optimizer.applyGradients(names.map((n) => ({ name: variableOf(n).name, tensor: grads.get(n)! })));
    tf.dispose([...grads.values()]);
  };
  const step = dp === undefined ? singleThreadStep : parallelStep;
  let peakRss = process.memoryUsage().rss;
  for (let i = 0; i < warmup; i++) await step();
  const tensorsAfterWarmup = tf.memory().numTensors;
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if ((i + 1) % 10 === 0) log(`step ${i + 1}/${steps}: ${(times[i]).toFixed(1)} ms`);
  }
  const cpu1 = process.cpuUsage(cpu0);
  const threads =
    workers === 0 ? '1 thread' : `${workers + 1} threads (main + ${workers} worker${workers > 1 ? 's' : ''})`;
  const cpuMs = (cpu1.user + cpu1.system) / 1000;
  const tensorsAfter = tf.memory().numTensors;
  const total = times.reduce((a, b) => a + b, 0);
  let bestWindow = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 10 <= times.length; i++)
    bestWindow = Math.min(bestWindow, times.slice(i, i + 10).reduce((a, b) => a + b, 0) / 10);
  if (!Number.isFinite(bestWindow)) bestWindow = total / times.length;
  await dp?.dispose();
  dispose();
  model.dispose();
  return [
    {
      title: `ssm-core: training step (forward + backward + Adam), ${backend}, ${threads}`,
      rows: [
        {
          backend,
          workers,
          batch,
          tokens: (config.imgSize / config.patchSize) ** 2 + 1,
          dModel: config.dModel,
          dInner: config.dInner,
          depth: config.depth,
          steps,
          'ms/step (mean)': Number((total / steps).toFixed(1)),
          'images/s (mean)': Number(((batch * steps * 1000) / total).toFixed(1)),
          'images/s (best 10-step window)': Number(((batch * 1000) / bestWindow).toFixed(1)),
          'CPU ms/step': Number((cpuMs / steps).toFixed(1)),
          'images per CPU-second': Number(((batch * steps * 1000) / cpuMs).toFixed(1)),
          'peak RSS MiB': Math.round(peakRss / 2 ** 20),
          'numTensors after warm-up': tensorsAfterWarmup,
          [`numTensors after ${steps} steps`]: tensorsAfter,
        },
      ],
      notes: [
        ...(choice.adapter ? [`Backend ${formatBackendChoice(choice)}.`] : []),
        'Trainable: x_proj_step/B/C.weight, A_log, out_proj.weight of every block + a linear head; softmax cross-entropy; tf.train.adam.',
        workers === 0
          ? 'Gradients computed on the main thread only (optimizer.minimize).'
          : `Gradients computed by ${workers + 1} threads: the main thread and ${workers} worker thread(s) of a DataParallelClassifier, each on its own shard of the batch (shard sizes ${shardSizes(batch, workers + 1).join('/')}); summed on the main thread, then optimizer.applyGradients with the same Adam.`,
        'Wall-clock on a shared machine: other processes may slow it down; "images per CPU-second" (user+system CPU time of the process, worker threads included) is what one free core per thread would give (the wasm backend runs single-threaded).',
      ],
    },
  ];
}
