/**
 * `@mamba-cl/cl-trainer`: class-incremental trainer with a Strategy contract and registry
 * (Mamba-CL, finetune, joint, EWC, LwF, NSCL), metrics and resumable checkpoints.
 *
 * @module
 */

export {
  type Backbone,
  type BackboneTap,
  FEATURE_GROUPS,
  type FeatureGroup,
  groupParameter,
} from './backbone/backbone.js';
export {
  type CheckpointContents,
  CheckpointError,
  readCheckpointFile,
  type StoredArray,
  writeCheckpointFile,
} from './checkpoint/checkpoint_file.js';
export { crc32 } from './checkpoint/crc32.js';
export {
  eventToJsonLine,
  type RunPosition,
  type TrainerEvent,
  type TrainerListener,
} from './events/trainer_events.js';
export { type TaskHead, TaskHeads, type TaskHeadsOptions } from './heads/task_heads.js';
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
export {
  BUILTIN_STRATEGIES,
  createStrategy,
  getStrategyDefinition,
  listStrategies,
  registerStrategy,
} from './strategies/builtin_strategies.js';
export { createEwcStrategy, EWC_STRATEGY } from './strategies/ewc.js';
export {
  type BatchGram,
  type BGramMethod,
  batchGrams,
  type GramKernel,
  type GramSource,
} from './strategies/feature_grams.js';
export { createFinetuneStrategy, FINETUNE_STRATEGY } from './strategies/finetune.js';
export { createJointStrategy, JOINT_STRATEGY } from './strategies/joint.js';
export { createLwfStrategy, LWF_STRATEGY } from './strategies/lwf.js';
export {
  createMambaClStrategy,
  createNsclStrategy,
  MAMBA_CL_DEFAULTS,
  MAMBA_CL_STRATEGY,
  type MambaClOptions,
  MambaClStrategy,
  NSCL_DEFAULTS,
  NSCL_STRATEGY,
} from './strategies/mamba_cl.js';
export type {
  JsonValue,
  StepContext,
  Strategy,
  StrategyContext,
  StrategyState,
} from './strategy/strategy.js';
export {
  checkOptionKeys,
  readOption,
  type SharedStrategySlot,
  STRATEGY_REGISTRY_SLOT,
  STRATEGY_REGISTRY_VERSION,
  type StrategyDefinition,
  type StrategyOptionInfo,
  type StrategyOptions,
  StrategyRegistry,
  sharedStrategyRegistry,
} from './strategy/strategy_registry.js';
export {
  type ArraySplit,
  type InMemoryStreamOptions,
  inMemoryStream,
} from './stream/in_memory_stream.js';
export {
  type EpochLoader,
  type LoaderStreamOptions,
  loaderStream,
} from './stream/loader_stream.js';
export {
  type Batch,
  type BatchSource,
  iterateBatches,
  type TaskStream,
  type TrainRequest,
} from './stream/task_stream.js';
export {
  CHECKPOINT_FILE,
  ContinualTrainer,
  type ContinualTrainerOptions,
  checkpointModelWeights,
  MODEL_WEIGHTS_KEY,
  type RunResult,
} from './trainer/continual_trainer.js';
export { NonFiniteLossError } from './trainer/non_finite_loss_error.js';
export {
  type ResolvedTrainerConfig,
  resolveTrainerConfig,
  type TrainerConfig,
} from './trainer/trainer_config.js';
export { TrainingStopped } from './trainer/training_stopped.js';

/** The npm name of this package. @category Meta */
export const PACKAGE_NAME = '@mamba-cl/cl-trainer';
