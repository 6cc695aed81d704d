import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { causalConv1d } from '../layers/causal_conv1d.js';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { convSilu, convSiluSupported } from './conv_silu.js';

describeWithBackends('convSilu', () => {
  const shapes = [
    [2, 7, 8, 4],
    [3, 3, 12, 4], // shorter than the kernel: every output sees the zero padding
    [1, 20, 4, 2],
  ] as const;
  for (const [B, L, C, K] of shapes) {
    it(`equals SiLU(causalConv1d) in value and in the gradients of x, weight, bias (B ${B}, L ${L}, C ${C}, K ${K})`, () => {
      const rng = new SeededRandom(B * 100 + L);
      const x = tf.tensor3d(rng.normalArray(B * L * C), [B, L, C]);
      const w = tf.tensor3d(rng.normalArray(C * K, 0.5), [C, 1, K]);
      const b = tf.tensor1d(rng.normalArray(C, 0.3));
      const upstream = tf.tensor3d(rng.normalArray(B * L * C), [B, L, C]);
      const slow = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
        const v = causalConv1d(a as tf.Tensor3D, c as tf.Tensor3D, d as tf.Tensor1D);
        return tf.mul(v, tf.sigmoid(v));
      };
      const fast = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        convSilu(a as tf.Tensor3D, c as tf.Tensor3D, d as tf.Tensor1D);
      expect(convSiluSupported(C)).toBe(true);
      expectTensorsClose(fast(x, w, b), slow(x, w, b), { rtol: 1e-5, atol: 1e-6, label: 'y' });
      const loss =
        (f: (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.Tensor) =>
        (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
          tf.sum(tf.mul(f(a, c, d), upstream));
      const gf = tf.grads(loss(fast))([x, w, b]);
      const gs = tf.grads(loss(slow))([x, w, b]);
      ['dx', 'dweight', 'dbias'].forEach((label, i) => {
        expectTensorsClose(gf[i], gs[i], { rtol: 1e-4, atol: 1e-5, label });
      });
      tf.dispose([x, w, b, upstream, ...gf, ...gs]);
    });
  }

  it('validates shapes and leaks no tensors', () => {
    const x = tf.ones([1, 3, 4]) as tf.Tensor3D;
    expect(() => convSilu(x, tf.ones([4, 2, 3]) as tf.Tensor3D, tf.ones([4]) as tf.Tensor1D)).toThrow(
      /expected \[4, 1, K\]/,
    );
    expect(convSiluSupported(6)).toBe(false);
    const w = tf.ones([4, 1, 2]) as tf.Tensor3D;
    const b = tf.zeros([4]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const g = tf.grads((a: tf.Tensor) => tf.sum(convSilu(a as tf.Tensor3D, w, b)))([x]);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, b]);
  });
});
