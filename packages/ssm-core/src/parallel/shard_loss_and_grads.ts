import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../layers/linear.js';
import type { VisionMamba } from '../model/vision_mamba.js';
import { type ClassifierHead, HEAD_BIAS, HEAD_WEIGHT } from './classifier_head.js';

/**
 * The tensor a gradient name refers to: `'head.weight'`, `'head.bias'` or a backbone parameter.
 *
 * @param model - the backbone
 * @param head - the linear head
 * @param name - gradient name
 * @returns the tensor (a `tf.Variable` for backbone parameters)
 * @throws `Error` naming the unknown parameter
 * @internal
 */
export function tensorOfName(model: VisionMamba, head: ClassifierHead, name: string): tf.Tensor {
  if (name === HEAD_WEIGHT) return head.weight;
  if (name === HEAD_BIAS) return head.bias;
  const v = model.parameters.get(name);
  if (v === undefined) {
    throw new Error(
      `lossAndGrads: '${name}' is neither '${HEAD_WEIGHT}', '${HEAD_BIAS}' nor a parameter of the backbone (e.g. '${[...model.parameters.keys()][0]}')`,
    );
  }
  return v;
}

/**
 * One shard's share of the batch-mean softmax cross-entropy of `linear(model.forward(images))`,
 * and its gradients: the quantity every thread of a {@link DataParallelClassifier} computes.
 *
 * **Details**
 * loss = −(1/totalBatch)·Σ_i log softmax(logits_i)[targets_i] over the shard's images, so the
 * shards' losses and gradients sum to the mean over the whole batch. Like `tf.variableGrads`, a
 * named `tf.Variable` whose `trainable` flag is false gets no gradient, and neither does a tensor
 * the loss does not depend on.
 *
 * @param model - the backbone
 * @param head - linear head, weight [numClasses, dModel], bias [numClasses]
 * @param images - the shard, shape [shardBatch, imgSize, imgSize, inChans]
 * @param targets - class index of each image, length shardBatch, each in [0, numClasses)
 * @param totalBatch - size of the whole batch (the divisor of the mean)
 * @param names - parameters to differentiate (`'head.weight'`, `'head.bias'` or backbone names)
 * @returns the shard's loss and a gradient per differentiated name (shapes of the parameters;
 *   the caller disposes them)
 * @example
 * const { loss, grads } = shardLossAndGrads(model, head, images, targets, 64, model.trainableNames());
 * @internal
 */
export function shardLossAndGrads(
  model: VisionMamba,
  head: ClassifierHead,
  images: tf.Tensor4D,
  targets: Int32Array,
  totalBatch: number,
  names: readonly string[],
): { loss: number; grads: Map<string, tf.Tensor> } {
  const batch = images.shape[0];
  if (targets.length !== batch) {
    throw new Error(`lossAndGrads: ${targets.length} targets for ${batch} images, expected one per image`);
  }
  const numClasses = head.weight.shape[0];
  for (let i = 0; i < batch; i++) {
    const t = targets[i];
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) {
      throw new Error(`lossAndGrads: target ${i} is ${t}, expected a class index in [0, ${numClasses})`);
    }
  }
  const wanted: string[] = [];
  const xs: tf.Tensor[] = [];
  for (const name of names) {
    const x = tensorOfName(model, head, name);
    if (x instanceof tf.Variable && !x.trainable) continue;
    wanted.push(name);
    xs.push(x);
  }
  const f = (): tf.Scalar => {
    const logits = linear(model.forward(images), head.weight as tf.Tensor2D, head.bias as tf.Tensor1D);
    const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), numClasses);
    // Σ_i −log p_i[target_i] / totalBatch  (the shard's share of the batch mean)
    return tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)))), totalBatch) as tf.Scalar;
  };
  const grads = new Map<string, tf.Tensor>();
  let value: tf.Scalar;
  if (xs.length === 0) {
    value = tf.tidy(f);
  } else {
    const r = tf.engine().gradients(f, xs, undefined, true);
    value = r.value;
    r.grads.forEach((g, i) => {
      if (g != null) grads.set(wanted[i], g);
    });
  }
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, grads };
}
