import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { matMulNN } from './matmul_nn.js';

describeWithBackends('matMulNN', () => {
  const shapes = [
    [16, 24, 16],
    [13, 7, 21],
    [3, 2, 5],
    [1, 1, 1],
    [200, 64, 128],
  ] as const;
  for (const [T, I, O] of shapes) {
    it(`equals matMul(x, b) at rows ${T}, in ${I}, out ${O}`, () => {
      const rng = new SeededRandom(T * 3 + I + O);
      const x = tf.tensor2d(rng.normalArray(T * I), [T, I]);
      const b = tf.tensor2d(rng.normalArray(I * O), [I, O]);
      const got = matMulNN(x, b);
      const want = tf.matMul(x, b);
      expect(got.shape).toEqual([T, O]);
      expectTensorsClose(got, want, { rtol: 1e-5, atol: 1e-4 });
      tf.dispose([x, b, got, want]);
    });
  }

  it('rejects operands that do not chain and leaks nothing', () => {
    const x = tf.ones([2, 3]) as tf.Tensor2D;
    const b = tf.ones([3, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    expect(() => matMulNN(x, x)).toThrow(/do not chain/);
    const y = matMulNN(x, b);
    expect(Array.from(y.dataSync())).toEqual(new Array(8).fill(3));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, b]);
  });
});
