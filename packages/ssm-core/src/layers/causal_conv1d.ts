import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';

/**
 * Causal depthwise 1-D convolution along the sequence, with bias (the Mamba `conv1d`).
 *
 * **Details**
 * y_t[d] = b[d] + Σ_{k=0..K−1} w[d,0,k]·x_{t−K+1+k}[d], with x_{<0} = 0 (spec §1.2 step 2).
 * Written as K shifted multiply-adds on a front-padded copy of x, so its gradient exists on every
 * backend (wasm has no depthwise-conv gradient kernel) and is made of cheap element-wise ops.
 *
 * @param x - input, shape [batch, seqLen, channels]
 * @param weight - `conv1d.weight`, shape [channels, 1, K] (PyTorch layout)
 * @param bias - `conv1d.bias`, shape [channels]
 * @returns shape [batch, seqLen, channels]
 * @example
 * const xc = causalConv1d(x, convWeight, convBias);
 * @category Layers
 */
export function causalConv1d(x: tf.Tensor3D, weight: tf.Tensor3D, bias: tf.Tensor1D): tf.Tensor3D {
  const [batch, seqLen, channels] = x.shape;
  const k = weight.shape[2];
  if (weight.shape[0] !== channels || weight.shape[1] !== 1) {
    throw new Error(`causalConv1d: weight has shape [${weight.shape}], expected [${channels}, 1, K]`);
  }
  if (bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new Error(`causalConv1d: bias has shape [${bias.shape}], expected [${channels}]`);
  }
  return tf.tidy(() => {
    const wT = tf.transpose(tf.reshape(weight, [channels, k])); // [K, channels]
    const padded =
      k > 1
        ? tf.pad(x, [
            [0, 0],
            [k - 1, 0],
            [0, 0],
          ])
        : x;
    let y: tf.Tensor3D = tf.mul(
      tf.slice(padded, [0, 0, 0], [batch, seqLen, channels]),
      tf.reshape(tf.slice(wT, [0, 0], [1, channels]), [channels]),
    );
    for (let j = 1; j < k; j++) {
      const wj = tf.reshape(tf.slice(wT, [j, 0], [1, channels]), [channels]);
      y = tf.add(y, tf.mul(tf.slice(padded, [0, j, 0], [batch, seqLen, channels]), wj));
    }
    return tf.add(y, bias);
  });
}
