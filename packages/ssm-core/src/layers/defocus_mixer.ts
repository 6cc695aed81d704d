import * as tf from '@tensorflow/tfjs-core';
import { softplusForBackend } from '../ops/fast_softplus.js';
import { gateNorm } from '../ops/gate_norm.js';
import { fusedKernelsAvailable } from '../ops/js_kernel_io.js';
import { causalConv1d } from './causal_conv1d.js';
import { groupRmsNorm } from './group_rms_norm.js';
import { linear } from './linear.js';
import { pairSwapMatrix, ropeRotate, ropeRotateSwapped } from './rope_rotate.js';
import { callScan, type MixerScanImpl } from './scan_call.js';

/**
 * The tensors of one De-focus Mamba mixer, in PyTorch layouts, after the `x_proj` split (spec §1.4).
 *
 * @category Layers
 */
export interface DefocusMixerParams {
  /** `in_proj.weight` [2·dInner, dModel] (rows 0..dInner−1 give x̃, the rest the gate z). */
  inProj: tf.Tensor2D;
  /** `conv1d.weight` [dInner, 1, dConv]. */
  convWeight: tf.Tensor3D;
  /** `conv1d.bias` [dInner]. */
  convBias: tf.Tensor1D;
  /** `x_proj_step.weight` [dtRank, dInner] (W_δ). */
  xProjStep: tf.Tensor2D;
  /** `x_proj_B.weight` [dState, dInner] (W_B). */
  xProjB: tf.Tensor2D;
  /** `x_proj_C.weight` [dState, dInner] (W_C). */
  xProjC: tf.Tensor2D;
  /** `dt_proj.weight` [dInner, dtRank]. */
  dtProjWeight: tf.Tensor2D;
  /** `dt_proj.bias` [dInner]. */
  dtProjBias: tf.Tensor1D;
  /** `A_log` [dInner, dState]; A = −exp(A_log). */
  ALog: tf.Tensor2D;
  /** `D` [dInner]. */
  D: tf.Tensor1D;
  /** `out_proj.weight` [dModel, dInner]. */
  outProj: tf.Tensor2D;
  /** `freq`, shape (dState): RoPE frequencies of B and C. */
  freq: tf.Tensor1D;
}

/**
 * Hyper-parameters of the mixer (see `VisionMambaConfig`).
 *
 * @category Layers
 */
export interface DefocusMixerOptions {
  groupNormSize: number;
  useRope: boolean;
  deltaScale: number;
  ropeScale: number;
  /** eps of the group RMS norm (1e-6 in the official model). */
  groupNormEps?: number;
  scanImpl?: MixerScanImpl;
  /**
   * Use the fused-gradient group-RMS+skip+gate (`gateNorm`) and the reverse-free RoPE:
   * `'auto'` (default) where they exist (cpu, wasm), `false` for the plain-op path (the reference).
   */
  fused?: boolean | 'auto';
}

/**
 * Feature taps of one mixer (spec §3.2), each [batch, seqLen, dInner].
 *
 * @category Layers
 */
export interface MixerTaps {
  /** x: scan input after conv + SiLU. */
  x: tf.Tensor3D;
  /** Δ after softplus and /deltaScale. */
  delta: tf.Tensor3D;
  /** y: input of out_proj. */
  y: tf.Tensor3D;
}

/**
 * The De-focus Mamba mixer: in_proj → causal conv + SiLU → selective projections (+RoPE on B, C) →
 * Δ → scan → group RMS → (+D⊙x)⊙SiLU(z) → out_proj.
 *
 * **Details**
 * Spec §1.2 steps 1–10: [x̃|z] = u·W_inᵀ; x = SiLU(conv(x̃)); [r|b|c] = x·[W_δ;W_B;W_C]ᵀ (one matMul);
 * B, C = rope(b), rope(c); Δ = softplus(r·W_dtᵀ + b_dt)/deltaScale; A = −exp(A_log);
 * s = scan(x, Δ, A, B, C) (no D, z); ŝ = groupRms(s); y = (ŝ + D⊙x)⊙SiLU(z); out = y·W_outᵀ.
 * Every matMul is a 2-D {@link linear} (explicit-transpose gradient).
 *
 * @param u - normalised block input, shape [batch, seqLen, dModel]
 * @param p - mixer tensors
 * @param options - group size, rope, scales, scan implementation
 * @param withTaps - also return x, Δ and y (kept alive; the caller disposes them)
 * @returns out [batch, seqLen, dModel] (and the taps when asked)
 * @example
 * const { out } = defocusMixer(u, params, { groupNormSize: 64, useRope: true, deltaScale: 1, ropeScale: 1 });
 * @category Layers
 */
export function defocusMixer(
  u: tf.Tensor3D,
  p: DefocusMixerParams,
  options: DefocusMixerOptions,
  withTaps = false,
): { out: tf.Tensor3D; taps?: MixerTaps } {
  const [batch, seqLen, dModel] = u.shape;
  const dInner = p.inProj.shape[0] / 2;
  const dtRank = p.xProjStep.shape[0];
  const n = p.xProjB.shape[0];
  if (p.inProj.shape[1] !== dModel) {
    throw new Error(`defocusMixer: in_proj.weight is [${p.inProj.shape}], expected [2*dInner, ${dModel}]`);
  }
  const rows = batch * seqLen;
  let taps: MixerTaps | undefined;
  const fused =
    options.fused === undefined || options.fused === 'auto' ? fusedKernelsAvailable() : options.fused;
  const out = tf.tidy(() => {
    const xz = linear(tf.reshape(u, [rows, dModel]) as tf.Tensor2D, p.inProj); // [rows, 2·dInner]
    const xPre = tf.reshape(tf.slice(xz, [0, 0], [rows, dInner]), [batch, seqLen, dInner]) as tf.Tensor3D;
    const xc = causalConv1d(xPre, p.convWeight, p.convBias);
    const x2 = tf.reshape(tf.mul(xc, tf.sigmoid(xc)), [rows, dInner]) as tf.Tensor2D; // SiLU
    const x = tf.reshape(x2, [batch, seqLen, dInner]) as tf.Tensor3D;
    let B: tf.Tensor3D;
    let C: tf.Tensor3D;
    let r: tf.Tensor2D;
    if (options.useRope && fused) {
      // [r | b | c | b̄ | c̄] in one matMul, b̄/c̄ from pair-swapped weight rows: no reverse op.
      const swap = pairSwapMatrix(n);
      const w = tf.concat(
        [p.xProjStep, p.xProjB, p.xProjC, tf.matMul(swap, p.xProjB), tf.matMul(swap, p.xProjC)],
        0,
      );
      const xdbl = linear(x2, w as tf.Tensor2D); // [rows, R + 4N]
      r = tf.slice(xdbl, [0, 0], [rows, dtRank]) as tf.Tensor2D;
      const bc = tf.reshape(tf.slice(xdbl, [0, dtRank], [rows, 2 * n]), [
        batch,
        seqLen,
        2 * n,
      ]) as tf.Tensor3D;
      const bcSw = tf.reshape(tf.slice(xdbl, [0, dtRank + 2 * n], [rows, 2 * n]), [
        batch,
        seqLen,
        2 * n,
      ]) as tf.Tensor3D;
      const rot = ropeRotateSwapped(bc, bcSw, tf.concat([p.freq, p.freq]) as tf.Tensor1D, options.ropeScale);
      B = tf.slice(rot, [0, 0, 0], [batch, seqLen, n]);
      C = tf.slice(rot, [0, 0, n], [batch, seqLen, n]);
    } else {
      const xdbl = linear(x2, tf.concat([p.xProjStep, p.xProjB, p.xProjC], 0) as tf.Tensor2D); // [rows, R+2N]
      r = tf.slice(xdbl, [0, 0], [rows, dtRank]) as tf.Tensor2D;
      let bc = tf.reshape(tf.slice(xdbl, [0, dtRank], [rows, 2 * n]), [batch, seqLen, 2 * n]) as tf.Tensor3D;
      if (options.useRope) bc = ropeRotate(bc, tf.concat([p.freq, p.freq]) as tf.Tensor1D, options.ropeScale);
      B = tf.slice(bc, [0, 0, 0], [batch, seqLen, n]);
      C = tf.slice(bc, [0, 0, n], [batch, seqLen, n]);
    }
    let delta = softplusForBackend(linear(r, p.dtProjWeight, p.dtProjBias));
    if (options.deltaScale !== 1) delta = tf.div(delta, options.deltaScale);
    const delta3 = tf.reshape(delta, [batch, seqLen, dInner]) as tf.Tensor3D;
    const A = tf.neg(tf.exp(p.ALog)) as tf.Tensor2D;
    const s = callScan(x, delta3, A, B, C, options.scanImpl);
    const eps = options.groupNormEps ?? 1e-6;
    let y2: tf.Tensor2D;
    if (fused) {
      y2 = gateNorm(tf.reshape(s, [rows, dInner]) as tf.Tensor2D, x2, xz, p.D, options.groupNormSize, eps);
    } else {
      const z = tf.slice(xz, [0, dInner], [rows, dInner]);
      const sHat = groupRmsNorm(tf.reshape(s, [rows, dInner]), options.groupNormSize, eps);
      y2 = tf.mul(tf.add(sHat, tf.mul(x2, p.D)), tf.mul(z, tf.sigmoid(z))) as tf.Tensor2D;
    }
    if (withTaps) {
      taps = {
        x: tf.keep(x),
        delta: tf.keep(delta3),
        y: tf.keep(tf.reshape(y2, [batch, seqLen, dInner]) as tf.Tensor3D),
      };
    }
    return tf.reshape(linear(y2, p.outProj), [batch, seqLen, dModel]);
  }) as tf.Tensor3D;
  return taps ? { out, taps } : { out };
}
