import * as tf from '@tensorflow/tfjs-core';
import type { ScanImplementation } from './scan_types.js';

/**
 * The plain selective-scan recurrence in tfjs ops, one time step at a time: slow and obviously
 * correct. It is the oracle the other implementations are tested against (values through the
 * loop, gradients by tfjs autodiff through it).
 *
 * **Details**
 * For t = 0..L−1: h = exp(Δ_t ⊗ A) ⊙ h + (Δ_t ⊙ x_t) ⊗ B_t, y_t = Σ_n C_t[n]·h[·,n]
 * (spec §1.2 step 7, Euler B̄ as in the official kernel, pitfall 14).
 *
 * @param x - [batch, seqLen, dInner]
 * @param delta - Δ, [batch, seqLen, dInner]
 * @param A - [dInner, dState]
 * @param B - [batch, seqLen, dState]
 * @param C - [batch, seqLen, dState]
 * @returns y, [batch, seqLen, dInner]
 * @example
 * const y = referenceScanCore(x, delta, A, B, C);
 * @category Scan
 */
export function referenceScanCore(
  x: tf.Tensor3D,
  delta: tf.Tensor3D,
  A: tf.Tensor2D,
  B: tf.Tensor3D,
  C: tf.Tensor3D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, seqLen, dInner] = x.shape;
    const dState = A.shape[1];
    const xs = tf.unstack(x, 1) as tf.Tensor2D[];
    const ds = tf.unstack(delta, 1) as tf.Tensor2D[];
    const bs = tf.unstack(B, 1) as tf.Tensor2D[];
    const cs = tf.unstack(C, 1) as tf.Tensor2D[];
    const a3 = tf.reshape(A, [1, dInner, dState]);
    let h: tf.Tensor3D = tf.zeros([batch, dInner, dState]);
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < seqLen; t++) {
      const dt = tf.reshape(ds[t], [batch, dInner, 1]);
      // h_t = exp(Δ_t·A) ⊙ h_{t−1} + Δ_t·B_t·x_t  (spec §1.2)
      const decay = tf.exp(tf.mul(dt, a3));
      const inject = tf.mul(
        tf.mul(dt, tf.reshape(xs[t], [batch, dInner, 1])),
        tf.reshape(bs[t], [batch, 1, dState]),
      );
      h = tf.add(tf.mul(decay, h), inject) as tf.Tensor3D;
      // y_t[d] = Σ_n C_t[n]·h_t[d,n]
      ys.push(tf.sum(tf.mul(h, tf.reshape(cs[t], [batch, 1, dState])), 2) as tf.Tensor2D);
    }
    return tf.stack(ys, 1) as tf.Tensor3D;
  });
}

/**
 * The `reference` scan implementation (see {@link referenceScanCore}).
 *
 * @category Scan
 */
export const REFERENCE_SCAN: ScanImplementation = {
  name: 'reference',
  description: 'plain per-step recurrence in tfjs ops; slow, the test oracle',
  scan: referenceScanCore,
};
