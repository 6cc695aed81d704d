import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';

/**
 * RMSNorm over the last axis with a learnable weight (the block norm of Mamba).
 *
 * **Details**
 * y = x · rsqrt(mean(x², last axis) + eps) · w  (spec §1.2; eps 1e-5 in the official model).
 *
 * @param x - input, shape [..., dModel]
 * @param weight - shape [dModel]
 * @param eps - added to the mean square
 * @returns same shape as x
 * @example
 * const u = rmsNorm(h, normWeight, 1e-5);
 * @category Layers
 */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), weight) as T;
  });
}
