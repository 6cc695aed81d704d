import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels, requireKernelCall, wasmKernelsActive } from './wasm_kernels.js';

/** tfjs kernel name of {@link matMulNN} on cpu and wasm. @category Ops */
export const MATMUL_NN_KERNEL = 'MambaMatMulNN';

const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, b } = inputs as Record<string, tf.TensorInfo>;
  const [T, I] = x.shape;
  const O = b.shape[1];
  const call = requireKernelCall(backend, MATMUL_NN_KERNEL);
  const px = call.input(x, 'x');
  const pb = call.input(b, 'b');
  const out = call.output([T, O]);
  const panel = call.scratch(I * 8);
  call.heap();
  call.ex.matmul_nn(T, O, I, px, pb, out, panel);
  return call.finish()[0];
};

/**
 * x·b as one WebAssembly SIMD kernel: the input gradient of a linear layer, dx = dy·W.
 *
 * **Details**
 * On `cpu` and `wasm` the same 4 × 8 register tiles as {@link matMulNT}, with 8 columns of b packed
 * into an [in, 8] panel at a time. tfjs-wasm's `matMul` hands the product to XNNPACK, which packs
 * the whole right operand into a new operator whenever that tensor is new (a weight that changed,
 * or a slice of one). Other backends use `tf.matMul`. Not differentiable by itself.
 *
 * @param x - [rows, in]
 * @param b - [in, out]
 * @returns [rows, out]
 * @example
 * const dx = matMulNN(dy, weight); // [rows, out]·[out, in] → [rows, in]
 * @category Ops
 */
export function matMulNN(x: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (x.shape[1] !== b.shape[0]) {
    throw new Error(
      `matMulNN: x [${x.shape}] and b [${b.shape}] do not chain (${x.shape[1]} ≠ ${b.shape[0]})`,
    );
  }
  if (!wasmKernelsActive()) return tf.matMul(x, b);
  registerWasmKernels([{ kernelName: MATMUL_NN_KERNEL, kernelFunc }]);
  return tf.engine().runKernel(MATMUL_NN_KERNEL, { x, b }) as tf.Tensor2D;
}
