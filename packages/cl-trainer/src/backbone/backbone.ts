/**
 * The structural interface the trainer needs from a feature extractor. `VisionMamba` of
 * `@mamba-cl/ssm-core` satisfies it; tests use the small {@link TinyMambaBackbone} from
 * `@mamba-cl/cl-trainer/testing`.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Per-block tensors for the null-space features (spec §3.2), each [batch, seqLen, dInner].
 *
 * @category Backbone
 */
export interface BackboneTap {
  /** SSM input after conv + SiLU (features of W_δ, W_C; with Δ, of W_B). */
  readonly x: tf.Tensor3D;
  /** Δ after softplus (features of A_log; with x, of W_B). */
  readonly delta: tf.Tensor3D;
  /** Input of out_proj (features of W_out). */
  readonly y: tf.Tensor3D;
}

/**
 * What a continual-learning backbone offers (structurally what `VisionMamba` exposes).
 *
 * **Details**
 * Parameters are `tf.Variable`s under their official checkpoint names; `trainableNames()` lists
 * those trained by the official rule (spec §2: `x_proj_step/B/C.weight`, `A_log`,
 * `out_proj.weight` of every block). Block i of `taps` owns the parameters named
 * `blocks.{i}.mixer.*`.
 *
 * @category Backbone
 */
export interface Backbone {
  /** Needs at least the feature width. */
  readonly config: { readonly dModel: number };
  /**
   * CLS features.
   *
   * @param images - [batch, H, W, C], normalised
   * @returns features [batch, dModel]
   */
  forward(images: tf.Tensor4D): tf.Tensor2D;
  /**
   * Features plus per-block taps; the caller disposes everything returned.
   *
   * @param images - [batch, H, W, C]
   */
  forwardWithTaps(images: tf.Tensor4D): { features: tf.Tensor2D; taps: BackboneTap[] };
  /**
   * Features, handing each block's taps to `visit` as soon as the block has run; they are disposed
   * when `visit` returns (peak memory: one block's taps, not all blocks'). Same values, bit for bit,
   * as `forwardWithTaps`. `visit` must not keep the tap tensors and disposes what it makes. Not
   * differentiable: for feature collection only.
   *
   * @param images - [batch, H, W, C]
   * @param visit - called once per block, in block order, with the block index and its taps
   * @returns features [batch, dModel] (the caller disposes them)
   */
  forwardWithTapVisitor(images: tf.Tensor4D, visit: (block: number, tap: BackboneTap) => void): tf.Tensor2D;
  /** Every parameter by official name. */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  /** Names of the parameters trained by the official rule. */
  trainableNames(): string[];
}

/**
 * The five null-space feature groups of one block (spec §3.2): W_δ, W_B, W_C, A_log, out_proj.
 *
 * @category Backbone
 */
export type FeatureGroup = 'step' | 'B' | 'C' | 'A' | 'out';

/** All five groups, in the official reader order. @category Backbone */
export const FEATURE_GROUPS: readonly FeatureGroup[] = ['step', 'B', 'C', 'A', 'out'];

/**
 * The parameter a feature group protects in block i, and the side its projector acts on
 * (right: U·P for [out, in] weights; left: P·U for A_log [dInner, N]; spec pitfall 2).
 *
 * @param block - block index
 * @param group - feature group
 * @returns official parameter name and projection side
 * @example
 * groupParameter(3, 'A'); // { name: 'blocks.3.mixer.A_log', side: 'left' }
 * @category Backbone
 */
export function groupParameter(block: number, group: FeatureGroup): { name: string; side: 'right' | 'left' } {
  const p = `blocks.${block}.mixer.`;
  switch (group) {
    case 'step':
      return { name: `${p}x_proj_step.weight`, side: 'right' };
    case 'B':
      return { name: `${p}x_proj_B.weight`, side: 'right' };
    case 'C':
      return { name: `${p}x_proj_C.weight`, side: 'right' };
    case 'A':
      return { name: `${p}A_log`, side: 'left' };
    case 'out':
      return { name: `${p}out_proj.weight`, side: 'right' };
  }
}
