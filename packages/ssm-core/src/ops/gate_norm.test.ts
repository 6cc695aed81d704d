import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { groupRmsNorm } from '../layers/group_rms_norm.js';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { gateNorm } from './gate_norm.js';

describeWithBackends(
  'gateNorm (fused kernel)',
  () => {
    it('matches groupRms(s) + D⊙x, ⊙SiLU(z) in value and gradients', () => {
      const rng = new SeededRandom(22);
      const [rows, D, G] = [6, 8, 4];
      const s = tf.tensor2d(rng.normalArray(rows * D, 2), [rows, D]);
      const x = tf.tensor2d(rng.normalArray(rows * D), [rows, D]);
      const xz = tf.tensor2d(rng.normalArray(rows * 2 * D), [rows, 2 * D]);
      const d = tf.tensor1d(rng.normalArray(D));
      const r = tf.tensor2d(rng.normalArray(rows * D), [rows, D]);
      const plain = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => {
        const z = tf.slice(c, [0, D], [rows, D]);
        return tf.mul(tf.add(groupRmsNorm(a, G, 1e-6), tf.mul(b, e)), tf.mul(z, tf.sigmoid(z)));
      };
      const fast = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
        gateNorm(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor1D, G, 1e-6);
      expectTensorsClose(fast(s, x, xz, d), plain(s, x, xz, d), { rtol: 1e-5, atol: 1e-5 });
      const loss = (f: typeof plain) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
        tf.sum(tf.mul(f(a, b, c, e), r));
      const g1 = tf.grads(loss(fast))([s, x, xz, d]);
      const g2 = tf.grads(loss(plain))([s, x, xz, d]);
      for (let i = 0; i < 4; i++) expectTensorsClose(g1[i], g2[i], { rtol: 1e-4, atol: 1e-4 });
      tf.dispose([s, x, xz, d, r, ...g1, ...g2]);
    });
  },
  { backends: ['cpu', 'wasm'] },
);
