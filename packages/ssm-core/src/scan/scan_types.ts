import type * as tf from '@tensorflow/tfjs-core';

/**
 * Inputs of {@link selectiveScan}, in the official `selective_scan_fn` semantics (spec §1.2 step 7).
 *
 * **Details**
 * Sequences are token-major: `[batch, seqLen, channels]`. `A` is already negative
 * (`A = −exp(A_log)`). Optional parts: `D` (skip, `y += D ⊙ x`), `z` (gate, `y *= SiLU(z)`),
 * `deltaBias` and `deltaSoftplus` (`Δ = softplus(delta + deltaBias)` when `deltaSoftplus`, else
 * `Δ = delta + deltaBias`).
 *
 * @category Scan
 */
export interface SelectiveScanInputs {
  /** Scan input u, shape [batch, seqLen, dInner]. */
  readonly x: tf.Tensor3D;
  /** Step sizes (raw), shape [batch, seqLen, dInner]. */
  readonly delta: tf.Tensor3D;
  /** State matrix (negative), shape [dInner, dState]. */
  readonly A: tf.Tensor2D;
  /** Input projection, shape [batch, seqLen, dState]. */
  readonly B: tf.Tensor3D;
  /** Output projection, shape [batch, seqLen, dState]. */
  readonly C: tf.Tensor3D;
  /** Skip weights, shape [dInner]: y += D ⊙ x. */
  readonly D?: tf.Tensor1D;
  /** Gate, shape [batch, seqLen, dInner]: y *= SiLU(z). */
  readonly z?: tf.Tensor3D;
  /** Added to delta before the (optional) softplus, shape [dInner]. */
  readonly deltaBias?: tf.Tensor1D;
  /** Apply softplus to delta (+ deltaBias); default false. */
  readonly deltaSoftplus?: boolean;
}

/**
 * Names of the built-in selective-scan implementations.
 *
 * @category Scan
 */
export type ScanImplName = 'reference' | 'fused' | 'chunked';

/**
 * Options of {@link selectiveScan}.
 *
 * @category Scan
 */
export interface SelectiveScanOptions {
  /**
   * Implementation: a registered name, or `'auto'` (default; `MAMBA_CL_SCAN_IMPL` when set, else
   * `fused` on the cpu/wasm/webgpu backends and `chunked` elsewhere).
   */
  readonly impl?: ScanImplName | 'auto';
}

/**
 * One selective-scan implementation: the core recurrence without D, z or the delta transform.
 *
 * **Details**
 * `scan(x, delta, A, B, C)` returns y with y_t[d] = Σ_n C_t[n]·h_t[d,n] and
 * h_t[d,n] = exp(Δ_t[d]·A[d,n])·h_{t−1}[d,n] + Δ_t[d]·B_t[n]·x_t[d], h_{−1} = 0, where `delta`
 * is already the final Δ. It must be differentiable in all five inputs. {@link selectiveScan}
 * adds the delta transform, D skip and SiLU gate around it with ordinary tfjs ops.
 *
 * @category Scan
 */
export interface ScanImplementation {
  /** Registry id. */
  readonly name: string;
  /** One line: what it is and where it is fast. */
  readonly description: string;
  /**
   * Runs the core scan.
   *
   * @param x - [batch, seqLen, dInner]
   * @param delta - Δ (already transformed), [batch, seqLen, dInner]
   * @param A - [dInner, dState]
   * @param B - [batch, seqLen, dState]
   * @param C - [batch, seqLen, dState]
   * @returns y, [batch, seqLen, dInner]
   */
  scan(x: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D): tf.Tensor3D;
}
