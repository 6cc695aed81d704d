import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels, requireKernelCall, wasmKernelsActive } from './wasm_kernels.js';

/** tfjs kernel name of {@link matMulTN} on cpu and wasm. @category Ops */
export const MATMUL_TN_KERNEL = 'MambaMatMulTN';

const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { g, x } = inputs as Record<string, tf.TensorInfo>;
  const [T, O] = g.shape;
  const I = x.shape[1];
  const call = requireKernelCall(backend, MATMUL_TN_KERNEL);
  const pg = call.input(g, 'g');
  const px = call.input(x, 'x');
  const out = call.output([O, I]);
  call.heap();
  call.ex.matmul_tn(T, O, I, pg, px, out);
  return call.finish()[0];
};

/**
 * gᵀ·x without a transposed copy: the weight gradient of a linear layer, dW = dyᵀ·x.
 *
 * **Details**
 * On `cpu` and `wasm` this is one WebAssembly SIMD kernel (`wasm/matmul_tn.c`: 4×8 register tiles
 * accumulated over blocks of 128 rows; on wasm it reads the tensors in place). tfjs-wasm's own
 * product would need `transpose(g)` first and then runs XNNPACK with the long dimension T as its
 * reduction axis and a freshly packed right operand every call (≈ 6 GFLOP/s here, against ≈ 13 for
 * the forward products). Other backends use `tf.matMul(g, x, true, false)`. Not differentiable
 * (it is itself a gradient).
 *
 * @param g - [T, O] (e.g. dy of a linear layer, T = rows)
 * @param x - [T, I] (its input)
 * @returns [O, I] = gᵀ·x
 * @example
 * const dW = matMulTN(dy, x); // [out, in], PyTorch weight layout
 * @category Ops
 */
export function matMulTN(g: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  if (g.shape[0] !== x.shape[0]) {
    throw new Error(`matMulTN: g [${g.shape}] and x [${x.shape}] need the same number of rows`);
  }
  if (!wasmKernelsActive()) {
    return tf.matMul(g, x, true, false);
  }
  registerWasmKernels([{ kernelName: MATMUL_TN_KERNEL, kernelFunc }]);
  return tf.engine().runKernel(MATMUL_TN_KERNEL, { g, x }) as tf.Tensor2D;
}
