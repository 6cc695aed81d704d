import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';
import { rmsNormKernel, rmsNormKernelSupported } from '../ops/rms_norm_kernel.js';

/**
 * RMSNorm over the last axis with a learnable weight (the block norm of Mamba).
 *
 * **Details**
 * y = x · rsqrt(mean(x², last axis) + eps) · w  (spec §1.2; eps 1e-5 in the official model).
 * With `fused` `'auto'` (default) it runs as one WebAssembly SIMD kernel per direction
 * ({@link rmsNormKernel}) where that applies (cpu or wasm backend, dModel a multiple of 4), else as
 * tfjs ops (`false` forces the ops: the reference).
 *
 * @param x - input, shape [..., dModel]
 * @param weight - shape [dModel]
 * @param eps - added to the mean square
 * @param fused - `'auto'`, or false for the op path
 * @returns same shape as x
 * @example
 * const u = rmsNorm(h, normWeight, 1e-5);
 * @category Layers
 */
export function rmsNorm<T extends tf.Tensor>(
  x: T,
  weight: tf.Tensor1D,
  eps: number,
  fused: 'auto' | false = 'auto',
): T {
  if (fused === 'auto' && rmsNormKernelSupported(x.shape[x.rank - 1])) return rmsNormKernel(x, weight, eps);
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), weight) as T;
  });
}
