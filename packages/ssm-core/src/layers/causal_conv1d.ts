import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';

/**
 * Causal depthwise 1-D convolution along the sequence, with bias (the Mamba `conv1d`).
 *
 * **Details**
 * y_t[d] = b[d] + Σ_{k=0..K−1} w[d,0,k]·x_{t−K+1+k}[d], with x_{<0} = 0 (spec §1.2 step 2).
 * Forward: one `depthwiseConv2d` over [batch, 1, seqLen, channels] with K−1 zeros padded in front
 * (XNNPACK on wasm). Gradient (custom, so it exists on every backend; wasm has no depthwise-conv
 * gradient kernels): dx is the anti-causal correlation with the same taps (another depthwiseConv2d
 * with the padding at the end and the kernel flipped); dw[d,k] = Σ_{b,t} dy_t[d]·x_{t−K+1+k}[d] as K
 * shifted multiply-adds, skipped (zero) when the weight is a non-trainable `tf.Variable` (the frozen
 * official conv1d); db = Σ dy.
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
  if (weight.shape[0] !== channels || weight.shape[1] !== 1) {
    throw new Error(`causalConv1d: weight has shape [${weight.shape}], expected [${channels}, 1, K]`);
  }
  if (bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new Error(`causalConv1d: bias has shape [${bias.shape}], expected [${channels}]`);
  }
  const frozen = weight instanceof tf.Variable && !weight.trainable;
  return tf.tidy(() => {
    const x4 = tf.reshape(x, [batch, 1, seqLen, channels]);
    return tf.reshape((frozen ? convFrozen : convFull)(x4, weight, bias), [
      batch,
      seqLen,
      channels,
    ]) as tf.Tensor3D;
  });
}

/** Filter [1, K, C, 1] for depthwiseConv2d from the PyTorch weight [C, 1, K] (flipped: taps reversed). */
function filterOf(weight: tf.Tensor, flip: boolean): tf.Tensor4D {
  const [c, , k] = weight.shape;
  let wt = tf.transpose(tf.reshape(weight, [c, k])); // [K, C]
  if (flip) wt = tf.reverse(wt, 0);
  return tf.reshape(wt, [1, k, c, 1]) as tf.Tensor4D;
}

function forward(x4: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const k = weight.shape[2]!;
  return tf.add(
    tf.depthwiseConv2d(x4 as tf.Tensor4D, filterOf(weight, false), 1, [
      [0, 0],
      [0, 0],
      [k - 1, 0],
      [0, 0],
    ]),
    bias,
  );
}

function inputGrad(dy: tf.Tensor4D, weight: tf.Tensor): tf.Tensor4D {
  const k = weight.shape[2]!;
  // dx_s = Σ_k dy_{s+K−1−k}·w_k: correlation with reversed taps, zeros after the end
  return tf.depthwiseConv2d(dy, filterOf(weight, true), 1, [
    [0, 0],
    [0, 0],
    [0, k - 1],
    [0, 0],
  ]);
}

const convFull = tf.customGrad(((
  x4: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([x4, weight]);
  return {
    value: forward(x4, weight, bias),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor4D;
      const [xs, ws] = saved;
      const [b, , l, c] = xs.shape as number[];
      const k = ws.shape[2]!;
      const padded = tf.pad(xs, [
        [0, 0],
        [0, 0],
        [k - 1, 0],
        [0, 0],
      ]);
      const taps: tf.Tensor[] = [];
      for (let j = 0; j < k; j++)
        taps.push(tf.sum(tf.mul(tf.slice(padded, [0, 0, j, 0], [b, 1, l, c]), g), [0, 1, 2]));
      const dw = tf.reshape(tf.transpose(tf.stack(taps)), [c, 1, k]); // [K, C] -> [C, 1, K]
      return [inputGrad(g, ws), dw, tf.sum(g, [0, 1, 2])];
    },
  };
}) as any) as (x4: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor;

const convFrozen = tf.customGrad(((
  x4: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([weight, bias]);
  return {
    value: forward(x4, weight, bias),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [ws, bs] = saved;
      return [inputGrad(dy as tf.Tensor4D, ws), tf.zerosLike(ws), tf.zerosLike(bs)];
    },
  };
}) as any) as (x4: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
