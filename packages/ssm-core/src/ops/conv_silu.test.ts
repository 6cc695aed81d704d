import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { causalConv1d } from '../layers/causal_conv1d.js';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { convSilu } from './conv_silu.js';

describeWithBackends(
  'convSilu (fused kernel)',
  () => {
    it('matches slice + causalConv1d + SiLU in value and gradients', () => {
      const rng = new SeededRandom(21);
      const [B, L, D, K] = [2, 7, 5, 4];
      const xz = tf.tensor2d(rng.normalArray(B * L * 2 * D), [B * L, 2 * D]);
      const w = tf.tensor2d(rng.normalArray(D * K, 0.5), [D, K]);
      const b = tf.tensor1d(rng.normalArray(D, 0.2));
      const r = tf.tensor2d(rng.normalArray(B * L * D), [B * L, D]);
      const plain = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
        const pre = tf.reshape(tf.slice(a, [0, 0], [B * L, D]), [B, L, D]) as tf.Tensor3D;
        const c = causalConv1d(pre, tf.reshape(ww, [D, 1, K]) as tf.Tensor3D, bb as tf.Tensor1D);
        return tf.reshape(tf.mul(c, tf.sigmoid(c)), [B * L, D]);
      };
      const fast = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        convSilu(a as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, L);
      expectTensorsClose(fast(xz, w, b), plain(xz, w, b), { rtol: 1e-5, atol: 1e-5 });
      const loss = (f: typeof plain) => (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(f(a, ww, bb), r));
      const g1 = tf.grads(loss(fast))([xz, w, b]);
      const g2 = tf.grads(loss(plain))([xz, w, b]);
      for (let i = 0; i < 3; i++) expectTensorsClose(g1[i], g2[i], { rtol: 1e-4, atol: 1e-4 });
      tf.dispose([xz, w, b, r, ...g1, ...g2]);
    });
  },
  { backends: ['cpu', 'wasm'] },
);
