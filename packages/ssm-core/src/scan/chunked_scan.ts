import * as tf from '@tensorflow/tfjs-core';
import type { ScanImplementation } from './scan_types.js';

/**
 * Default chunk length of {@link chunkedScanCore}.
 *
 * @category Scan
 */
export const DEFAULT_SCAN_CHUNK = 16;

/** `v` shifted by `k` steps along axis 1 of a 3-D tensor, the first `k` rows set to `fill`. */
function shift(v: tf.Tensor3D, k: number, fill: number): tf.Tensor3D {
  const [n, len, width] = v.shape;
  const kept = tf.slice(v, [0, 0, 0], [n, len - k, width]);
  return tf.pad(
    kept,
    [
      [0, 0],
      [k, 0],
      [0, 0],
    ],
    fill,
  );
}

/**
 * Inclusive log-depth (Hillis–Steele) scan of the linear recurrence h_t = a_t·h_{t−1} + u_t along
 * axis 1 of [n, len, width] tensors, from h_{−1} = 0. Returns the cumulative decay Π a and h.
 * Only products of decays appear (they underflow to 0, never overflow).
 */
function linearScan(a: tf.Tensor3D, u: tf.Tensor3D): { decay: tf.Tensor3D; h: tf.Tensor3D } {
  const len = a.shape[1];
  for (let k = 1; k < len; k *= 2) {
    // (a_t, u_t) ∘ (a_{t−k}, u_{t−k}) = (a_t·a_{t−k}, a_t·u_{t−k} + u_t)
    u = tf.add(tf.mul(a, shift(u, k, 0)), u);
    a = tf.mul(a, shift(a, k, 1));
  }
  return { decay: a, h: u };
}

/**
 * The selective scan as a composition of tfjs ops only (no per-step loop), so that on device
 * backends (`tensorflow` with tfjs-node-gpu, `webgl`) the scan never leaves the device.
 *
 * **Details**
 * a_t = exp(Δ_t·A) and u_t = Δ_t·x_t·B_t are formed for all steps at once ([batch, seqLen, dInner,
 * dState]); the sequence is cut into chunks of `chunk` steps (padded with a = 1, u = 0). Inside each
 * chunk a log-depth scan gives the local states and the cumulative decays (relative to the chunk
 * start: only products of decays ≤ 1, so no overflow however strong the decay, unlike
 * exp-of-cumulative-sum differences); a second log-depth scan over the chunk-end states gives the
 * carry into each chunk, and h_t = local_t + decay_t·carry. y_t = Σ_n C_t[n]·h_t[·,n]
 * (spec §1.2). Work is O(seqLen·log chunk + (seqLen/chunk)·log(seqLen/chunk)) elementwise ops on
 * the state tensor; memory holds a few copies of it (more under autodiff). Gradients come from
 * tfjs autodiff (slice, pad, mul, add, exp, sum).
 *
 * @param x - [batch, seqLen, dInner]
 * @param delta - Δ (already transformed), [batch, seqLen, dInner]
 * @param A - [dInner, dState]
 * @param B - [batch, seqLen, dState]
 * @param C - [batch, seqLen, dState]
 * @param chunk - chunk length, default {@link DEFAULT_SCAN_CHUNK}
 * @returns y, [batch, seqLen, dInner]
 * @example
 * const y = chunkedScanCore(x, delta, A, B, C, 8);
 * @category Scan
 */
export function chunkedScanCore(
  x: tf.Tensor3D,
  delta: tf.Tensor3D,
  A: tf.Tensor2D,
  B: tf.Tensor3D,
  C: tf.Tensor3D,
  chunk: number = DEFAULT_SCAN_CHUNK,
): tf.Tensor3D {
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new RangeError(`chunkedScanCore: chunk must be a positive integer, got ${chunk}`);
  }
  return tf.tidy(() => {
    const [batch, seqLen, dInner] = x.shape;
    const dState = A.shape[1];
    const width = dInner * dState;
    const T = Math.min(chunk, seqLen);
    const nc = Math.ceil(seqLen / T);
    const padLen = nc * T - seqLen;
    // a_t = exp(Δ_t·A), u_t = Δ_t·x_t·B_t   [batch, seqLen, dInner, dState]
    const dt4 = tf.reshape(delta, [batch, seqLen, dInner, 1]);
    let a = tf.reshape(tf.exp(tf.mul(dt4, tf.reshape(A, [1, 1, dInner, dState]))), [batch, seqLen, width]);
    let u = tf.reshape(
      tf.mul(
        tf.reshape(tf.mul(delta, x), [batch, seqLen, dInner, 1]),
        tf.reshape(B, [batch, seqLen, 1, dState]),
      ),
      [batch, seqLen, width],
    );
    if (padLen > 0) {
      const pad: Array<[number, number]> = [
        [0, 0],
        [0, padLen],
        [0, 0],
      ];
      a = tf.pad(a, pad, 1);
      u = tf.pad(u, pad, 0);
    }
    // inside chunks: [batch·nc, T, width]
    const local = linearScan(
      tf.reshape(a, [batch * nc, T, width]) as tf.Tensor3D,
      tf.reshape(u, [batch * nc, T, width]) as tf.Tensor3D,
    );
    let h = local.h;
    if (nc > 1) {
      // across chunks: scan the chunk-end (decay, state) pairs, then shift by one chunk for the carry-in
      const endDecay = tf.reshape(tf.slice(local.decay, [0, T - 1, 0], [batch * nc, 1, width]), [
        batch,
        nc,
        width,
      ]);
      const endState = tf.reshape(tf.slice(local.h, [0, T - 1, 0], [batch * nc, 1, width]), [
        batch,
        nc,
        width,
      ]);
      const ends = linearScan(endDecay as tf.Tensor3D, endState as tf.Tensor3D);
      const carry = tf.reshape(shift(ends.h, 1, 0), [batch * nc, 1, width]);
      h = tf.add(h, tf.mul(local.decay, carry));
    }
    // y_t[d] = Σ_n C_t[n]·h_t[d,n]
    let h4 = tf.reshape(h, [batch, nc * T, dInner, dState]);
    if (padLen > 0) h4 = tf.slice(h4, [0, 0, 0, 0], [batch, seqLen, dInner, dState]);
    return tf.sum(tf.mul(h4, tf.reshape(C, [batch, seqLen, 1, dState])), 3) as tf.Tensor3D;
  });
}

/**
 * The `chunked` scan implementation (see {@link chunkedScanCore}); the automatic choice on the
 * `tensorflow` and `webgl` backends.
 *
 * @category Scan
 */
export const CHUNKED_SCAN: ScanImplementation = {
  name: 'chunked',
  description: 'tfjs ops only (log-depth scans inside chunks of 16 and across chunks); stays on GPU backends',
  scan: (x, delta, A, B, C) => chunkedScanCore(x, delta, A, B, C),
};
