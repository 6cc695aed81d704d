import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { layerNorm } from './layer_norm.js';

describeWithBackends(
  'layerNorm',
  () => {
    it('matches (x−mean)/sqrt(biased var+eps)·w+b', async () => {
      const rng = new SeededRandom(8);
      const x = rng.normalArray(2 * 5, 2);
      const w = rng.normalArray(5);
      const b = rng.normalArray(5);
      const exp = new Float32Array(10);
      for (let i = 0; i < 2; i++) {
        let mu = 0;
        for (let j = 0; j < 5; j++) mu += x[i * 5 + j] / 5;
        let v = 0;
        for (let j = 0; j < 5; j++) v += (x[i * 5 + j] - mu) ** 2 / 5;
        for (let j = 0; j < 5; j++)
          exp[i * 5 + j] = ((x[i * 5 + j] - mu) / Math.sqrt(v + 1e-6)) * w[j] + b[j];
      }
      const [xt, wt, bt] = [tf.tensor2d(x, [2, 5]), tf.tensor1d(w), tf.tensor1d(b)];
      await expectTensorsCloseAsync(layerNorm(xt, wt, bt, 1e-6), tf.tensor2d(exp, [2, 5]), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      tf.dispose([xt, wt, bt]);
    });
  },
  { webgpu: true },
);
