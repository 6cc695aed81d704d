import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { describeWithBackends } from './describe_with_backends.js';
import { expectTensorsClose, expectTensorsCloseAsync } from './expect_tensors_close.js';

describe('expectTensorsClose', () => {
  it('passes within atol + rtol·|expected| and fails outside, naming the first bad index', () => {
    expectTensorsClose([1, 2, 3], [1, 2.00001, 3], { rtol: 1e-5, atol: 0 });
    expect(() => expectTensorsClose([1, 2, 3.1], [1, 2, 3], { rtol: 1e-3, atol: 1e-3, label: 'y' })).toThrow(
      /y: 1 of 3 elements differ .*first at flat index 2: got 3.1, expected 3/,
    );
  });

  it('checks shapes of tensors and lengths of arrays', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => expectTensorsClose(a, b)).toThrow(/shape \[2,3\] differs from expected \[3,2\]/);
    expect(() => expectTensorsClose(new Float32Array(3), [0, 0])).toThrow(/3 elements, expected 2/);
    tf.dispose([a, b]);
  });

  it('treats NaN as equal only to NaN and compares nested arrays', () => {
    expectTensorsClose([Number.NaN, 1], [Number.NaN, 1]);
    expect(() => expectTensorsClose([Number.NaN], [0])).toThrow(/1 of 1 elements differ/);
    expectTensorsClose(
      [
        [1, 2],
        [3, 4],
      ],
      new Float32Array([1, 2, 3, 4]),
    );
  });
});

describeWithBackends(
  'expectTensorsCloseAsync',
  () => {
    it('compares tensors of any backend after reading them back asynchronously', async () => {
      const a = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), 1e-6));
      const b = tf.tensor1d([1, 2, 3]);
      await expectTensorsCloseAsync(a, b, { rtol: 1e-5, atol: 1e-5 });
      await expect(expectTensorsCloseAsync(a, [1, 2, 4], { label: 'z' })).rejects.toThrow(
        /z: 1 of 3 elements differ/,
      );
      tf.dispose([a, b]);
    });
  },
  { webgpu: true },
);
