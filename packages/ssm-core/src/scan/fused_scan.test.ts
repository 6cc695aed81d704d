import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import {
  FUSED_SCAN_BACKENDS,
  fusedScanCore,
  registerFusedScanKernels,
  SELECTIVE_SCAN_GRAD_KERNEL,
  SELECTIVE_SCAN_KERNEL,
} from './fused_scan.js';
import { referenceScanCore } from './reference_scan.js';
import {
  disposeScanInputs,
  mulberry32,
  randomScanArrays,
  scanGradsFd,
  scanTensors,
  scanValueAndGrads,
} from './scan_testing.js';
import { selectiveScan } from './selective_scan.js';

describeWithBackends('fused selective-scan kernel', (backend) => {
  it('is registered (forward, backward, gradient) for this backend', () => {
    registerFusedScanKernels();
    expect(FUSED_SCAN_BACKENDS).toContain(backend);
    expect(tf.getKernel(SELECTIVE_SCAN_KERNEL, backend)).toBeDefined();
    expect(tf.getKernel(SELECTIVE_SCAN_GRAD_KERNEL, backend)).toBeDefined();
    expect(tf.getGradient(SELECTIVE_SCAN_KERNEL)).toBeDefined();
  });

  it('runs through tf.engine().runKernel like any tfjs op', () => {
    const inputs = scanTensors(randomScanArrays({ batch: 2, seqLen: 4, dInner: 3, dState: 7, seed: 31 }));
    const { x, delta, A, B, C } = inputs;
    const y = tf.engine().runKernel(SELECTIVE_SCAN_KERNEL, { x, delta, A, B, C }) as tf.Tensor3D;
    const ref = referenceScanCore(x, delta, A, B, C);
    expect(y.shape).toEqual([2, 4, 3]);
    expectTensorsClose(y, ref, { rtol: 1e-5, atol: 1e-6, label: 'y' });
    tf.dispose([y, ref]);
    disposeScanInputs(inputs);
  });

  it('has gradients equal to central finite differences of a float64 loop, for every input', () => {
    const a = randomScanArrays({
      batch: 2,
      seqLen: 6,
      dInner: 3,
      dState: 5,
      seed: 32,
      withD: true,
      withZ: true,
      withBias: true,
      softplus: true,
    });
    const rnd = mulberry32(33);
    const W = Float64Array.from({ length: 2 * 6 * 3 }, () => Math.fround(rnd() * 2 - 1));
    const inputs = scanTensors(a);
    const { grads } = scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'fused' }));
    const fd = scanGradsFd(a, W);
    expect(grads.size).toBe(8);
    for (const [name, g] of grads) {
      expectTensorsClose(g, fd.get(name) as Float64Array, { rtol: 2e-3, atol: 2e-4, label: `d${name}` });
    }
    disposeScanInputs(inputs);
  });

  it('keeps working after the module memory grew for a larger problem', () => {
    const big = scanTensors(randomScanArrays({ batch: 2, seqLen: 40, dInner: 24, dState: 16, seed: 34 }));
    const small = scanTensors(randomScanArrays({ batch: 1, seqLen: 3, dInner: 2, dState: 3, seed: 35 }));
    tf.dispose(
      tf.grads((x: tf.Tensor) => tf.sum(fusedScanCore(x as tf.Tensor3D, big.delta, big.A, big.B, big.C)))([
        big.x,
      ]),
    );
    const y = fusedScanCore(small.x, small.delta, small.A, small.B, small.C);
    const ref = referenceScanCore(small.x, small.delta, small.A, small.B, small.C);
    expectTensorsClose(y, ref, { rtol: 1e-5, atol: 1e-6, label: 'y after growth' });
    tf.dispose([y, ref]);
    disposeScanInputs(big);
    disposeScanInputs(small);
  });
});
