import { VisionMamba } from '@mamba-cl/ssm-core';

/**
 * A very small real `VisionMamba` for trainer tests: 8×8×3 images, patch 4 (4 patches + CLS),
 * d_model 16, d_inner 24, N 4, dt_rank 2, depth 2, norm groups of 8.
 *
 * @param seed - weight seed
 * @returns a new model (the caller disposes it)
 */
export function tinyVisionMamba(seed: number): VisionMamba {
  return VisionMamba.create('tiny', {
    seed,
    overrides: {
      imgSize: 8,
      patchSize: 4,
      inChans: 3,
      dModel: 16,
      depth: 2,
      dInner: 24,
      dState: 4,
      dtRank: 2,
      groupNormSize: 8,
    },
  });
}
