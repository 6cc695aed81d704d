import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';

/**
 * LayerNorm over the last axis with weight and bias (the final norm of the backbone).
 *
 * **Details**
 * y = (x − mean) · rsqrt(var + eps) · w + b, with the biased variance (as `torch.nn.LayerNorm`;
 * eps 1e-6 in the official model).
 *
 * @param x - input, shape [..., dModel]
 * @param weight - shape [dModel]
 * @param bias - shape [dModel]
 * @param eps - added to the variance
 * @returns same shape as x
 * @example
 * const f = layerNorm(cls, normWeight, normBias, 1e-6);
 * @category Layers
 */
export function layerNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const mu = tf.mean(x, -1, true);
    const c = tf.sub(x, mu);
    const v = tf.mean(tf.square(c), -1, true);
    return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(v, eps))), weight), bias) as T;
  });
}
