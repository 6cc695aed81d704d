import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels, WASM_KERNEL_BACKENDS } from '../ops/wasm_kernels.js';
import { floatOutput, floatsOf } from './kernel_call.js';
import type { ScanCore, ScanDims } from './scan_core.js';
import { activeScanCore } from './scan_core_select.js';
import type { ScanImplementation } from './scan_types.js';
import { webGpuScanBackward, webGpuScanForward } from './webgpu_scan_kernels.js';

/**
 * Kernel name of the fused selective-scan forward pass (inputs x, delta, A, B, C → y).
 *
 * @category Scan
 */
export const SELECTIVE_SCAN_KERNEL = 'MambaSelectiveScan';

/**
 * Kernel name of the fused selective-scan backward pass (inputs x, delta, A, B, C, dy →
 * dx, ddelta, dA, dB, dC).
 *
 * @category Scan
 */
export const SELECTIVE_SCAN_GRAD_KERNEL = 'MambaSelectiveScanGrad';

/**
 * tfjs backends the fused kernels are registered for: cpu and wasm (loops in WebAssembly SIMD or
 * JS) and webgpu (WGSL programs, see `webgpu_scan_programs.ts`).
 *
 * @category Scan
 */
export const FUSED_SCAN_BACKENDS: readonly string[] = [...WASM_KERNEL_BACKENDS, 'webgpu'];

const read = (backend: unknown, info: tf.TensorInfo, name: string) =>
  floatsOf(backend, info, SELECTIVE_SCAN_KERNEL, name);
const write = (backend: unknown, shape: number[], values: Float32Array) =>
  floatOutput(backend, shape, values, SELECTIVE_SCAN_KERNEL);

function dimsOf(x: tf.TensorInfo, A: tf.TensorInfo): ScanDims {
  return { batch: x.shape[0], seqLen: x.shape[1], dInner: x.shape[2], dState: A.shape[1] };
}

let coreOverride: ScanCore | undefined;

/**
 * @internal Forces the fused kernels onto one core (`JS_SCAN_CORE` or the wasm core); `undefined` restores the automatic choice.
 */
export function setFusedScanCoreForTests(core: ScanCore | undefined): void {
  coreOverride = core;
}

function core(): ScanCore {
  return coreOverride ?? activeScanCore();
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, delta, A, B, C } = inputs as Record<string, tf.TensorInfo>;
  const dims = dimsOf(x, A);
  const y = core().forward(
    dims,
    read(backend, x, 'x'),
    read(backend, delta, 'delta'),
    read(backend, A, 'A'),
    read(backend, B, 'B'),
    read(backend, C, 'C'),
  );
  return write(backend, [...x.shape], y);
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, delta, A, B, C, dy } = inputs as Record<string, tf.TensorInfo>;
  const dims = dimsOf(x, A);
  const g = core().backward(
    dims,
    read(backend, x, 'x'),
    read(backend, delta, 'delta'),
    read(backend, A, 'A'),
    read(backend, B, 'B'),
    read(backend, C, 'C'),
    read(backend, dy, 'dy'),
  );
  return [
    write(backend, [...x.shape], g.dx),
    write(backend, [...delta.shape], g.ddelta),
    write(backend, [...A.shape], g.dA),
    write(backend, [...B.shape], g.dB),
    write(backend, [...C.shape], g.dC),
  ];
};

/**
 * Registers the fused selective-scan kernels (forward and backward) for the cpu, wasm and webgpu
 * backends, and the gradient of the forward kernel, in tfjs's global registries. Idempotent; called
 * by the `fused` implementation on first use.
 *
 * **Details**
 * On cpu and wasm both kernels copy their inputs out of the backend, run the core loops
 * (WebAssembly SIMD when the runtime has it, else plain JS; see {@link activeScanCore}) and copy
 * the results back. On webgpu they are WGSL programs that keep the data on the device: one
 * invocation per state h[b, d, n], sequential over L in chunks held in workgroup memory (dState ≤
 * 128). The gradient of `MambaSelectiveScan` runs `MambaSelectiveScanGrad`, which recomputes the
 * forward states and runs the reverse scan (nothing is saved but the five inputs).
 *
 * @example
 * registerFusedScanKernels();
 * const y = tf.engine().runKernel('MambaSelectiveScan', { x, delta, A, B, C }) as tf.Tensor3D;
 * @category Scan
 */
export function registerFusedScanKernels(): void {
  registerWasmKernels(
    [
      { kernelName: SELECTIVE_SCAN_KERNEL, kernelFunc: forwardKernel },
      { kernelName: SELECTIVE_SCAN_GRAD_KERNEL, kernelFunc: backwardKernel },
    ],
    {
      kernelName: SELECTIVE_SCAN_KERNEL,
      inputsToSave: ['x', 'delta', 'A', 'B', 'C'],
      gradFunc: (dy, saved) => {
        const [x, delta, A, B, C] = saved;
        const grads = tf
          .engine()
          .runKernel(SELECTIVE_SCAN_GRAD_KERNEL, { x, delta, A, B, C, dy: dy as tf.Tensor }) as tf.Tensor[];
        return {
          x: () => grads[0],
          delta: () => grads[1],
          A: () => grads[2],
          B: () => grads[3],
          C: () => grads[4],
        };
      },
    },
  );
  for (const [kernelName, kernelFunc] of [
    [SELECTIVE_SCAN_KERNEL, webGpuScanForward],
    [SELECTIVE_SCAN_GRAD_KERNEL, webGpuScanBackward],
  ] as const) {
    if (tf.getKernel(kernelName, 'webgpu') === undefined)
      tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
}

/**
 * The core scan through the fused kernel `MambaSelectiveScan` (registered on first call).
 *
 * **Details**
 * Runs on the `cpu`, `wasm` and `webgpu` backends only; elsewhere it throws, naming the backend
 * (use `chunked` there). On webgpu dState is at most 128.
 *
 * @param x - [batch, seqLen, dInner]
 * @param delta - Δ (already transformed), [batch, seqLen, dInner]
 * @param A - [dInner, dState]
 * @param B - [batch, seqLen, dState]
 * @param C - [batch, seqLen, dState]
 * @returns y, [batch, seqLen, dInner]
 * @throws `Error` on a backend without the fused kernel
 * @example
 * const y = fusedScanCore(x, delta, A, B, C);
 * @category Scan
 */
export function fusedScanCore(
  x: tf.Tensor3D,
  delta: tf.Tensor3D,
  A: tf.Tensor2D,
  B: tf.Tensor3D,
  C: tf.Tensor3D,
): tf.Tensor3D {
  registerFusedScanKernels();
  const backend = tf.getBackend();
  if (!FUSED_SCAN_BACKENDS.includes(backend)) {
    throw new Error(
      `selectiveScan: the fused kernel exists for the ${FUSED_SCAN_BACKENDS.join(', ')} backends, not "${backend}"; use impl 'chunked' or 'auto'`,
    );
  }
  return tf.engine().runKernel(SELECTIVE_SCAN_KERNEL, { x, delta, A, B, C }) as tf.Tensor3D;
}

/**
 * The `fused` scan implementation (see {@link fusedScanCore}).
 *
 * @category Scan
 */
export const FUSED_SCAN: ScanImplementation = {
  name: 'fused',
  description:
    'one registered tfjs kernel (forward + backward): WebAssembly SIMD loops on cpu and wasm, WGSL programs on webgpu',
  scan: fusedScanCore,
};
