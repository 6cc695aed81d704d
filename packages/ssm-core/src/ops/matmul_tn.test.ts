import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { matMulTN } from './matmul_tn.js';

describeWithBackends('matMulTN', () => {
  // full tiles, ragged edges in both directions, t not a multiple of the 128-row block, tiny shapes
  const shapes = [
    [300, 8, 16],
    [257, 13, 21],
    [5, 3, 2],
    [1, 1, 1],
    [130, 4, 7],
  ] as const;
  for (const [T, O, I] of shapes) {
    it(`equals matMul(transpose(g), x) at T ${T}, O ${O}, I ${I}`, () => {
      const rng = new SeededRandom(T + O + I);
      const g = tf.tensor2d(rng.normalArray(T * O), [T, O]);
      const x = tf.tensor2d(rng.normalArray(T * I), [T, I]);
      const got = matMulTN(g, x);
      const want = tf.matMul(tf.transpose(g), x);
      expect(got.shape).toEqual([O, I]);
      expectTensorsClose(got, want, { rtol: 1e-5, atol: 1e-4 });
      tf.dispose([g, x, got, want]);
    });
  }

  it('rejects operands with different row counts and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const a = tf.ones([4, 2]) as tf.Tensor2D;
    const b = tf.ones([5, 3]) as tf.Tensor2D;
    expect(() => matMulTN(a, b)).toThrow(/same number of rows/);
    const c = matMulTN(a, a);
    expect(Array.from(c.dataSync())).toEqual([4, 4, 4, 4]);
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
