import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { matMulNT } from './matmul_nt.js';

describeWithBackends('matMulNT', () => {
  // full 4 × 8 tiles, ragged rows and columns, odd inner sizes, tiny shapes
  const shapes = [
    [16, 16, 24],
    [13, 21, 7],
    [3, 5, 2],
    [1, 1, 1],
    [145, 36, 128],
  ] as const;
  for (const [T, O, I] of shapes) {
    it(`equals matMul(x, transpose(w)) (+ bias) at rows ${T}, out ${O}, in ${I}`, () => {
      const rng = new SeededRandom(T * 7 + O + I);
      const x = tf.tensor2d(rng.normalArray(T * I), [T, I]);
      const w = tf.tensor2d(rng.normalArray(O * I), [O, I]);
      const b = tf.tensor1d(rng.normalArray(O));
      const got = matMulNT(x, w);
      const want = tf.matMul(x, tf.transpose(w));
      expect(got.shape).toEqual([T, O]);
      expectTensorsClose(got, want, { rtol: 1e-5, atol: 1e-4, label: 'no bias' });
      expectTensorsClose(matMulNT(x, w, b), tf.add(want, b), { rtol: 1e-5, atol: 1e-4, label: 'bias' });
      tf.dispose([x, w, b, got, want]);
    });
  }

  it('rejects mismatched operands and leaks nothing', () => {
    const x = tf.ones([2, 3]) as tf.Tensor2D;
    const w = tf.ones([4, 3]) as tf.Tensor2D;
    const badW = tf.ones([4, 2]) as tf.Tensor2D;
    const badB = tf.ones([3]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    expect(() => matMulNT(x, badW)).toThrow(/same inner size/);
    expect(() => matMulNT(x, w, badB)).toThrow(/expected \[4\]/);
    const y = matMulNT(x, w);
    expect(Array.from(y.dataSync())).toEqual(new Array(8).fill(3));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, badW, badB]);
  });
});
