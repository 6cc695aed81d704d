import * as tf from '@tensorflow/tfjs-core';
import type { ScanImplementation } from './scan_types.js';

/**
 * Default chunk length of {@link chunkedScanCore}.
 *
 * @category Scan
 */
export const DEFAULT_SCAN_CHUNK = 16;

/** `v` shifted by `k` steps along axis 1 of a 3-D tensor (k > 0: later; k < 0: earlier), vacated rows set to `fill`. */
function shift(v: tf.Tensor3D, k: number, fill: number): tf.Tensor3D {
  const [n, len, width] = v.shape;
  const m = Math.abs(k);
  if (m >= len) return tf.fill([n, len, width], fill) as tf.Tensor3D;
  const kept = tf.slice(v, [0, k > 0 ? 0 : m, 0], [n, len - m, width]);
  return tf.pad(kept, [[0, 0], k > 0 ? [m, 0] : [0, m], [0, 0]], fill);
}

/**
 * Inclusive log-depth (Hillis–Steele) scan of the linear recurrence h_t = a_t·h_{t−1} + u_t along
 * axis 1 of [n, len, width] tensors, from h_{−1} = 0. Returns the cumulative decay Π a and h.
 * Only products of decays appear (they underflow to 0, never overflow).
 */
function linearScan(a: tf.Tensor3D, u: tf.Tensor3D): { decay: tf.Tensor3D; h: tf.Tensor3D } {
  const len = a.shape[1];
  const a0 = a;
  const u0 = u;
  for (let k = 1; k < len; k *= 2) {
    // (a_t, u_t) ∘ (a_{t−k}, u_{t−k}) = (a_t·a_{t−k}, a_t·u_{t−k} + u_t); each step's temporaries
    // are freed at once (never under autodiff: the chunked scan has its own gradient)
    const [na, nu] = tf.tidy(() => [tf.mul(a, shift(a, k, 1)), tf.add(tf.mul(a, shift(u, k, 0)), u)]) as [
      tf.Tensor3D,
      tf.Tensor3D,
    ];
    if (a !== a0) a.dispose();
    if (u !== u0) u.dispose();
    a = na;
    u = nu;
  }
  // always return new tensors, so the caller may dispose its inputs
  return { decay: a === a0 ? tf.clone(a) : a, h: u === u0 ? tf.clone(u) : u };
}

/**
 * h_t = a_t·h_{t−1} + u_t over axis 1 of [batch, seqLen, width] tensors, h_{−1} = 0: log-depth
 * scans inside chunks of `chunk` steps, then across the chunk ends for the carry into each chunk.
 */
function chunkedRecurrence(a: tf.Tensor3D, u: tf.Tensor3D, chunk: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, seqLen, width] = a.shape;
    const T = Math.min(chunk, seqLen);
    const nc = Math.ceil(seqLen / T);
    const padLen = nc * T - seqLen;
    if (padLen > 0) {
      const pad: Array<[number, number]> = [
        [0, 0],
        [0, padLen],
        [0, 0],
      ];
      a = tf.pad(a, pad, 1);
      u = tf.pad(u, pad, 0);
    }
    const local = linearScan(
      tf.reshape(a, [batch * nc, T, width]) as tf.Tensor3D,
      tf.reshape(u, [batch * nc, T, width]) as tf.Tensor3D,
    );
    if (padLen > 0) tf.dispose([a, u]);
    let h = local.h;
    if (nc > 1) {
      // across chunks: scan the chunk-end (decay, state) pairs, shift by one chunk for the carry-in
      h = tf.tidy(() => {
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
        return tf.add(local.h, tf.mul(local.decay, carry));
      });
      tf.dispose([local.h, local.decay]);
    } else {
      local.decay.dispose();
    }
    const out = tf.reshape(h, [batch, nc * T, width]) as tf.Tensor3D;
    return padLen > 0 ? tf.slice(out, [0, 0, 0], [batch, seqLen, width]) : out;
  });
}

/** a_t = exp(Δ_t·A) and u_t = Δ_t·x_t·B_t, both [batch, seqLen, dInner·dState]. */
function decaysAndInputs(
  x: tf.Tensor3D,
  delta: tf.Tensor3D,
  A: tf.Tensor2D,
  B: tf.Tensor3D,
): { a: tf.Tensor3D; u: tf.Tensor3D } {
  const [batch, seqLen, dInner] = x.shape;
  const dState = A.shape[1];
  const width = dInner * dState;
  const dt4 = tf.reshape(delta, [batch, seqLen, dInner, 1]);
  const a = tf.reshape(tf.exp(tf.mul(dt4, tf.reshape(A, [1, 1, dInner, dState]))), [batch, seqLen, width]);
  const u = tf.reshape(
    tf.mul(
      tf.reshape(tf.mul(delta, x), [batch, seqLen, dInner, 1]),
      tf.reshape(B, [batch, seqLen, 1, dState]),
    ),
    [batch, seqLen, width],
  );
  return { a: a as tf.Tensor3D, u: u as tf.Tensor3D };
}

/** y_t[d] = Σ_n C_t[n]·h_t[d,n]. */
function readOut(h: tf.Tensor3D, C: tf.Tensor3D, dInner: number): tf.Tensor3D {
  const [batch, seqLen] = h.shape;
  const dState = C.shape[2];
  return tf.sum(
    tf.mul(tf.reshape(h, [batch, seqLen, dInner, dState]), tf.reshape(C, [batch, seqLen, 1, dState])),
    3,
  ) as tf.Tensor3D;
}

/** Gradients of Σ dy⊙y w.r.t. x, delta, A, B, C, recomputing the states (nothing stored by the forward pass). */
function chunkedBackward(
  dy: tf.Tensor3D,
  x: tf.Tensor3D,
  delta: tf.Tensor3D,
  A: tf.Tensor2D,
  B: tf.Tensor3D,
  C: tf.Tensor3D,
  chunk: number,
): tf.Tensor[] {
  const [batch, seqLen, dInner] = x.shape;
  const dState = A.shape[1];
  const shape4 = [batch, seqLen, dInner, dState];
  const width = dInner * dState;
  // stages in their own tidies, so that at most a few state-sized tensors are alive at once
  const { a, u } = tf.tidy(() => decaysAndInputs(x, delta, A, B));
  const h = chunkedRecurrence(a, u, chunk);
  u.dispose();
  // g_t = ∂L/∂h_t = dy_t ⊗ C_t + a_{t+1} ⊙ g_{t+1}: the same recurrence run backwards in time
  const g = tf.tidy(() => {
    const c = tf.reshape(
      tf.mul(tf.reshape(dy, [batch, seqLen, dInner, 1]), tf.reshape(C, [batch, seqLen, 1, dState])),
      [batch, seqLen, width],
    ) as tf.Tensor3D;
    const aNextRev = tf.reverse(shift(a, -1, 0), 1);
    return tf.reverse(chunkedRecurrence(aNextRev, tf.reverse(c, 1), chunk), 1);
  });
  // ∂L/∂a_t = g_t ⊙ h_{t−1};  a_t = exp(Δ_t·A) → ·a_t·A for Δ, ·a_t·Δ for A
  const ga = tf.tidy(() => tf.reshape(tf.mul(tf.mul(g, shift(h, 1, 0)), a), shape4));
  a.dispose();
  return tf.tidy(() => {
    const g4 = tf.reshape(g, shape4);
    const dt4 = tf.reshape(delta, [batch, seqLen, dInner, 1]);
    const dA = tf.sum(tf.mul(ga, dt4), [0, 1]);
    const gB = tf.sum(tf.mul(g4, tf.reshape(B, [batch, seqLen, 1, dState])), 3); // Σ_n g·B
    const dx = tf.mul(delta, gB);
    const ddelta = tf.add(tf.sum(tf.mul(ga, tf.reshape(A, [1, 1, dInner, dState])), 3), tf.mul(x, gB));
    const dB = tf.sum(tf.mul(g4, tf.reshape(tf.mul(delta, x), [batch, seqLen, dInner, 1])), 2);
    const dC = tf.sum(tf.mul(tf.reshape(h, shape4), tf.reshape(dy, [batch, seqLen, dInner, 1])), 2);
    tf.dispose([g, ga, h]);
    return [dx, ddelta, dA, dB, dC];
  });
}

/**
 * The selective scan as a composition of tfjs ops only (no per-step loop, no host round trip), so
 * that on device backends (`tensorflow` with tfjs-node-gpu, `webgl`) the scan never leaves the
 * device.
 *
 * **Details**
 * a_t = exp(Δ_t·A) and u_t = Δ_t·x_t·B_t are formed for all steps at once ([batch, seqLen, dInner,
 * dState]); the sequence is cut into chunks of `chunk` steps (padded with a = 1, u = 0). Inside each
 * chunk a log-depth scan gives the local states and the cumulative decays (relative to the chunk
 * start: only products of decays ≤ 1, so no overflow however strong the decay, unlike
 * exp-of-cumulative-sum differences); a second log-depth scan over the chunk-end states gives the
 * carry into each chunk, and h_t = local_t + decay_t·carry; y_t = Σ_n C_t[n]·h_t[·,n] (spec §1.2).
 *
 * The gradient is custom (`tf.customGrad`): like the official kernel it saves only the inputs and
 * recomputes the states in the backward pass, where ∂L/∂h follows the same recurrence backwards in
 * time (g_t = dy_t⊗C_t + a_{t+1}⊙g_{t+1}, run by the same chunked scan on reversed sequences).
 * Autodiff through the scan would keep every intermediate of every step of every layer alive until
 * the backward pass (tens of GB for the large model); this way a layer holds a few state-sized
 * tensors, and only while its own forward or backward pass runs.
 *
 * @param x - [batch, seqLen, dInner]
 * @param delta - Δ (already transformed), [batch, seqLen, dInner]
 * @param A - [dInner, dState]
 * @param B - [batch, seqLen, dState]
 * @param C - [batch, seqLen, dState]
 * @param chunk - chunk length, default {@link DEFAULT_SCAN_CHUNK}
 * @returns y, [batch, seqLen, dInner]
 * @throws `RangeError` when `chunk` is not a positive integer
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
  const scan = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, ds, As, Bs, Cs] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
    const save = args[5] as tf.GradSaveFunc;
    save([xs, ds, As, Bs, Cs]);
    const value = tf.tidy(() => {
      const { a, u } = decaysAndInputs(xs, ds, As, Bs);
      return readOut(chunkedRecurrence(a, u, chunk), Cs, xs.shape[2]);
    });
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const [sx, sd, sA, sB, sC] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
      return chunkedBackward(dy as tf.Tensor3D, sx, sd, sA, sB, sC, chunk);
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return scan(x, delta, A, B, C) as tf.Tensor3D;
}

/**
 * The `chunked` scan implementation (see {@link chunkedScanCore}); the automatic choice on the
 * `tensorflow` and `webgl` backends.
 *
 * @category Scan
 */
export const CHUNKED_SCAN: ScanImplementation = {
  name: 'chunked',
  description:
    'tfjs ops only (log-depth scans inside chunks of 16 and across chunks, states recomputed in the backward pass); stays on GPU backends',
  scan: (x, delta, A, B, C) => chunkedScanCore(x, delta, A, B, C),
};
