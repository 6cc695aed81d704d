import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { describeWithBackends } from '../testing/describe_with_backends.js';
import { expectTensorsClose } from '../testing/expect_tensors_close.js';
import { fusedScanCore, SELECTIVE_SCAN_GRAD_KERNEL, SELECTIVE_SCAN_KERNEL } from './fused_scan.js';
import { JS_SCAN_CORE } from './scan_core_js.js';
import { resolveScanImpl } from './scan_registry.js';
import {
  disposeScanInputs,
  mulberry32,
  type RandomScanSpec,
  randomScanArrays,
  SCAN_INPUT_NAMES,
  type ScanInputName,
  scanF64,
  scanTensors,
} from './scan_testing.js';
import type { SelectiveScanInputs } from './scan_types.js';
import { selectiveScan } from './selective_scan.js';
import { setWebGpuScanBindingLimitForTests } from './webgpu_scan_kernels.js';

// Values and gradients of the WGSL scan (the fused kernel on webgpu) against REFERENCE_SCAN
// (per-step tfjs ops, autodiff) on the same backend. Tolerance |got − ref| ≤ 1e-5 + 2e-4·|ref|:
// both are float32, in different summation orders (the reference's reductions are tfjs ops).
const TOL = { rtol: 2e-4, atol: 1e-5 };

const CASES: Array<{ label: string; spec: RandomScanSpec }> = [
  // L = 13: not a multiple of either chunk (16 forward, 8 backward); dInner 11: not a multiple of
  // the 8 channels per workgroup at N = 16
  { label: 'B2 L13 D11 N16', spec: { batch: 2, seqLen: 13, dInner: 11, dState: 16, seed: 1 } },
  {
    label: 'B3 L40 D20 N16 with D, z, bias, softplus',
    spec: {
      batch: 3,
      seqLen: 40,
      dInner: 20,
      dState: 16,
      seed: 2,
      withD: true,
      withZ: true,
      withBias: true,
      softplus: true,
    },
  },
  // N = 5: 25 channels per workgroup of 125 lanes; two steps (the reference cannot differentiate
  // one: tfjs's Unpack gradient of a single slice fails)
  { label: 'B1 L2 D3 N5', spec: { batch: 1, seqLen: 2, dInner: 3, dState: 5, seed: 3 } },
  // strong decay (Δ up to 3, |A| up to e³): states underflow towards 0
  {
    label: 'B2 L17 D9 N7 strong decay',
    spec: { batch: 2, seqLen: 17, dInner: 9, dState: 7, seed: 4, deltaMax: 3, aLogMax: 3 },
  },
];

function weights(n: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  return Float64Array.from({ length: n }, () => Math.fround(rnd() * 2 - 1));
}

/**
 * y and the gradients of Σ W⊙y (tf.grads with respect to every input given) through `run`, read
 * back asynchronously (webgpu in Node has no synchronous download); every tensor disposed.
 */
async function scanValueAndGrads(
  inputs: SelectiveScanInputs,
  W: Float64Array,
  run: (inputs: SelectiveScanInputs) => tf.Tensor,
): Promise<{ y: Float32Array; grads: Map<ScanInputName, Float32Array> }> {
  const names = SCAN_INPUT_NAMES.filter((n) => inputs[n] !== undefined);
  const w = tf.tensor(Float32Array.from(W), inputs.x.shape);
  const patch = (xs: tf.Tensor[]): SelectiveScanInputs => {
    const patched: Record<string, unknown> = { ...inputs };
    names.forEach((n, i) => {
      patched[n] = xs[i];
    });
    return patched as unknown as SelectiveScanInputs;
  };
  const yT = run(inputs);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(run(patch(xs)), w)))(
    names.map((n) => inputs[n] as tf.Tensor),
  );
  const y = (await yT.data()) as Float32Array;
  const map = new Map<ScanInputName, Float32Array>();
  for (let i = 0; i < names.length; i++) map.set(names[i], (await grads[i].data()) as Float32Array);
  tf.dispose([w, yT, ...grads]);
  return { y, grads: map };
}

// The suite runs on webgpu only (skipped, with the reason, where no adapter exists or
// MAMBA_CL_TEST_WEBGPU=0); a software adapter (lavapipe) is used.
describeWithBackends(
  'WGSL selective scan',
  () => {
    afterEach(() => setWebGpuScanBindingLimitForTests(undefined));

    it('registers the fused scan forward and backward for webgpu; auto picks it there', async () => {
      const inputs = scanTensors(randomScanArrays({ batch: 1, seqLen: 2, dInner: 2, dState: 3, seed: 8 }));
      const { x, delta, A, B, C } = inputs;
      fusedScanCore(x, delta, A, B, C).dispose();
      disposeScanInputs(inputs);
      expect(tf.getKernel(SELECTIVE_SCAN_KERNEL, 'webgpu')).toBeDefined();
      expect(tf.getKernel(SELECTIVE_SCAN_GRAD_KERNEL, 'webgpu')).toBeDefined();
      expect(resolveScanImpl('auto', 'webgpu', {}).name).toBe('fused');
    });

    for (const { label, spec } of CASES) {
      it(`${label}: values and gradients (all inputs) equal the reference scan`, async () => {
        const a = randomScanArrays(spec);
        const inputs = scanTensors(a);
        const W = weights(spec.batch * spec.seqLen * spec.dInner, spec.seed + 100);
        const ref = await scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'reference' }));
        const got = await scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'fused' }));
        expectTensorsClose(got.y, ref.y, { ...TOL, label: `${label}: y` });
        // and the values against a float64 loop, as a check of the reference on this backend
        expectTensorsClose(got.y, scanF64(a), { ...TOL, label: `${label}: y vs float64` });
        expect(got.grads.size).toBe(ref.grads.size);
        for (const [input, g] of ref.grads) {
          expectTensorsClose(got.grads.get(input) as Float32Array, g, {
            ...TOL,
            label: `${label}: d${input}`,
          });
        }
        disposeScanInputs(inputs);
      });
    }

    it('equals the JS core loops (float64 arithmetic) at the large model L = 145 over 32 channel workgroups', async () => {
      const dims = { batch: 2, seqLen: 145, dInner: 256, dState: 16 };
      const a = randomScanArrays({ ...dims, seed: 11 });
      const inputs = scanTensors(a);
      const { x, delta, A, B, C } = inputs;
      const f32 = (v: Float64Array) => Float32Array.from(v);
      const dyArr = Float32Array.from(weights(2 * 145 * 256, 12));
      const dy = tf.tensor3d(dyArr, [2, 145, 256]);
      const y = fusedScanCore(x, delta, A, B, C);
      const grads = tf.grads((...ins: tf.Tensor[]) =>
        fusedScanCore(
          ins[0] as tf.Tensor3D,
          ins[1] as tf.Tensor3D,
          ins[2] as tf.Tensor2D,
          ins[3] as tf.Tensor3D,
          ins[4] as tf.Tensor3D,
        ),
      )([x, delta, A, B, C], dy);
      const args = [f32(a.x), f32(a.delta), f32(a.A), f32(a.B), f32(a.C)] as const;
      const yJs = JS_SCAN_CORE.forward(dims, ...args);
      const gJs = JS_SCAN_CORE.backward(dims, ...args, dyArr);
      expectTensorsClose((await y.data()) as Float32Array, yJs, { ...TOL, label: 'y' });
      const names = ['dx', 'ddelta', 'dA', 'dB', 'dC'] as const;
      for (let i = 0; i < names.length; i++) {
        // dA, dB and dC are sums of hundreds of terms of both signs: an absolute floor of 1e-4
        expectTensorsClose((await grads[i].data()) as Float32Array, gJs[names[i]], {
          rtol: 2e-4,
          atol: i < 2 ? 1e-5 : 1e-4,
          label: names[i],
        });
      }
      tf.dispose([y, dy, ...grads]);
      disposeScanInputs(inputs);
    });

    it('gives the same gradients when the backward pass runs over one batch row at a time', async () => {
      const spec = { batch: 3, seqLen: 10, dInner: 12, dState: 16, seed: 9 };
      const inputs = scanTensors(randomScanArrays(spec));
      const W = weights(3 * 10 * 12, 10);
      const whole = await scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'fused' }));
      // one row's packed output is a few KB: a 1-byte limit forces one run per row (dA accumulated)
      setWebGpuScanBindingLimitForTests(1);
      const split = await scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'fused' }));
      for (const [input, g] of whole.grads) {
        expectTensorsClose(split.grads.get(input) as Float32Array, g, {
          rtol: 1e-6,
          atol: 1e-7,
          label: `d${input}`,
        });
      }
      disposeScanInputs(inputs);
    });

    it('leaves no tensors behind across repeated forward and backward passes', async () => {
      const inputs = scanTensors(
        randomScanArrays({ batch: 2, seqLen: 9, dInner: 10, dState: 16, seed: 5, withD: true, withZ: true }),
      );
      const W = weights(2 * 9 * 10, 6);
      const step = async (): Promise<void> => {
        selectiveScan(inputs, { impl: 'fused' }).dispose();
        await scanValueAndGrads(inputs, W, (i) => selectiveScan(i, { impl: 'fused' }));
      };
      await step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await step();
      expect(tf.memory().numTensors).toBe(before);
      disposeScanInputs(inputs);
    });

    it('refuses dState above 128, pointing at the chunked scan', async () => {
      const inputs = scanTensors(randomScanArrays({ batch: 1, seqLen: 2, dInner: 1, dState: 129, seed: 7 }));
      const { x, delta, A, B, C } = inputs;
      expect(() => fusedScanCore(x, delta, A, B, C)).toThrow(
        /at most 128 states per channel, got dState 129; use impl 'chunked'/,
      );
      disposeScanInputs(inputs);
    });
  },
  { backends: ['webgpu'] },
);
