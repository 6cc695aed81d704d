import * as tf from '@tensorflow/tfjs-core';
import {
  type DefocusMixerOptions,
  type DefocusMixerParams,
  defocusMixer,
  type MixerTaps,
} from './defocus_mixer.js';
import { rmsNorm } from './rms_norm.js';

/**
 * One pre-norm residual Mamba block: h + Mixer(RMSNorm(h)).
 *
 * **Details**
 * res = h; u = h·rsqrt(mean(h²)+eps)·w; h' = res + Mixer(u) (spec §1.2; eps 1e-5).
 *
 * @param h - hidden states, shape [batch, seqLen, dModel]
 * @param normWeight - `blocks.{i}.norm.weight`, shape [dModel]
 * @param mixer - the mixer tensors
 * @param options - mixer options plus the RMSNorm eps
 * @param withTaps - also return the mixer taps (the caller disposes them)
 * @returns h' [batch, seqLen, dModel] (and taps)
 * @example
 * const { out } = mambaBlock(h, normW, mixerParams, { ...mixerOptions, rmsEps: 1e-5 });
 * @category Layers
 */
export function mambaBlock(
  h: tf.Tensor3D,
  normWeight: tf.Tensor1D,
  mixer: DefocusMixerParams,
  options: DefocusMixerOptions & { rmsEps: number },
  withTaps = false,
): { out: tf.Tensor3D; taps?: MixerTaps } {
  let taps: MixerTaps | undefined;
  const out = tf.tidy(() => {
    const r = defocusMixer(rmsNorm(h, normWeight, options.rmsEps), mixer, options, withTaps);
    taps = r.taps;
    return tf.add(h, r.out) as tf.Tensor3D;
  });
  return taps ? { out, taps } : { out };
}
