import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { chunkedScanCore } from './chunked_scan.js';
import { referenceScanCore } from './reference_scan.js';
import { disposeScanInputs, mulberry32, randomScanArrays, scanTensors } from './scan_testing.js';
import './register_gradients.js';

describeWithBackends('chunked scan', () => {
  it('matches the reference for every chunk length, including ones that do not divide seqLen', () => {
    const inputs = scanTensors(
      randomScanArrays({ batch: 2, seqLen: 13, dInner: 3, dState: 5, seed: 21, deltaMax: 2, aLogMax: 2 }),
    );
    const { x, delta, A, B, C } = inputs;
    const ref = referenceScanCore(x, delta, A, B, C);
    for (const chunk of [1, 2, 3, 4, 8, 13, 16, 40]) {
      const y = chunkedScanCore(x, delta, A, B, C, chunk);
      expectTensorsClose(y, ref, { rtol: 1e-4, atol: 1e-5, label: `chunk ${chunk}` });
      y.dispose();
    }
    ref.dispose();
    disposeScanInputs(inputs);
  });

  it('stays finite under extreme decay (Δ·A down to about −2000), where exp of cumulative sums would overflow', () => {
    const inputs = scanTensors(
      randomScanArrays({ batch: 1, seqLen: 32, dInner: 2, dState: 3, seed: 22, deltaMax: 50, aLogMax: 3.7 }),
    );
    const { x, delta, A, B, C } = inputs;
    const ref = referenceScanCore(x, delta, A, B, C);
    const y = chunkedScanCore(x, delta, A, B, C, 16);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    expectTensorsClose(y, ref, { rtol: 1e-4, atol: 1e-5, label: 'y' });
    const w = tf.tensor3d(Float32Array.from({ length: 64 }, mulberry32(3)), [1, 32, 2]);
    const grads = tf.grads((d: tf.Tensor) =>
      tf.sum(tf.mul(chunkedScanCore(x, d as tf.Tensor3D, A, B, C, 16), w)),
    )([delta]);
    expect(Array.from(grads[0].dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([ref, y, w, ...grads]);
    disposeScanInputs(inputs);
  });

  it('rejects a chunk length that is not a positive integer', () => {
    const inputs = scanTensors(randomScanArrays({ batch: 1, seqLen: 2, dInner: 1, dState: 1, seed: 1 }));
    const { x, delta, A, B, C } = inputs;
    expect(() => chunkedScanCore(x, delta, A, B, C, 0)).toThrow(
      'chunkedScanCore: chunk must be a positive integer, got 0',
    );
    disposeScanInputs(inputs);
  });
});
