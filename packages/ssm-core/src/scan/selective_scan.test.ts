import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { setFusedScanCoreForTests } from './fused_scan.js';
import { JS_SCAN_CORE } from './scan_core_js.js';
import { createScanRegistry, resolveScanImpl, SCAN_IMPLEMENTATIONS } from './scan_registry.js';
import {
  disposeScanInputs,
  mulberry32,
  type RandomScanSpec,
  randomScanArrays,
  scanTensors,
  scanValueAndGrads,
} from './scan_testing.js';
import { selectiveScan } from './selective_scan.js';

/** Cases every implementation must match the reference on (values and all gradients). */
const CASES: ReadonlyArray<{ label: string; spec: RandomScanSpec; tol: { rtol: number; atol: number } }> = [
  {
    label: 'all options (D, z, deltaBias, softplus)',
    spec: {
      batch: 2,
      seqLen: 6,
      dInner: 8,
      dState: 16,
      seed: 11,
      withD: true,
      withZ: true,
      withBias: true,
      softplus: true,
    },
    tol: { rtol: 1e-4, atol: 1e-5 },
  },
  {
    label: 'plain core, N = 5 (not a multiple of 4), batch 1',
    spec: { batch: 1, seqLen: 9, dInner: 6, dState: 5, seed: 12 },
    tol: { rtol: 1e-4, atol: 1e-5 },
  },
  {
    label: 'long sequence (L = 160)',
    spec: {
      batch: 1,
      seqLen: 160,
      dInner: 4,
      dState: 3,
      seed: 13,
      deltaMax: 0.1,
      aLogMax: -0.5,
      withD: true,
    },
    tol: { rtol: 5e-4, atol: 5e-5 },
  },
  {
    label: 'strong decay (|Δ·A| up to ~60)',
    spec: { batch: 2, seqLen: 12, dInner: 5, dState: 4, seed: 14, deltaMax: 3, aLogMax: 3, withZ: true },
    tol: { rtol: 1e-4, atol: 1e-5 },
  },
];

function weights(n: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  return Float64Array.from({ length: n }, () => Math.fround(rnd() * 2 - 1));
}

const FAST = SCAN_IMPLEMENTATIONS.filter((impl) => impl.name !== 'reference').map((impl) => impl.name);

describeWithBackends('selectiveScan implementations', (backend) => {
  afterEach(() => setFusedScanCoreForTests(undefined));
  // reference values and gradients per case, computed once per backend (the slow part)
  const refCache = new Map<string, ReturnType<typeof scanValueAndGrads>>();

  const variants: Array<{ impl: string; core?: 'js' }> = FAST.flatMap((impl) =>
    impl === 'fused' ? [{ impl }, { impl, core: 'js' as const }] : [{ impl }],
  );
  for (const { impl, core } of variants) {
    const name = core ? `${impl} (${core} core)` : impl;
    it(`${name} matches reference in values and gradients`, () => {
      if (core === 'js') setFusedScanCoreForTests(JS_SCAN_CORE);
      for (const { label, spec, tol } of CASES) {
        const a = randomScanArrays(spec);
        const inputs = scanTensors(a);
        const W = weights(spec.batch * spec.seqLen * spec.dInner, spec.seed + 100);
        let ref = refCache.get(label);
        if (ref === undefined) {
          ref = scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'reference' }));
          refCache.set(label, ref);
        }
        const got = scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: impl as 'fused' }));
        expectTensorsClose(got.y, ref.y, { ...tol, label: `${name} [${backend}] ${label}: y` });
        for (const [input, g] of ref.grads) {
          expectTensorsClose(got.grads.get(input) as Float32Array, g, {
            ...tol,
            label: `${name} [${backend}] ${label}: d${input}`,
          });
        }
        disposeScanInputs(inputs);
      }
    });

    it(`${name} leaves no tensors behind across repeated forward and backward passes`, () => {
      if (core === 'js') setFusedScanCoreForTests(JS_SCAN_CORE);
      const inputs = scanTensors(
        randomScanArrays({
          batch: 2,
          seqLen: 5,
          dInner: 4,
          dState: 3,
          seed: 5,
          withD: true,
          withZ: true,
          withBias: true,
          softplus: true,
        }),
      );
      const W = weights(2 * 5 * 4, 6);
      const step = (): void => {
        selectiveScan(inputs, { impl: impl as 'fused' }).dispose();
        scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: impl as 'fused' }));
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      disposeScanInputs(inputs);
    });
  }

  it('auto picks fused on this backend; MAMBA_CL_SCAN_IMPL and the option override it', () => {
    expect(resolveScanImpl('auto', backend, {}).name).toBe('fused');
    expect(resolveScanImpl(undefined, backend, { MAMBA_CL_SCAN_IMPL: 'reference' }).name).toBe('reference');
    expect(resolveScanImpl('reference', backend, { MAMBA_CL_SCAN_IMPL: 'fused' }).name).toBe('reference');
    expect(() => resolveScanImpl(undefined, backend, { MAMBA_CL_SCAN_IMPL: 'nope' })).toThrow(
      /MAMBA_CL_SCAN_IMPL: unknown selective-scan implementation "nope"; known: reference, fused, chunked/,
    );
  });

  it('works under tf.variableGrads (A and D as variables), like in a training step', () => {
    const inputs = scanTensors(
      randomScanArrays({ batch: 1, seqLen: 5, dInner: 3, dState: 4, seed: 41, withD: true }),
    );
    const A = tf.variable(inputs.A, true, 'scan_test_A');
    const D = tf.variable(inputs.D as tf.Tensor1D, true, 'scan_test_D');
    const { value, grads } = tf.variableGrads(
      () => tf.sum(selectiveScan({ ...inputs, A, D })) as tf.Scalar,
      [A, D],
    );
    const ref = tf.grads((a: tf.Tensor, d: tf.Tensor) =>
      tf.sum(selectiveScan({ ...inputs, A: a as tf.Tensor2D, D: d as tf.Tensor1D }, { impl: 'reference' })),
    )([inputs.A, inputs.D as tf.Tensor]);
    expectTensorsClose(grads[A.name], ref[0], { rtol: 1e-4, atol: 1e-5, label: 'dA' });
    expectTensorsClose(grads[D.name], ref[1], { rtol: 1e-4, atol: 1e-5, label: 'dD' });
    tf.dispose([value, ...Object.values(grads), ...ref, A, D]);
    disposeScanInputs(inputs);
  });

  it('rejects inputs of the wrong shape, naming the input and the expected shape', () => {
    const inputs = scanTensors(randomScanArrays({ batch: 1, seqLen: 3, dInner: 2, dState: 4, seed: 1 }));
    const badB = tf.zeros([1, 3, 5]) as tf.Tensor3D;
    expect(() => selectiveScan({ ...inputs, B: badB })).toThrow(
      'selectiveScan: input B has shape [1, 3, 5], expected [1, 3, 4]',
    );
    badB.dispose();
    disposeScanInputs(inputs);
  });
});

it('the scan registry rejects duplicate ids and lists the known ones for an unknown id', () => {
  expect(() => createScanRegistry([...SCAN_IMPLEMENTATIONS, SCAN_IMPLEMENTATIONS[0]])).toThrow(
    'scan registry: implementation id "reference" is registered twice',
  );
  const registry = createScanRegistry(SCAN_IMPLEMENTATIONS);
  expect(() => registry.get('magic')).toThrow(
    /unknown selective-scan implementation "magic"; known: reference, fused, chunked/,
  );
  expect(registry.get('fused').name).toBe('fused');
});
