import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels, requireKernelCall, wasmKernelsActive } from './wasm_kernels.js';

/** tfjs kernel name of {@link matMulNT} on cpu and wasm. @category Ops */
export const MATMUL_NT_KERNEL = 'MambaMatMulNT';

const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, w, bias } = inputs as Record<string, tf.TensorInfo | undefined>;
  const [T, I] = (x as tf.TensorInfo).shape;
  const O = (w as tf.TensorInfo).shape[0];
  const call = requireKernelCall(backend, MATMUL_NT_KERNEL);
  const px = call.input(x as tf.TensorInfo, 'x');
  const pw = call.input(w as tf.TensorInfo, 'w');
  const pb = bias === undefined ? 0 : call.input(bias, 'bias');
  const out = call.output([T, O]);
  const panel = call.scratch(I * 8);
  call.heap();
  call.ex.matmul_nt(T, O, I, px, pw, pb, out, panel);
  return call.finish()[0];
};

/**
 * x·wᵀ (+ bias) for a weight in PyTorch layout [out, in], without a transposed copy: the forward
 * product of a linear layer.
 *
 * **Details**
 * On `cpu` and `wasm` one WebAssembly SIMD kernel (`wasm/matmul_nt.c`): 8 weight rows at a time are
 * packed transposed into an [in, 8] panel, then 4 × 8 register tiles accumulate over `in`. The tfjs
 * route, `matMul(x, transpose(w))`, transposes the whole weight and has XNNPACK repack it on every
 * call (a new tensor each time): for `defocus-mamba-large`'s in_proj that is about half the time of
 * the product. Other backends use `tf.matMul(x, w, false, true)`. Not differentiable by itself
 * (`linear` supplies the gradient).
 *
 * @param x - [rows, in]
 * @param w - [out, in]
 * @param bias - optional [out]
 * @returns [rows, out]
 * @example
 * const y = matMulNT(x, inProjWeight); // = x·inProjWeightᵀ
 * @category Ops
 */
export function matMulNT(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (x.shape[1] !== w.shape[1]) {
    throw new Error(`matMulNT: x [${x.shape}] and w [${w.shape}] need the same inner size`);
  }
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== w.shape[0])) {
    throw new Error(`matMulNT: bias has shape [${bias.shape}], expected [${w.shape[0]}]`);
  }
  if (!wasmKernelsActive()) {
    const y = tf.matMul(x, w, false, true) as tf.Tensor2D;
    if (bias === undefined) return y;
    const yb = tf.add(y, bias) as tf.Tensor2D;
    y.dispose();
    return yb;
  }
  registerWasmKernels([{ kernelName: MATMUL_NT_KERNEL, kernelFunc }]);
  const inputs: Record<string, tf.Tensor> = { x, w };
  if (bias !== undefined) inputs.bias = bias;
  return tf.engine().runKernel(MATMUL_NT_KERNEL, inputs) as tf.Tensor2D;
}
