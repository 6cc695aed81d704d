import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';
import { registerWasmKernels, requireKernelCall, wasmKernelsActive } from './wasm_kernels.js';

/** tfjs kernel name of {@link rmsNormKernel}'s forward. @category Ops */
export const RMS_NORM_KERNEL = 'MambaRmsNorm';
/** tfjs kernel name of its gradient. @category Ops */
export const RMS_NORM_GRAD_KERNEL = 'MambaRmsNormGrad';

/**
 * Whether {@link rmsNormKernel} runs here: WebAssembly SIMD, backend `cpu` or `wasm`, features a
 * multiple of 4.
 *
 * @param features - size of the last axis
 * @returns true when the kernel applies
 * @category Ops
 */
export function rmsNormKernelSupported(features: number): boolean {
  return wasmKernelsActive() && features % 4 === 0;
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, weight } = inputs as Record<string, tf.TensorInfo>;
  const { eps } = attrs as unknown as { eps: number };
  const F = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / F;
  const call = requireKernelCall(backend, RMS_NORM_KERNEL);
  const px = call.input(x, 'x');
  const pw = call.input(weight, 'weight');
  const y = call.output([...x.shape]);
  call.heap();
  call.ex.rms_norm_forward(rows, F, eps, px, pw, y);
  return call.finish()[0];
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, weight, dy } = inputs as Record<string, tf.TensorInfo>;
  const { eps } = attrs as unknown as { eps: number };
  const F = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / F;
  const call = requireKernelCall(backend, RMS_NORM_GRAD_KERNEL);
  const px = call.input(x, 'x');
  const pw = call.input(weight, 'weight');
  const pdy = call.input(dy, 'dy');
  const dx = call.output([...x.shape]);
  const dw = call.output([F]);
  call.heap();
  call.ex.rms_norm_backward(rows, F, eps, px, pw, pdy, dx, dw);
  return call.finish();
};

function register(): void {
  registerWasmKernels(
    [
      { kernelName: RMS_NORM_KERNEL, kernelFunc: forwardKernel },
      { kernelName: RMS_NORM_GRAD_KERNEL, kernelFunc: backwardKernel },
    ],
    {
      kernelName: RMS_NORM_KERNEL,
      inputsToSave: ['x', 'weight'],
      gradFunc: (dy, saved, attrs) => {
        const [x, weight] = saved;
        const g = tf
          .engine()
          .runKernel(RMS_NORM_GRAD_KERNEL, { x, weight, dy: dy as tf.Tensor }, attrs as never) as tf.Tensor[];
        return { x: () => g[0], weight: () => g[1] };
      },
    },
  );
}

/**
 * RMSNorm over the last axis as one WebAssembly SIMD kernel per direction: y = x·rsqrt(mean(x²) +
 * eps)·w, backward dx = inv·(ĝ − x̂·mean(ĝ⊙x̂)) with x̂ = x·inv, ĝ = dy⊙w, and dw = Σ dy⊙x̂.
 *
 * **Details**
 * Replaces the five forward ops (and about ten gradient ops) of the op path that
 * {@link rmsNorm} otherwise uses; equal to it up to float32 rounding. Check
 * {@link rmsNormKernelSupported} first.
 *
 * @param x - [..., F]
 * @param weight - [F]
 * @param eps - added to the mean square
 * @returns same shape as x
 * @example
 * const u = rmsNormKernel(h, normWeight, 1e-5);
 * @category Ops
 */
export function rmsNormKernel<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  const F = x.shape[x.rank - 1];
  if (weight.rank !== 1 || weight.shape[0] !== F) {
    throw new Error(`rmsNormKernel: weight has shape [${weight.shape}], expected [${F}]`);
  }
  if (!rmsNormKernelSupported(F)) {
    throw new Error(`rmsNormKernel: not available for ${F} features on backend "${tf.getBackend()}"`);
  }
  register();
  return tf.engine().runKernel(RMS_NORM_KERNEL, { x, weight }, { eps } as never) as T;
}
