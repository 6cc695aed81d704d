import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { groupRmsNorm } from './group_rms_norm.js';

describeWithBackends(
  'groupRmsNorm',
  () => {
    it('normalises each contiguous channel group by its own RMS, without affine', async () => {
      const rng = new SeededRandom(6);
      const [rows, ch, g] = [3, 8, 4];
      const x = rng.normalArray(rows * ch, 3);
      const exp = new Float32Array(rows * ch);
      for (let i = 0; i < rows; i++)
        for (let s = 0; s < ch; s += g) {
          let ms = 0;
          for (let j = 0; j < g; j++) ms += x[i * ch + s + j] ** 2 / g;
          for (let j = 0; j < g; j++) exp[i * ch + s + j] = x[i * ch + s + j] / Math.sqrt(ms + 1e-6);
        }
      const xt = tf.tensor3d(x, [1, rows, ch]);
      await expectTensorsCloseAsync(groupRmsNorm(xt, g, 1e-6), tf.tensor3d(exp, [1, rows, ch]), {
        rtol: 1e-5,
        atol: 1e-6,
      });
      expect(() => groupRmsNorm(xt, 3, 1e-6)).toThrow(/8 channels are not divisible by the group size 3/);
      xt.dispose();
    });
  },
  { webgpu: true },
);
