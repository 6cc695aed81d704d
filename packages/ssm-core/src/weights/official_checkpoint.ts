import type { VisionMambaConfig } from '../model/model_config.js';
import { parameterShapes } from '../model/parameter_shapes.js';
import { splitFusedXProj } from '../model/vision_mamba.js';

/** Result of {@link mapOfficialCheckpoint}. @category Weights */
export interface MappedCheckpoint {
  /** Backbone tensors under the model's names (x_proj split), ready for `VisionMamba.loadStateDict`. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  /** Backbone parameters the checkpoint lacks (as PyTorch's strict=False report). */
  missing: string[];
  /** Checkpoint keys that are neither backbone parameters nor head keys. */
  unexpected: string[];
  /** Head keys (`head.*`, `head2.*`, ...) dropped on purpose (spec §1.3). */
  dropped: string[];
}

/**
 * Maps an official De-focus Mamba checkpoint onto this backbone (spec §1.3–1.4).
 *
 * **Details**
 * Splits each `blocks.{i}.mixer.x_proj.weight` [dtRank+2N, dInner] into `x_proj_step` (rows
 * 0..dtRank−1), `x_proj_B` (next N) and `x_proj_C` (last N); drops the pretrained classifier keys
 * (`head*`); reports missing and unexpected keys like `load_state_dict(strict=False)`. Shapes are
 * checked when the model loads them.
 *
 * @param dict - checkpoint tensors (e.g. from `readTorchCheckpoint`)
 * @param config - the backbone config the weights are for
 * @returns mapped tensors and the key report
 * @example
 * const m = mapOfficialCheckpoint(readTorchCheckpoint(path), model.config);
 * model.loadStateDict(m.tensors);
 * @category Weights
 */
export function mapOfficialCheckpoint(
  dict: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  config: VisionMambaConfig,
): MappedCheckpoint {
  const expected = parameterShapes(config);
  const split = splitFusedXProj(dict, config);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const unexpected: string[] = [];
  const dropped: string[] = [];
  for (const [key, value] of split) {
    if (expected.has(key)) tensors.set(key, { shape: value.shape, data: value.data });
    else if (/^head(\d*)(\.|$)/.test(key)) dropped.push(key);
    else unexpected.push(key);
  }
  const missing = [...expected.keys()].filter((k) => !tensors.has(k));
  return { tensors, missing, unexpected, dropped };
}
