import * as tf from '@tensorflow/tfjs-core';
import { convSilu } from '../ops/conv_silu.js';
import { softplusForBackend } from '../ops/fast_softplus.js';
import { fusedSsm, fusedSsmSupported } from '../ops/fused_ssm.js';
import { causalConv1d } from './causal_conv1d.js';
import { groupRmsNorm } from './group_rms_norm.js';
import { linear } from './linear.js';
import { ropeRotate } from './rope_rotate.js';
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
   * Run conv + SiLU ({@link convSilu}) and Δ, RoPE, the scan and the gated group norm
   * ({@link fusedSsm}) as WebAssembly SIMD kernels: `'auto'` (default) where it applies (cpu or wasm backend, sizes accepted by
   * `fusedSsmSupported`, scan implementation `'auto'` or `'fused'`), `true` to require it (throws
   * where it does not apply), `false` for the op-by-op path (the reference the tests compare with).
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
  const eps = options.groupNormEps ?? 1e-6;
  const scanImpl = options.scanImpl ?? 'auto';
  const supported =
    (scanImpl === 'auto' || scanImpl === 'fused') &&
    fusedSsmSupported(dInner, dtRank, n, options.groupNormSize, options.useRope);
  if (options.fused === true && !supported) {
    throw new Error(
      `defocusMixer: fused: true, but the fused kernel does not apply here (backend "${tf.getBackend()}", scanImpl "${scanImpl}", dInner ${dInner}, dtRank ${dtRank}, dState ${n}, group ${options.groupNormSize})`,
    );
  }
  const fused = options.fused !== false && supported;
  let taps: MixerTaps | undefined;
  const out = tf.tidy(() => {
    const u2 = tf.reshape(u, [rows, dModel]) as tf.Tensor2D;
    let x2: tf.Tensor2D;
    let y2: tf.Tensor2D;
    let delta: tf.Tensor2D;
    const conv = (xPre: tf.Tensor2D): tf.Tensor2D => {
      const x3 = tf.reshape(xPre, [batch, seqLen, dInner]) as tf.Tensor3D;
      // (fused implies dInner % 4 == 0, which is all convSilu needs)
      if (fused) return tf.reshape(convSilu(x3, p.convWeight, p.convBias), [rows, dInner]) as tf.Tensor2D;
      const xc = causalConv1d(x3, p.convWeight, p.convBias);
      return tf.reshape(tf.mul(xc, tf.sigmoid(xc)), [rows, dInner]) as tf.Tensor2D; // SiLU
    };
    const wXdbl = tf.concat([p.xProjStep, p.xProjB, p.xProjC], 0) as tf.Tensor2D; // [R + 2N, dInner]
    if (fused) {
      // x̃ and z from the two halves of in_proj (two products instead of one product and two slices)
      const inFrozen = p.inProj instanceof tf.Variable && !p.inProj.trainable;
      const wx = tf.slice(p.inProj, [0, 0], [dInner, dModel]) as tf.Tensor2D;
      const wz = tf.slice(p.inProj, [dInner, 0], [dInner, dModel]) as tf.Tensor2D;
      x2 = conv(linear(u2, wx, undefined, inFrozen));
      const z = linear(u2, wz, undefined, inFrozen);
      const xdbl = linear(x2, wXdbl); // [rows, R + 2N]: r | b | c
      ({ y: y2, delta } = fusedSsm(x2, xdbl, z, p, {
        batch,
        seqLen,
        groupNormSize: options.groupNormSize,
        eps,
        deltaScale: options.deltaScale,
        ropeScale: options.ropeScale,
        useRope: options.useRope,
      }));
    } else {
      const xz = linear(u2, p.inProj); // [rows, 2·dInner]
      x2 = conv(tf.slice(xz, [0, 0], [rows, dInner]) as tf.Tensor2D);
      const xdbl = linear(x2, wXdbl);
      const r = tf.slice(xdbl, [0, 0], [rows, dtRank]) as tf.Tensor2D;
      let bc = tf.reshape(tf.slice(xdbl, [0, dtRank], [rows, 2 * n]), [batch, seqLen, 2 * n]) as tf.Tensor3D;
      if (options.useRope) bc = ropeRotate(bc, tf.concat([p.freq, p.freq]) as tf.Tensor1D, options.ropeScale);
      const B = tf.slice(bc, [0, 0, 0], [batch, seqLen, n]);
      const C = tf.slice(bc, [0, 0, n], [batch, seqLen, n]);
      delta = softplusForBackend(linear(r, p.dtProjWeight, p.dtProjBias));
      if (options.deltaScale !== 1) delta = tf.div(delta, options.deltaScale);
      const A = tf.neg(tf.exp(p.ALog)) as tf.Tensor2D;
      const x = tf.reshape(x2, [batch, seqLen, dInner]) as tf.Tensor3D;
      const delta3 = tf.reshape(delta, [batch, seqLen, dInner]) as tf.Tensor3D;
      const s = callScan(x, delta3, A, B, C, scanImpl);
      const z = tf.slice(xz, [0, dInner], [rows, dInner]);
      const sHat = groupRmsNorm(tf.reshape(s, [rows, dInner]), options.groupNormSize, eps);
      y2 = tf.mul(tf.add(sHat, tf.mul(x2, p.D)), tf.mul(z, tf.sigmoid(z))) as tf.Tensor2D;
    }
    if (withTaps) {
      taps = {
        x: tf.keep(tf.reshape(x2, [batch, seqLen, dInner]) as tf.Tensor3D),
        delta: tf.keep(tf.reshape(delta, [batch, seqLen, dInner]) as tf.Tensor3D),
        y: tf.keep(tf.reshape(y2, [batch, seqLen, dInner]) as tf.Tensor3D),
      };
    }
    return tf.reshape(linear(y2, p.outProj), [batch, seqLen, dModel]);
  }) as tf.Tensor3D;
  return taps ? { out, taps } : { out };
}
