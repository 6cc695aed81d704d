import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { rmsNorm } from './rms_norm.js';

describeWithBackends('rmsNorm', () => {
  it('computes x·rsqrt(mean(x²)+eps)·w per row', () => {
    const rng = new SeededRandom(5);
    const x = rng.normalArray(3 * 4);
    const w = rng.normalArray(4);
    const exp = new Float32Array(12);
    for (let i = 0; i < 3; i++) {
      let ms = 0;
      for (let j = 0; j < 4; j++) ms += x[i * 4 + j] ** 2 / 4;
      for (let j = 0; j < 4; j++) exp[i * 4 + j] = (x[i * 4 + j] / Math.sqrt(ms + 1e-5)) * w[j];
    }
    const xt = tf.tensor2d(x, [3, 4]);
    const wt = tf.tensor1d(w);
    expectTensorsClose(rmsNorm(xt, wt, 1e-5), tf.tensor2d(exp, [3, 4]), { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([xt, wt]);
  });
});
