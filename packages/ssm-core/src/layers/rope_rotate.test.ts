import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { ropeRotate } from './rope_rotate.js';

describeWithBackends(
  'ropeRotate',
  () => {
    it('turns each pair with its own per-element angles θ = t·f_j / scale', async () => {
      const rng = new SeededRandom(9);
      const [B, L, K] = [2, 5, 6];
      const v = rng.normalArray(B * L * K);
      const f = rng.uniformArray(K, 0, 2); // mismatched pair frequencies
      for (const scale of [1, 2]) {
        const exp = new Float32Array(B * L * K);
        for (let b = 0; b < B; b++)
          for (let t = 0; t < L; t++)
            for (let i = 0; i < K; i += 2) {
              const o = (b * L + t) * K + i;
              const t0 = (t / scale) * f[i];
              const t1 = (t / scale) * f[i + 1];
              exp[o] = v[o] * Math.cos(t0) - v[o + 1] * Math.sin(t0);
              exp[o + 1] = v[o + 1] * Math.cos(t1) + v[o] * Math.sin(t1);
            }
        const [vt, ft] = [tf.tensor3d(v, [B, L, K]), tf.tensor1d(f)];
        await expectTensorsCloseAsync(ropeRotate(vt, ft, scale), tf.tensor3d(exp, [B, L, K]), {
          rtol: 1e-5,
          atol: 1e-5,
        });
        tf.dispose([vt, ft]);
      }
    });
  },
  { webgpu: true },
);
