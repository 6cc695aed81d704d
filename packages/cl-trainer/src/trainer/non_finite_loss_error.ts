/**
 * Error raised when a training loss is NaN or infinite.
 *
 * @module
 */

/**
 * The loss of a step was NaN or ±Infinity. The run stops before the optimizer step, so no weights
 * are touched and the last checkpoint stays the last good one.
 *
 * @category Trainer
 */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
  /**
   * @param task - task index
   * @param epoch - 0-based epoch
   * @param step - 0-based batch in the epoch
   * @param loss - the value
   */
  constructor(
    readonly task: number,
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
  ) {
    super(
      `non-finite loss ${loss} at task ${task}, epoch ${epoch + 1}, step ${step + 1}: the run stopped before the optimizer step; the last checkpoint is intact (lower the learning rate or check the data)`,
    );
  }
}
