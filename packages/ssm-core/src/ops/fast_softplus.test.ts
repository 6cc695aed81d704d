import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import '../scan/register_gradients.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { fastSoftplus, softplusForBackend } from './fast_softplus.js';

/** log(1 + eˣ) in float64, stable. */
const softplus64 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid64 = (x: number) => 1 / (1 + Math.exp(-x));

describeWithBackends('fastSoftplus', (backend) => {
  const values = [-100, -30, -17, -5, -1, -1e-3, 0, 1e-3, 0.5, 1, 5, 17, 30, 100];
  for (let i = 0; i < 40; i++) values.push(Math.sin(i * 12.9898) * 8);

  it('equals log(1 + eˣ) to float32 rounding of 1 (absolute 1.2e-7), also for large |x|', () => {
    const x = tf.tensor1d(values);
    const want = values.map((v) => Math.fround(softplus64(v)));
    // Where softplus(x) < 6e-8 (x < −16.6) the fast form returns 0: absolute error below one float32 ulp of 1.
    const fast = fastSoftplus(x);
    const chosen = softplusForBackend(x);
    expectTensorsClose(fast, want, { rtol: 3e-7, atol: 1.2e-7, label: 'fastSoftplus' });
    expectTensorsClose(chosen, want, { rtol: 3e-7, atol: 1.2e-7, label: 'softplusForBackend' });
    const far = tf.tensor1d([-100]);
    const farOut = fastSoftplus(far);
    expect(farOut.dataSync()[0]).toBe(0); // e^-100 is below float32 resolution near 1
    tf.dispose([x, fast, chosen, far, farOut]);
  });

  it('has the gradient sigmoid(x)·dy and leaks no tensor', () => {
    const x = tf.tensor1d(values);
    const dy = tf.tensor1d(values.map((_, i) => 1 + (i % 3)));
    const before = tf.memory().numTensors;
    const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(fastSoftplus(v), dy)))([x]);
    expectTensorsClose(
      g,
      values.map((v, i) => sigmoid64(v) * (1 + (i % 3))),
      { rtol: 1e-6, atol: 1e-30, label: 'd fastSoftplus' },
    );
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
    expect(backend).toBeTruthy();
  });
});
