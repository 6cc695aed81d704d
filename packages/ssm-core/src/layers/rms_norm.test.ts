import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { rmsNorm } from './rms_norm.js';

describeWithBackends(
  'rmsNorm',
  () => {
    it('computes x·rsqrt(mean(x²)+eps)·w per row', async () => {
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
      await expectTensorsCloseAsync(rmsNorm(xt, wt, 1e-5), tf.tensor2d(exp, [3, 4]), {
        rtol: 1e-5,
        atol: 1e-6,
      });
      tf.dispose([xt, wt]);
    });

    it('the kernel path equals the op path in value and in the gradients of x and w', async () => {
      const rng = new SeededRandom(6);
      const x = tf.tensor3d(rng.normalArray(2 * 5 * 8, 2), [2, 5, 8]);
      const w = tf.tensor1d(rng.normalArray(8));
      const up = tf.tensor3d(rng.normalArray(2 * 5 * 8), [2, 5, 8]);
      const run = (fused: 'auto' | false) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(rmsNorm(a, b as tf.Tensor1D, 1e-5, fused), up)),
        )([x, w]);
      await expectTensorsCloseAsync(rmsNorm(x, w, 1e-5), rmsNorm(x, w, 1e-5, false), {
        rtol: 1e-5,
        atol: 1e-6,
        label: 'y',
      });
      const [gk, gwk] = run('auto');
      const [go, gwo] = run(false);
      await expectTensorsCloseAsync(gk, go, { rtol: 1e-4, atol: 1e-5, label: 'dx' });
      await expectTensorsCloseAsync(gwk, gwo, { rtol: 1e-4, atol: 1e-5, label: 'dw' });
      const before = tf.memory().numTensors;
      tf.dispose(run('auto'));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w, up, gk, gwk, go, gwo]);
    });
  },
  { webgpu: true },
);
