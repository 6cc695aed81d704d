import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';

/**
 * The De-focus RoPE-like rotation of B and C: consecutive channel pairs turned by position-dependent
 * angles, each element of a pair with its OWN frequency.
 *
 * **Details**
 * θ_{t,j} = (t / scale)·f_j for positions t = 0..L−1. For each pair (2i, 2i+1) (spec §1.2 step 4):
 * v'_{2i} = v_{2i}·cos θ_{2i} − v_{2i+1}·sin θ_{2i},  v'_{2i+1} = v_{2i+1}·cos θ_{2i+1} + v_{2i}·sin θ_{2i+1}.
 * With mismatched pair frequencies this is not an exact rotation (spec §8.12). Computed as
 * v ⊙ cos θ + swapPairs(v) ⊙ (±sin θ), so it is differentiable in v (and f). `scale` divides the
 * positions (our reading of `rope_scale_factor`; the official model uses 1, where it makes no
 * difference).
 *
 * @param v - values, shape [batch, seqLen, K], K even (K = N, or 2N for B and C side by side)
 * @param freq - per-element frequencies, shape [K]
 * @param scale - position scale (`ropeScale`)
 * @returns shape [batch, seqLen, K]
 * @example
 * const B = ropeRotate(b, freq, 1);
 * @category Layers
 */
export function ropeRotate(v: tf.Tensor3D, freq: tf.Tensor1D, scale = 1): tf.Tensor3D {
  const [batch, seqLen, k] = v.shape;
  if (k % 2 !== 0) throw new Error(`ropeRotate: the last axis has ${k} channels, expected an even number`);
  if (freq.rank !== 1 || freq.shape[0] !== k) {
    throw new Error(`ropeRotate: freq has shape [${freq.shape}], expected [${k}]`);
  }
  return tf.tidy(() => {
    const swapped = tf.reshape(tf.reverse(tf.reshape(v, [batch, seqLen, k / 2, 2]), 3), [
      batch,
      seqLen,
      k,
    ]) as tf.Tensor3D;
    return ropeRotateSwapped(v, swapped, freq, scale);
  });
}

/**
 * {@link ropeRotate} given the pair-swapped values as well (v̄_{2i} = v_{2i+1}, v̄_{2i+1} = v_{2i}),
 * e.g. computed by a projection with pair-swapped weight rows, so that no `reverse` is needed.
 *
 * **Details**
 * v' = v ⊙ cos θ + v̄ ⊙ (sign ⊙ sin θ), sign = (−1, +1, −1, ...), θ_{t,j} = (t/scale)·f_j.
 *
 * @param v - values, shape [batch, seqLen, K]
 * @param swapped - v with each channel pair swapped, shape [batch, seqLen, K]
 * @param freq - shape [K]
 * @param scale - position scale
 * @returns shape [batch, seqLen, K]
 * @example
 * const bc = ropeRotateSwapped(bc0, bcSwapped, freq2, 1);
 * @category Layers
 */
export function ropeRotateSwapped(
  v: tf.Tensor3D,
  swapped: tf.Tensor3D,
  freq: tf.Tensor1D,
  scale = 1,
): tf.Tensor3D {
  const [, seqLen, k] = v.shape;
  return tf.tidy(() => {
    const pos = tf.reshape(tf.div(tf.range(0, seqLen, 1, 'float32'), scale), [seqLen, 1]);
    const theta = tf.mul(pos, tf.reshape(freq, [1, k])); // [L, K]
    const sign = tf.tensor1d(Array.from({ length: k }, (_, j) => (j % 2 === 0 ? -1 : 1)));
    const cos = tf.cos(theta);
    const sin = tf.mul(tf.sin(theta), sign);
    return tf.add(tf.mul(v, cos), tf.mul(swapped, sin)) as tf.Tensor3D;
  });
}
