import type * as tf from '@tensorflow/tfjs-core';
import type { ScanImplName } from '../scan/scan_types.js';
import { selectiveScan } from '../scan/selective_scan.js';

/**
 * Which selective-scan implementation the mixer uses (`'auto'` lets the scan module choose).
 *
 * @category Layers
 */
export type MixerScanImpl = ScanImplName | 'auto';

/**
 * The one place where the mixer calls the selective scan: s = scan(x, Δ, A, B, C) without D, z,
 * delta bias or softplus (spec §1.2 step 7; the De-focus mixer applies the group-RMS between the
 * scan and the D-skip/gate, steps 8–9).
 *
 * **Details**
 * h_t[d,n] = exp(Δ_t[d]·A[d,n])·h_{t−1}[d,n] + Δ_t[d]·B_t[n]·x_t[d], h_{−1} = 0;
 * s_t[d] = Σ_n C_t[n]·h_t[d,n]. Delegates to `selectiveScan`.
 *
 * @param x - scan input, shape [batch, seqLen, dInner]
 * @param delta - Δ (already softplus-ed and scaled), shape [batch, seqLen, dInner]
 * @param A - shape [dInner, dState] (negative)
 * @param B - shape [batch, seqLen, dState]
 * @param C - shape [batch, seqLen, dState]
 * @param impl - implementation (default `'auto'`)
 * @returns s, shape [batch, seqLen, dInner]
 * @example
 * const s = callScan(x, delta, A, B, C);
 * @category Layers
 */
export function callScan(
  x: tf.Tensor3D,
  delta: tf.Tensor3D,
  A: tf.Tensor2D,
  B: tf.Tensor3D,
  C: tf.Tensor3D,
  impl: MixerScanImpl = 'auto',
): tf.Tensor3D {
  return selectiveScan({ x, delta, A, B, C }, { impl });
}
