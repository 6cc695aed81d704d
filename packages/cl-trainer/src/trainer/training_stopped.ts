/**
 * The run was asked to stop (`ContinualTrainer.run({ signal })` aborted, e.g. on Ctrl-C): the
 * trainer wrote a checkpoint at the step where it stopped, so `run({ resume: true })` continues
 * from exactly there.
 *
 * @category Trainer
 */
export class TrainingStopped extends Error {
  override readonly name = 'TrainingStopped';
  /**
   * @param task - task being trained
   * @param epoch - its epoch (0-based)
   * @param batch - batches of that epoch already done
   * @param checkpoint - the checkpoint file written
   */
  constructor(
    readonly task: number,
    readonly epoch: number,
    readonly batch: number,
    readonly checkpoint: string | undefined,
  ) {
    super(
      `training stopped on request at task ${task}, epoch ${epoch + 1}, after batch ${batch}${checkpoint ? `; checkpoint ${checkpoint}` : ' (no checkpoint folder configured)'}`,
    );
  }
}
