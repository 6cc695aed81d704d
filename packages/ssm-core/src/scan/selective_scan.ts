import * as tf from '@tensorflow/tfjs-core';
import './register_gradients.js';
import { resolveScanImpl } from './scan_registry.js';
import type { SelectiveScanInputs, SelectiveScanOptions } from './scan_types.js';

function shapeError(name: string, got: readonly number[], expected: string): Error {
  return new Error(`selectiveScan: input ${name} has shape [${got.join(', ')}], expected ${expected}`);
}

/** Checks every input's rank and sizes against x and A; throws naming the input and the expected shape. */
function validate(inputs: SelectiveScanInputs): void {
  const { x, delta, A, B, C, D, z, deltaBias } = inputs;
  if (x.rank !== 3) throw shapeError('x', x.shape, '[batch, seqLen, dInner]');
  const [batch, seqLen, dInner] = x.shape;
  if (A.rank !== 2 || A.shape[0] !== dInner) throw shapeError('A', A.shape, `[${dInner}, dState]`);
  const dState = A.shape[1];
  const same = (name: string, t: tf.Tensor, shape: number[]): void => {
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw shapeError(name, t.shape, `[${shape.join(', ')}]`);
    }
  };
  same('delta', delta, [batch, seqLen, dInner]);
  same('B', B, [batch, seqLen, dState]);
  same('C', C, [batch, seqLen, dState]);
  if (D !== undefined) same('D', D, [dInner]);
  if (z !== undefined) same('z', z, [batch, seqLen, dInner]);
  if (deltaBias !== undefined) same('deltaBias', deltaBias, [dInner]);
  for (const [name, t] of Object.entries({ x, delta, A, B, C, D, z, deltaBias })) {
    if (t !== undefined && t.dtype !== 'float32') {
      throw new Error(`selectiveScan: input ${name} has dtype ${t.dtype}, expected float32`);
    }
  }
}

/**
 * Runs the selective scan of a Mamba SSM over a sequence (official `selective_scan_fn` semantics).
 *
 * **Details**
 * Δ = softplus(delta + deltaBias) when `deltaSoftplus`, else delta + deltaBias;
 * h_t[d,n] = exp(Δ_t[d]·A[d,n])·h_{t−1}[d,n] + Δ_t[d]·B_t[n]·x_t[d] with h_{−1} = 0;
 * y_t[d] = Σ_n C_t[n]·h_t[d,n] (+ D[d]·x_t[d]) (· SiLU(z_t[d])) (spec §1.2 step 7, pitfall 14).
 *
 * The core recurrence runs in the chosen implementation (`options.impl`, else the environment
 * variable `MAMBA_CL_SCAN_IMPL`, else `fused` on cpu/wasm/webgpu and `chunked` on other backends); the
 * delta transform, skip and gate are plain tfjs ops around it. Differentiable in every input
 * (`tf.grads`, `tf.variableGrads`). Leaves no intermediate tensors behind.
 *
 * @param inputs - x [batch, seqLen, dInner], delta [batch, seqLen, dInner], A [dInner, dState],
 *   B [batch, seqLen, dState], C [batch, seqLen, dState], optional D [dInner], z [batch, seqLen, dInner],
 *   deltaBias [dInner], deltaSoftplus
 * @param options - `impl`: `'reference' | 'fused' | 'chunked' | 'auto'`
 * @returns y, shape [batch, seqLen, dInner]
 * @throws `Error` naming an input whose shape or dtype is wrong; `RangeError` for an unknown impl
 * @example
 * const y = selectiveScan({ x, delta, A, B, C, D, z, deltaBias, deltaSoftplus: true });
 * const yRef = selectiveScan({ x, delta, A, B, C }, { impl: 'reference' });
 * @category Scan
 */
export function selectiveScan(inputs: SelectiveScanInputs, options: SelectiveScanOptions = {}): tf.Tensor3D {
  validate(inputs);
  const impl = resolveScanImpl(options.impl);
  return tf.tidy(() => {
    const { x, A, B, C, D, z, deltaBias } = inputs;
    let delta: tf.Tensor3D = inputs.delta;
    if (deltaBias !== undefined) delta = tf.add(delta, deltaBias);
    if (inputs.deltaSoftplus === true) delta = tf.softplus(delta);
    let y = impl.scan(x, delta, A, B, C);
    if (D !== undefined) y = tf.add(y, tf.mul(x, D));
    if (z !== undefined) y = tf.mul(y, tf.mul(z, tf.sigmoid(z)));
    return y;
  });
}
