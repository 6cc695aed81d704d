import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';
import { matMulNN } from '../ops/matmul_nn.js';
import { matMulNT } from '../ops/matmul_nt.js';
import { matMulTN } from '../ops/matmul_tn.js';

/**
 * y = x·Wᵀ (+ b) for a weight in PyTorch layout `[out, in]`, on 2-D operands only, with a gradient
 * made of explicitly transposed, non-transposed 2-D matMuls.
 *
 * **Details**
 * The wasm backend runs `matMul` with `transposeA`/`transposeB` (what tfjs' own matMul gradient
 * emits) on a slow path, 15–40× slower than the plain product, and broadcast batched matMuls are
 * slower still. This op never asks for a transposed product: forward {@link matMulNT} (x·Wᵀ without
 * a transposed copy of W), backward
 * dx = dy·W ({@link matMulNN}) and dW = dyᵀ·x ({@link matMulTN}: no transposed copy), db = Σ_rows dy. Inputs of rank 3 are flattened to
 * `[rows, in]` and reshaped back. A weight that is a NON-trainable `tf.Variable` (a frozen parameter)
 * gets a zero gradient without computing it (custom gradients cannot tell which inputs are asked
 * for, and frozen in_proj/dt_proj weight gradients would cost two big matMuls per block).
 *
 * @param x - input, shape [rows, in] or [batch, seqLen, in]
 * @param weight - weight, shape [out, in]
 * @param bias - optional bias, shape [out]
 * @param frozen - treat the weight (and bias) as frozen: zero gradient, not computed (default: true
 *   exactly when `weight` is a non-trainable `tf.Variable`; pass it for slices of frozen weights)
 * @returns shape [rows, out] (or [batch, seqLen, out])
 * @example
 * const y = linear(x, inProjWeight); // [B*L, 2*dInner]
 * @category Layers
 */
export function linear<T extends tf.Tensor2D | tf.Tensor3D>(
  x: T,
  weight: tf.Tensor2D,
  bias?: tf.Tensor1D,
  frozen?: boolean,
): T {
  const inDim = weight.shape[1];
  if (x.shape[x.rank - 1] !== inDim) {
    throw new Error(
      `linear: input has ${x.shape[x.rank - 1]} features (shape [${x.shape}]), weight [${weight.shape}] expects ${inDim}`,
    );
  }
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new Error(`linear: bias has shape [${bias.shape}], expected [${weight.shape[0]}]`);
  }
  return tf.tidy(() => {
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inDim]) as tf.Tensor2D);
    const noGrad = frozen ?? (weight instanceof tf.Variable && !weight.trainable);
    let y =
      bias === undefined
        ? (noGrad ? linearFrozenNoBias : linearNoBias)(x2, weight)
        : (noGrad ? linearFrozenBias : linearBias)(x2, weight, bias);
    if (x.rank === 3) y = tf.reshape(y, [x.shape[0], x.shape[1], weight.shape[0]]) as never;
    return y as unknown as T;
  });
}

const linearNoBias = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  const value = matMulNT(x as tf.Tensor2D, w as tf.Tensor2D);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [matMulNN(g, ws), matMulTN(g, xs)];
    },
  };
}) as any) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

const linearBias = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  const value = matMulNT(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [matMulNN(g, ws), matMulTN(g, xs), tf.sum(g, 0)];
    },
  };
}) as any) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const linearFrozenNoBias = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([w]);
  const value = matMulNT(x as tf.Tensor2D, w as tf.Tensor2D);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [ws] = saved as [tf.Tensor2D];
      return [matMulNN(dy as tf.Tensor2D, ws), tf.zerosLike(ws)];
    },
  };
}) as any) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

const linearFrozenBias = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([w, b]);
  const value = matMulNT(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [ws, bs] = saved as [tf.Tensor2D, tf.Tensor1D];
      return [matMulNN(dy as tf.Tensor2D, ws), tf.zerosLike(ws), tf.zerosLike(bs)];
    },
  };
}) as any) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
