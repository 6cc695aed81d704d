/**
 * Size and numerics of a De-focus vision Mamba backbone.
 *
 * @category Model
 */
export interface VisionMambaConfig {
  /** Square input size in pixels (images are [batch, imgSize, imgSize, inChans], NHWC). */
  imgSize: number;
  /** Patch size (Conv2d kernel = stride). */
  patchSize: number;
  /** Input channels (3 for RGB, 1 for grayscale). */
  inChans: number;
  /** Token width (`embed_dim`). */
  dModel: number;
  /** Number of Mamba blocks. */
  depth: number;
  /** Inner width of the mixer (`intermediate_size`). */
  dInner: number;
  /** SSM state size N (`state_size`). */
  dState: number;
  /** Rank R of the Δ projection (`time_step_rank`). */
  dtRank: number;
  /** Causal conv kernel size (`conv_kernel`). */
  dConv: number;
  /** Channels per group of the scan-output RMS norm. */
  groupNormSize: number;
  /** RoPE-like rotation of B and C. */
  useRope: boolean;
  /** Δ = softplus(·)/deltaScale. */
  deltaScale: number;
  /** RoPE positions are divided by this. */
  ropeScale: number;
  /** Block RMSNorm eps. */
  rmsEps: number;
  /** Final LayerNorm eps. */
  finalNormEps: number;
}

/** Names of the built-in presets. @category Model */
export type ModelPresetName = 'defocus-mamba-large' | 'defocus-mamba-base' | 'defocus-mamba-small' | 'tiny';

const COMMON = {
  dState: 16,
  dConv: 4,
  useRope: true,
  deltaScale: 1,
  ropeScale: 1,
  rmsEps: 1e-5,
  finalNormEps: 1e-6,
} as const;

/**
 * Built-in backbone sizes.
 *
 * **Details**
 * - `defocus-mamba-large`: the official Mamba-CL backbone (spec §1.1): 192 px, patch 16 (145 tokens
 *   with CLS), dModel 1024, depth 48, dInner 2048, N 16, dtRank 48, group size 64, RoPE on, scales 1.
 * - `defocus-mamba-base`: dModel 768, depth 24, dInner 1536, dtRank 48, 192 px, patch 16. The width and
 *   depth follow the usual "Base" plain backbone (ViT-B/Vim-B: 768 × 24); NOT checked against an
 *   upstream De-focus config. dtRank 48 keeps the Large value.
 * - `defocus-mamba-small`: our choice: dModel 384, depth 24, dInner 768, dtRank 24, 192 px, patch 16.
 * - `tiny`: our development size: 28×28 grayscale, patch 4 (49 patches + CLS = 50 tokens), dModel 64,
 *   depth 4, dInner 128, N 16, dtRank 4, group size 32.
 * Any field can be overridden (`VisionMamba.create(preset, { overrides })`).
 *
 * @example
 * const cfg = { ...MODEL_PRESETS.tiny, depth: 2 };
 * @category Model
 */
export const MODEL_PRESETS: Readonly<Record<ModelPresetName, Readonly<VisionMambaConfig>>> = Object.freeze({
  'defocus-mamba-large': {
    ...COMMON,
    imgSize: 192,
    patchSize: 16,
    inChans: 3,
    dModel: 1024,
    depth: 48,
    dInner: 2048,
    dtRank: 48,
    groupNormSize: 64,
  },
  'defocus-mamba-base': {
    ...COMMON,
    imgSize: 192,
    patchSize: 16,
    inChans: 3,
    dModel: 768,
    depth: 24,
    dInner: 1536,
    dtRank: 48,
    groupNormSize: 64,
  },
  'defocus-mamba-small': {
    ...COMMON,
    imgSize: 192,
    patchSize: 16,
    inChans: 3,
    dModel: 384,
    depth: 24,
    dInner: 768,
    dtRank: 24,
    groupNormSize: 64,
  },
  tiny: {
    ...COMMON,
    imgSize: 28,
    patchSize: 4,
    inChans: 1,
    dModel: 64,
    depth: 4,
    dInner: 128,
    dtRank: 4,
    groupNormSize: 32,
  },
});

/**
 * Checks a config for consistency; throws naming the field and the rule.
 *
 * @param c - the config
 * @returns c
 * @example
 * validateConfig({ ...MODEL_PRESETS.tiny, groupNormSize: 48 }); // throws: dInner 128 not divisible by 48
 * @category Model
 */
export function validateConfig(c: VisionMambaConfig): VisionMambaConfig {
  const ints: Array<keyof VisionMambaConfig> = [
    'imgSize',
    'patchSize',
    'inChans',
    'dModel',
    'depth',
    'dInner',
    'dState',
    'dtRank',
    'dConv',
    'groupNormSize',
  ];
  for (const k of ints) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new Error(`VisionMambaConfig.${k} is ${String(v)}, expected a positive integer`);
  }
  if (c.imgSize % c.patchSize !== 0)
    throw new Error(`VisionMambaConfig: imgSize ${c.imgSize} is not divisible by patchSize ${c.patchSize}`);
  if (c.dInner % c.groupNormSize !== 0)
    throw new Error(
      `VisionMambaConfig: dInner ${c.dInner} is not divisible by groupNormSize ${c.groupNormSize}`,
    );
  if (c.dState % 2 !== 0 && c.useRope)
    throw new Error(`VisionMambaConfig: dState ${c.dState} must be even when useRope is on`);
  for (const k of ['deltaScale', 'ropeScale', 'rmsEps', 'finalNormEps'] as const) {
    if (!(c[k] > 0)) throw new Error(`VisionMambaConfig.${k} is ${c[k]}, expected > 0`);
  }
  return c;
}
