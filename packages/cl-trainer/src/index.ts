/**
 * `@mamba-cl/cl-trainer`: class-incremental trainer with a Strategy contract and registry
 * (Mamba-CL, finetune, joint, EWC, LwF, NSCL), metrics and resumable checkpoints.
 *
 * @module
 */

export {
  type AccuracyMatrix,
  accuracyAfterTask,
  averageIncrementalAccuracy,
  backwardTransfer,
  type ContinualMetrics,
  continualMetrics,
  finalAccuracy,
  forgettingOfficial,
  forgettingStandard,
} from './metrics/accuracy_metrics.js';
export { MultiStepLR, type MultiStepLROptions } from './optim/multi_step_lr.js';
export {
  type AdamParam,
  type AdamState,
  ProjectedAdam,
  type ProjectedAdamOptions,
  type UpdateTransform,
} from './optim/projected_adam.js';
export { SeededRng } from './rng/seeded_rng.js';

/** The npm name of this package. @category Meta */
export const PACKAGE_NAME = '@mamba-cl/cl-trainer';
