import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';

/**
 * RMS normalisation within contiguous channel groups, without affine parameters (the De-focus
 * mixer's norm of the scan output).
 *
 * **Details**
 * For each group g of channels [g·G, (g+1)·G): ŝ = s / sqrt(mean_group(s²) + eps)
 * (spec §1.2 step 8; G = 64, eps 1e-6 in the official model).
 *
 * @param x - input, shape [..., channels], channels divisible by groupSize
 * @param groupSize - channels per group
 * @param eps - added to the mean square
 * @returns same shape as x
 * @example
 * const sHat = groupRmsNorm(s, 64, 1e-6);
 * @category Layers
 */
export function groupRmsNorm<T extends tf.Tensor>(x: T, groupSize: number, eps: number): T {
  const channels = x.shape[x.rank - 1];
  if (channels % groupSize !== 0) {
    throw new Error(`groupRmsNorm: ${channels} channels are not divisible by the group size ${groupSize}`);
  }
  return tf.tidy(() => {
    const g = tf.reshape(x, [-1, channels / groupSize, groupSize]);
    const ms = tf.mean(tf.square(g), -1, true);
    return tf.reshape(tf.mul(g, tf.rsqrt(tf.add(ms, eps))), x.shape) as T;
  });
}
