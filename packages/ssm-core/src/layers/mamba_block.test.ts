import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { type DefocusMixerParams, defocusMixer } from './defocus_mixer.js';
import { mambaBlock } from './mamba_block.js';
import { rmsNorm } from './rms_norm.js';

describeWithBackends(
  'mambaBlock',
  () => {
    it('is h + mixer(rmsNorm(h)) and passes the mixer taps through', async () => {
      const rng = new SeededRandom(31);
      const [B, L, dM, dI, n, r] = [2, 4, 4, 8, 4, 2];
      const t = (shape: number[], std: number) =>
        tf.tensor(
          rng.normalArray(
            shape.reduce((a, b) => a * b, 1),
            std,
          ),
          shape,
        );
      const p = {
        inProj: t([2 * dI, dM], 0.5),
        convWeight: t([dI, 1, 4], 0.5),
        convBias: t([dI], 0.1),
        xProjStep: t([r, dI], 0.3),
        xProjB: t([n, dI], 0.3),
        xProjC: t([n, dI], 0.3),
        dtProjWeight: t([dI, r], 0.3),
        dtProjBias: tf.fill([dI], -2),
        ALog: t([dI, n], 0.1),
        D: t([dI], 1),
        outProj: t([dM, dI], 0.3),
        freq: t([n], 1),
      } as unknown as DefocusMixerParams;
      const h = t([B, L, dM], 1) as tf.Tensor3D;
      const w = tf.tensor1d(rng.normalArray(dM, 0.2).map((v) => 1 + v));
      const opts = { groupNormSize: 4, useRope: true, deltaScale: 1, ropeScale: 1, rmsEps: 1e-5 };
      const { out, taps } = mambaBlock(h, w, p, opts, true);
      const ref = defocusMixer(rmsNorm(h, w, 1e-5), p, opts, true);
      await expectTensorsCloseAsync(out, tf.add(h, ref.out), { rtol: 1e-5, atol: 1e-5 });
      await expectTensorsCloseAsync(taps!.y, ref.taps!.y, { rtol: 1e-5, atol: 1e-5 });
      expect(mambaBlock(h, w, p, opts).taps).toBeUndefined();
    });
  },
  { webgpu: true },
);
