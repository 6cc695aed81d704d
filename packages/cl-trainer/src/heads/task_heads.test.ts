import { describeWithBackends, expectTensorsClose } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { TaskHeads } from './task_heads.js';

describeWithBackends('TaskHeads', () => {
  it('concatenated() is the linear head logits() applies; one task hands out its own variables', () => {
    const heads = new TaskHeads({ dModel: 4, seed: 3, warmStart: false });
    heads.startTask(0, [5, 7]);
    heads.startTask(1, [1, 2, 9]);
    const features = tf.tensor2d([1, -2, 0.5, 3, 0, 1, -1, 2], [2, 4]);
    const { weight, bias } = heads.concatenated([0, 1]);
    expect(weight.shape).toEqual([5, 4]);
    expect(bias.shape).toEqual([5]);
    const want = tf.add(tf.matMul(features, weight, false, true), bias);
    expectTensorsClose(heads.logits(features, [0, 1]), want, { rtol: 1e-6, atol: 1e-6 });
    const one = heads.concatenated([1]);
    expect(one.weight).toBe(heads.head(1).weight);
    expect(one.bias).toBe(heads.head(1).bias);
    tf.dispose([features, weight, bias, want]);
    heads.dispose();
  });
});
