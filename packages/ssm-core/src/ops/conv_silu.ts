import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';
import type { KernelCall } from '../scan/kernel_call.js';
import { registerWasmKernels, requireKernelCall, wasmKernelsActive } from './wasm_kernels.js';

/** tfjs kernel name of {@link convSilu}'s forward. @category Ops */
export const CONV_SILU_KERNEL = 'MambaConvSilu';
/** tfjs kernel name of its gradient. @category Ops */
export const CONV_SILU_GRAD_KERNEL = 'MambaConvSiluGrad';

/**
 * Whether {@link convSilu} runs here: the WebAssembly SIMD module loads, the backend is `cpu` or
 * `wasm`, and the channel count is a multiple of 4.
 *
 * @param channels - C
 * @returns true when the kernel applies
 * @category Ops
 */
export function convSiluSupported(channels: number): boolean {
  return wasmKernelsActive() && channels % 4 === 0;
}

/** Places the weight [C, 1, K] transposed to [K, C] in scratch; returns its offset. */
function placeWeight(call: KernelCall, w: tf.TensorInfo): { wT: number; src: number; C: number; K: number } {
  const [C, , K] = w.shape;
  return { src: call.input(w, 'weight'), wT: call.scratch(K * C), C, K };
}

function fillWeight(heap: Float32Array, p: { wT: number; src: number; C: number; K: number }): void {
  for (let c = 0; c < p.C; c++)
    for (let j = 0; j < p.K; j++) heap[(p.wT >> 2) + j * p.C + c] = heap[(p.src >> 2) + c * p.K + j];
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, weight, bias } = inputs as Record<string, tf.TensorInfo>;
  const [batch, L, C] = x.shape;
  const call = requireKernelCall(backend, CONV_SILU_KERNEL);
  const px = call.input(x, 'x');
  const w = placeWeight(call, weight);
  const pb = call.input(bias, 'bias');
  const y = call.output([batch, L, C]);
  fillWeight(call.heap(), w);
  call.ex.conv_silu_forward(batch, L, C, w.K, px, w.wT, pb, y);
  return call.finish()[0];
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, weight, bias, dy } = inputs as Record<string, tf.TensorInfo>;
  const [batch, L, C] = x.shape;
  const call = requireKernelCall(backend, CONV_SILU_GRAD_KERNEL);
  const px = call.input(x, 'x');
  const w = placeWeight(call, weight);
  const pb = call.input(bias, 'bias');
  const pdy = call.input(dy, 'dy');
  const dx = call.output([batch, L, C]);
  const dw = call.output([C, 1, w.K]);
  const db = call.output([C]);
  const dwT = call.scratch(w.K * C);
  const g = call.scratch(L * C);
  fillWeight(call.heap(), w);
  call.ex.conv_silu_backward(batch, L, C, w.K, px, w.wT, pb, pdy, dx, dwT, db, g);
  const heap = call.heap();
  for (let c = 0; c < C; c++)
    for (let j = 0; j < w.K; j++) heap[(dw >> 2) + c * w.K + j] = heap[(dwT >> 2) + j * C + c];
  return call.finish();
};

function register(): void {
  registerWasmKernels(
    [
      { kernelName: CONV_SILU_KERNEL, kernelFunc: forwardKernel },
      { kernelName: CONV_SILU_GRAD_KERNEL, kernelFunc: backwardKernel },
    ],
    {
      kernelName: CONV_SILU_KERNEL,
      inputsToSave: ['x', 'weight', 'bias'],
      gradFunc: (dy, saved) => {
        const [x, weight, bias] = saved;
        const g = tf
          .engine()
          .runKernel(CONV_SILU_GRAD_KERNEL, { x, weight, bias, dy: dy as tf.Tensor }) as tf.Tensor[];
        return { x: () => g[0], weight: () => g[1], bias: () => g[2] };
      },
    },
  );
}

/**
 * SiLU(causal depthwise conv1d(x) + bias) in one WebAssembly SIMD kernel, forward and backward (the
 * x branch of the De-focus mixer, spec §1.2 step 2).
 *
 * **Details**
 * c_t = bias + Σ_j w[:, 0, j] ⊙ x_{t−(K−1)+j} (zeros before the start), y = c ⊙ σ(c): the same as
 * `SiLU(causalConv1d(x, weight, bias))` up to float32 rounding, in one kernel per direction instead
 * of about six tfjs ops. The backward recomputes c and returns gradients for x, the weight and the
 * bias. Check {@link convSiluSupported} first.
 *
 * @param x - [batch, seqLen, C]
 * @param weight - conv1d.weight [C, 1, K]
 * @param bias - conv1d.bias [C]
 * @returns [batch, seqLen, C]
 * @example
 * const x = convSilu(xPre, p.convWeight, p.convBias); // [B, L, dInner]
 * @category Ops
 */
export function convSilu(x: tf.Tensor3D, weight: tf.Tensor3D, bias: tf.Tensor1D): tf.Tensor3D {
  const C = x.shape[2];
  if (weight.rank !== 3 || weight.shape[0] !== C || weight.shape[1] !== 1) {
    throw new Error(`convSilu: weight has shape [${weight.shape}], expected [${C}, 1, K]`);
  }
  if (bias.rank !== 1 || bias.shape[0] !== C) {
    throw new Error(`convSilu: bias has shape [${bias.shape}], expected [${C}]`);
  }
  if (!convSiluSupported(C)) {
    throw new Error(
      `convSilu: not available for ${C} channels on backend "${tf.getBackend()}" (see convSiluSupported)`,
    );
  }
  register();
  return tf.engine().runKernel(CONV_SILU_KERNEL, { x, weight, bias }) as tf.Tensor3D;
}
