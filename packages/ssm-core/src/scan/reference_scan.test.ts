import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import {
  disposeScanInputs,
  mulberry32,
  randomScanArrays,
  scanF64,
  scanGradsFd,
  scanTensors,
  scanValueAndGrads,
} from './scan_testing.js';
import { selectiveScan } from './selective_scan.js';

describeWithBackends('reference selective scan', () => {
  it('matches a float64 loop of the recurrence (with D, z, deltaBias, softplus)', () => {
    const a = randomScanArrays({
      batch: 2,
      seqLen: 7,
      dInner: 4,
      dState: 5,
      seed: 1,
      withD: true,
      withZ: true,
      withBias: true,
      softplus: true,
    });
    const inputs = scanTensors(a);
    const y = selectiveScan(inputs, { impl: 'reference' });
    expect(y.shape).toEqual([2, 7, 4]);
    expectTensorsClose(y, scanF64(a), { rtol: 1e-4, atol: 1e-5, label: 'y' });
    y.dispose();
    disposeScanInputs(inputs);
  });

  it('has gradients equal to central finite differences of the float64 loop, for every input', () => {
    for (const options of [
      { withD: true, withZ: true, withBias: true, softplus: true },
      { withD: false, withZ: false, withBias: false, softplus: false },
    ]) {
      const a = randomScanArrays({ batch: 2, seqLen: 5, dInner: 3, dState: 5, seed: 2, ...options });
      const rnd = mulberry32(9);
      const W = Float64Array.from({ length: 2 * 5 * 3 }, () => Math.fround(rnd() * 2 - 1));
      const inputs = scanTensors(a);
      const { grads } = scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'reference' }));
      const fd = scanGradsFd(a, W);
      expect([...grads.keys()].sort()).toEqual([...fd.keys()].sort());
      for (const [name, g] of grads) {
        expectTensorsClose(g, fd.get(name) as Float64Array, { rtol: 2e-3, atol: 2e-4, label: `d${name}` });
      }
      disposeScanInputs(inputs);
    }
  });

  it('leaves no tensors behind', () => {
    const inputs = scanTensors(randomScanArrays({ batch: 1, seqLen: 4, dInner: 3, dState: 2, seed: 3 }));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) selectiveScan(inputs, { impl: 'reference' }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeScanInputs(inputs);
  });
});
