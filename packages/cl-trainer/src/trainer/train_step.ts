/**
 * One optimizer step (spec §2, §3.5): labels to head columns, `beforeStep`, the loss and its
 * gradients (in this thread with the strategy's extra loss, or on the gradient workers), the
 * non-finite guard, `afterBackward`, the Adam step with the strategy's update transform, `afterStep`.
 *
 * @module
 */
import type { DataParallelClassifier } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { TaskHeads } from '../heads/task_heads.js';
import type { ProjectedAdam } from '../optim/projected_adam.js';
import type { StepContext, StrategyContext } from '../strategy/strategy.js';
import { NonFiniteLossError } from './non_finite_loss_error.js';
import { parallelGrads } from './parallel_step.js';
import './register_gradients.js';
import type { TrainerRuntime } from './trainer_runtime.js';

/** A training batch as the stream yields it. @internal */
export interface StepBatch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly shape: readonly [number, number, number, number];
}

/** Where a step is and which heads it trains. @internal */
export interface StepWhere {
  readonly epoch: number;
  readonly step: number;
  readonly headTasks: number[];
  /** Global class → column among the concatenated classes of `headTasks`. */
  readonly column: Map<number, number>;
}

/**
 * The variable behind an optimizer name: `head.*` is task t's head, `heads.<h>.*` another task's,
 * anything else a backbone parameter.
 *
 * @internal
 */
export function variableOf(
  model: Pick<TrainerRuntime, 'backbone'> & { readonly heads: TaskHeads },
  name: string,
  t: number,
): tf.Variable {
  if (name === 'head.weight') return model.heads.head(t).weight;
  if (name === 'head.bias') return model.heads.head(t).bias;
  const m = /^heads\.(\d+)\.(weight|bias)$/.exec(name);
  if (m) return model.heads.head(Number(m[1]))[m[2] as 'weight' | 'bias'];
  return model.backbone.parameters.get(name) as tf.Variable;
}

/**
 * Runs one step and returns its loss.
 *
 * @param dp - the running gradient workers, or undefined
 * @returns the loss and how many threads computed the gradients
 * @throws {@link NonFiniteLossError} before touching the weights
 * @internal
 */
export async function trainStep(
  rt: TrainerRuntime,
  dp: DataParallelClassifier | undefined,
  ctx: StrategyContext,
  optimizer: ProjectedAdam,
  batch: StepBatch,
  where: StepWhere,
): Promise<{ loss: number; threads: number }> {
  const { strategy, backbone, heads } = rt;
  const b = batch.shape[0];
  const target = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    const c = where.column.get(batch.labels[i]);
    if (c === undefined) {
      throw new Error(
        `task ${ctx.task}, epoch ${where.epoch + 1}, batch ${where.step + 1}: label ${batch.labels[i]} is not among the trained heads' classes`,
      );
    }
    target[i] = c;
  }
  const images = tf.tensor4d(batch.images, [...batch.shape] as [number, number, number, number]);
  const sctx: StepContext = { ...ctx, epoch: where.epoch, step: where.step, images, labels: batch.labels };
  try {
    strategy.beforeStep?.(sctx);
    const params = optimizer.names;
    let loss: number;
    let named: Map<string, tf.Tensor>;
    // gradient workers compute the plain cross-entropy only: an extra loss keeps the step here
    const workers = strategy.extraLoss === undefined ? dp : undefined;
    if (workers !== undefined) {
      ({ loss, named } = await parallelGrads(workers, rt, images, target, params, where.headTasks, ctx.task));
    } else {
      const variables = params.map((n) => variableOf(rt, n, ctx.task));
      const byVarName = new Map(variables.map((v, i) => [v.name, params[i]]));
      const { value, grads } = tf.variableGrads(() => {
        const features = backbone.forward(images);
        const logits = heads.logits(features, where.headTasks);
        const logp = tf.logSoftmax(logits);
        const oh = tf.oneHot(tf.tensor1d(target, 'int32'), logits.shape[1]);
        const ce = tf.neg(tf.mean(tf.sum(tf.mul(oh, logp), 1))) as tf.Scalar;
        const extra = strategy.extraLoss?.(sctx, { features, logits });
        return extra ? (tf.add(ce, extra) as tf.Scalar) : ce;
      }, variables);
      // awaited: webgpu has no synchronous read-back under Node
      loss = (await value.data())[0];
      value.dispose();
      named = new Map<string, tf.Tensor>();
      for (const [vn, g] of Object.entries(grads)) named.set(byVarName.get(vn) as string, g);
    }
    try {
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(ctx.task, where.epoch, where.step, loss);
      strategy.afterBackward?.(sctx, named);
      const transform = strategy.transformUpdate;
      optimizer.step(named, transform ? (name, u) => transform.call(strategy, name, u, ctx) : undefined);
      strategy.afterStep?.(sctx);
      return { loss, threads: workers !== undefined ? rt.config.workers + 1 : 1 };
    } finally {
      tf.dispose([...named.values()]);
    }
  } finally {
    images.dispose();
  }
}
