/**
 * Data-parallel gradients: the gradient workers of `@mamba-cl/ssm-core` (config.workers > 0 with a
 * VisionMamba backbone) compute the plain cross-entropy's loss and gradients of a step; the heads
 * of the step act as one linear head whose gradient is split back per head.
 *
 * @module
 */
import { DataParallelClassifier, VisionMamba } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbone/backbone.js';
import type { TaskHeads } from '../heads/task_heads.js';

/**
 * The gradient workers of one run: started at the first task (after any resume), re-synced at
 * later ones, freed at the end of the run.
 *
 * @internal
 */
export class GradientWorkers {
  private dp: DataParallelClassifier | undefined;

  constructor(
    private readonly backbone: Backbone,
    private readonly workers: number,
  ) {}

  /** The running workers, or undefined when the run computes gradients in this thread. */
  get active(): DataParallelClassifier | undefined {
    return this.dp;
  }

  /**
   * Starts the workers, or re-sends every parameter to them (strategies and checkpoints may
   * change weights between tasks). Does nothing without workers or without a VisionMamba.
   */
  async sync(): Promise<void> {
    if (this.workers === 0 || !(this.backbone instanceof VisionMamba)) return;
    if (this.dp === undefined && tf.getBackend() === 'webgpu') {
      throw new Error(
        `config.workers is ${this.workers}, but gradient workers split a step across CPU threads (cpu and wasm backends); on webgpu the device computes the whole batch: set workers to 0`,
      );
    }
    if (this.dp === undefined) {
      this.dp = await DataParallelClassifier.create(this.backbone, { workers: this.workers });
    } else {
      await this.dp.syncAll();
    }
  }

  /** Stops the workers. */
  async dispose(): Promise<void> {
    await this.dp?.dispose();
    this.dp = undefined;
  }
}

/**
 * Loss and gradients from the gradient workers: the heads of `headTasks` act as one linear head
 * (their concatenation, as `TaskHeads.logits` builds it), whose gradient is split back per head.
 *
 * @param images - the batch, shape [b, H, W, C]
 * @param target - column of each image among the heads' concatenated classes, length b
 * @param names - parameter names of the optimizer (`head.*` for task t, `heads.<h>.*` for others)
 * @returns the loss and a gradient per name (owned by the caller)
 * @internal
 */
export async function parallelGrads(
  dp: DataParallelClassifier,
  model: { readonly backbone: Backbone; readonly heads: TaskHeads },
  images: tf.Tensor4D,
  target: Int32Array,
  names: readonly string[],
  headTasks: readonly number[],
  t: number,
): Promise<{ loss: number; named: Map<string, tf.Tensor> }> {
  const { backbone, heads } = model;
  const hs = headTasks.map((h) => heads.head(h));
  const { weight, bias } = heads.concatenated(headTasks);
  try {
    const backboneNames = names.filter((n) => backbone.parameters.has(n));
    const { loss, grads } = await dp.lossAndGrads(images, target, { weight, bias }, [
      ...backboneNames,
      'head.weight',
      'head.bias',
    ]);
    const named = new Map<string, tf.Tensor>();
    for (const n of backboneNames) named.set(n, grads.get(n) as tf.Tensor);
    const gw = grads.get('head.weight') as tf.Tensor;
    const gb = grads.get('head.bias') as tf.Tensor;
    const sizes = hs.map((h) => h.weight.shape[0]);
    const ws = hs.length === 1 ? [gw] : tf.split(gw, sizes, 0);
    const bs = hs.length === 1 ? [gb] : tf.split(gb, sizes, 0);
    if (hs.length > 1) tf.dispose([gw, gb]);
    headTasks.forEach((h, i) => {
      const prefix = h === t ? 'head' : `heads.${h}`;
      named.set(`${prefix}.weight`, ws[i]);
      named.set(`${prefix}.bias`, bs[i]);
    });
    return { loss, named };
  } finally {
    if (hs.length > 1) tf.dispose([weight, bias]);
  }
}
