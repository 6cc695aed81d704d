import { createRequire } from 'node:module';
import type * as tf from '@tensorflow/tfjs-core';

let core: typeof tf | undefined;
/**
 * tfjs-core, loaded on first use: it is an optional peer of this package (the covariance, eigen,
 * threshold and store APIs work on typed arrays without it), and the caller's tensors already come
 * from it.
 */
function tfCore(fn: string): typeof tf {
  if (core !== undefined) return core;
  try {
    core = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof tf;
    return core;
  } catch (cause) {
    throw new Error(
      `@mamba-cl/nullspace ${fn}: cannot load @tensorflow/tfjs-core, an optional peer needed by the tensor ` +
        'functions (projectUpdate, projectUpdateFactored); install it with a backend: ' +
        'npm install @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0',
      { cause },
    );
  }
}

/**
 * Projects a parameter update onto the (blended) null space: U·P or P·U.
 *
 * **Details**
 * Spec §3.5, pitfall 2: weights stored [out, in] (x_proj_step/B/C, out_proj) are right-multiplied,
 * U ← U·P, with P acting on the input axis; `A_log` [dInner, N] is left-multiplied, U ← P·U.
 * One 2-D matMul; the result is a new tensor (the inputs are not disposed, nothing else leaks).
 *
 * @param update - the update U: [out, in] for 'right', [d, N] for 'left'
 * @param projector - P, shape [in, in] ('right') or [d, d] ('left')
 * @param side - 'right' (U·P) or 'left' (P·U)
 * @returns the projected update, same shape as `update`
 * @example
 * const step = projectUpdate(adamStep, P, 'right'); // [1024, 2048]·[2048, 2048]
 * @category Projector
 */
export function projectUpdate<T extends tf.Tensor>(
  update: T,
  projector: tf.Tensor2D,
  side: 'right' | 'left',
): T {
  if (update.rank !== 2)
    throw new RangeError(`projectUpdate: update has shape [${update.shape}], expected a 2-D tensor`);
  const [p0, p1] = projector.shape;
  if (projector.rank !== 2 || p0 !== p1) {
    throw new RangeError(
      `projectUpdate: projector has shape [${projector.shape}], expected a square 2-D tensor`,
    );
  }
  const [r, c] = update.shape as [number, number];
  const tf = tfCore('projectUpdate');
  if (side === 'right') {
    if (c !== p0)
      throw new RangeError(`projectUpdate: right side needs update [out, ${p0}], got [${update.shape}]`);
    return tf.matMul(update as unknown as tf.Tensor2D, projector) as unknown as T;
  }
  if (side === 'left') {
    if (r !== p0)
      throw new RangeError(`projectUpdate: left side needs update [${p0}, N], got [${update.shape}]`);
    return tf.matMul(projector, update as unknown as tf.Tensor2D) as unknown as T;
  }
  throw new RangeError(`projectUpdate: side '${side as string}', expected 'right' or 'left'`);
}

/**
 * A projector in low-rank form as tensors: P = diag·I + coef·B·Bᵀ (see `FactoredProjector`).
 *
 * @category Projector
 */
export interface FactoredProjectorTensors {
  readonly diag: number;
  readonly coef: number;
  /** B, shape [n, cols]. */
  readonly basis: tf.Tensor2D;
  /** Bᵀ, shape [cols, n]: pass it (made once per task) to avoid a transpose per step. */
  readonly basisT?: tf.Tensor2D;
}

/**
 * {@link projectUpdate} with a low-rank projector: U·P = diag·U + coef·(U·B)·Bᵀ (right) or
 * P·U = diag·U + coef·B·(Bᵀ·U) (left).
 *
 * **Details**
 * Equal to the dense product up to float32 rounding, at O(rows·n·cols) instead of O(rows·n²) flops:
 * with the official adaptive threshold the range side has i* ≈ 31 columns, so the paper model's
 * per-step projection cost drops about 60-fold. Runs in one `tf.tidy`; the inputs are not disposed.
 *
 * @param update - U: [out, n] for 'right', [n, N] for 'left'
 * @param projector - diag, coef and the basis B [n, cols]
 * @param side - 'right' (U·P) or 'left' (P·U)
 * @returns the projected update, same shape as `update`
 * @example
 * const B = tf.tensor2d(r.factored.basis, [2048, r.factored.cols]);
 * const step = projectUpdateFactored(adamStep, { diag: r.factored.diag, coef: r.factored.coef, basis: B }, 'right');
 * @category Projector
 */
export function projectUpdateFactored<T extends tf.Tensor>(
  update: T,
  projector: FactoredProjectorTensors,
  side: 'right' | 'left',
): T {
  if (update.rank !== 2)
    throw new RangeError(`projectUpdateFactored: update has shape [${update.shape}], expected a 2-D tensor`);
  const B = projector.basis;
  const n = B.shape[0];
  const [r, c] = update.shape as [number, number];
  if (side === 'right' && c !== n)
    throw new RangeError(`projectUpdateFactored: right side needs update [out, ${n}], got [${update.shape}]`);
  if (side === 'left' && r !== n)
    throw new RangeError(`projectUpdateFactored: left side needs update [${n}, N], got [${update.shape}]`);
  if (side !== 'right' && side !== 'left')
    throw new RangeError(`projectUpdateFactored: side '${side as string}', expected 'right' or 'left'`);
  const U = update as unknown as tf.Tensor2D;
  const tf = tfCore('projectUpdateFactored');
  return tf.tidy(() => {
    // An empty basis (no low-rank part) leaves diag·U; it also keeps zero-size tensors out of the
    // products, which webgpu rejects (a zero-size binding invalidates the whole command buffer).
    if (B.shape[1] === 0) return tf.mul(U, projector.diag);
    const low =
      side === 'right'
        ? tf.matMul(tf.matMul(U, B), B, false, true)
        : tf.matMul(B, tf.matMul(B, U, true, false));
    return tf.add(tf.mul(U, projector.diag), tf.mul(low, projector.coef));
  }) as unknown as T;
}
