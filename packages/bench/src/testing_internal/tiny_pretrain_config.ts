import { MODEL_PRESETS, type VisionMambaConfig } from '@mamba-cl/ssm-core';

/** A one-block 8-wide `tiny` for 28×28 grey images: pretraining tests run it in a second. */
export const TINY_PRETRAIN_CONFIG: VisionMambaConfig = {
  ...MODEL_PRESETS.tiny,
  patchSize: 7,
  dModel: 8,
  depth: 1,
  dInner: 16,
  dState: 4,
  dtRank: 2,
  groupNormSize: 8,
};
