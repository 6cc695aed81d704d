import type * as tf from '@tensorflow/tfjs-core';

/**
 * A linear classification head on the backbone's CLS features: logits = features·weightᵀ + bias.
 *
 * **Details**
 * Either field may be a `tf.Variable` (its `trainable` flag decides whether it gets a gradient, as
 * in `tf.variableGrads`) or a plain tensor (always differentiated when named).
 *
 * @example
 * const head = { weight: tf.variable(tf.zeros([10, 64])), bias: tf.variable(tf.zeros([10])) };
 * @category Parallel
 */
export interface ClassifierHead {
  /** Weight in PyTorch layout, shape [numClasses, dModel]. */
  readonly weight: tf.Variable | tf.Tensor2D;
  /** Bias, shape [numClasses]. */
  readonly bias: tf.Variable | tf.Tensor1D;
}

/** Gradient names that address the head instead of a backbone parameter. */
export const HEAD_WEIGHT = 'head.weight';
/** @see HEAD_WEIGHT */
export const HEAD_BIAS = 'head.bias';
