import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { linear } from './linear.js';

describeWithBackends(
  'linear',
  () => {
    const rng = new SeededRandom(1);
    const xa = rng.normalArray(6 * 5);
    const wa = rng.normalArray(3 * 5);
    const ba = rng.normalArray(3);
    const ra = rng.normalArray(6 * 3);

    it('matches x·Wᵀ + b in value and gradient (2-D and 3-D inputs)', async () => {
      const x = tf.tensor2d(xa, [6, 5]);
      const w = tf.tensor2d(wa, [3, 5]);
      const b = tf.tensor1d(ba);
      const r = tf.tensor2d(ra, [6, 3]);
      const ref = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D, false, true), bb), r));
      const fast = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), r));
      await expectTensorsCloseAsync(linear(x, w, b), tf.add(tf.matMul(x, w, false, true), b), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      const gRef = tf.grads(ref)([x, w, b]);
      const gFast = tf.grads(fast)([x, w, b]);
      for (let i = 0; i < 3; i++)
        await expectTensorsCloseAsync(gFast[i], gRef[i], { rtol: 1e-5, atol: 1e-5 });
      const gNoBias = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(linear(xx as tf.Tensor2D, ww as tf.Tensor2D), r)),
      )([x, w]);
      await expectTensorsCloseAsync(gNoBias[1], gRef[1], { rtol: 1e-5, atol: 1e-5 });
      const y3 = linear(tf.reshape(x, [2, 3, 5]) as tf.Tensor3D, w);
      expect(y3.shape).toEqual([2, 3, 3]);
      await expectTensorsCloseAsync(tf.reshape(y3, [6, 3]), tf.matMul(x, w, false, true), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      tf.dispose([x, w, b, r, ...gRef, ...gFast, ...gNoBias, y3]);
    });

    it('gives a frozen (non-trainable Variable) weight a zero gradient but the right input gradient', async () => {
      const x = tf.tensor2d(xa, [6, 5]);
      const w = tf.variable(tf.tensor2d(wa, [3, 5]), false);
      const b = tf.variable(tf.tensor1d(ba), false);
      const r = tf.tensor2d(ra, [6, 3]);
      const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), r)),
      )([x, w, b]);
      const gx = tf.grads((xx: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.matMul(xx as tf.Tensor2D, w, false, true), b), r)),
      )([x]);
      await expectTensorsCloseAsync(g[0], gx[0], { rtol: 1e-5, atol: 1e-5 });
      await expectTensorsCloseAsync(g[1], tf.zeros([3, 5]), { rtol: 0, atol: 0 });
      await expectTensorsCloseAsync(g[2], tf.zeros([3]), { rtol: 0, atol: 0 });
      tf.dispose([x, w, b, r, ...g, ...gx]);
    });

    it('rejects mismatched shapes with the shapes in the message', async () => {
      const x = tf.zeros([2, 4]) as tf.Tensor2D;
      const w = tf.zeros([3, 5]) as tf.Tensor2D;
      expect(() => linear(x, w)).toThrow(/input has 4 features.*weight \[3,5\] expects 5/);
      tf.dispose([x, w]);
    });
  },
  { webgpu: true },
);
