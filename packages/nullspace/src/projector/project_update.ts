import * as tf from '@tensorflow/tfjs-core';

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
