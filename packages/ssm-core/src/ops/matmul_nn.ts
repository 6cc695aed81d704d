import * as tf from '@tensorflow/tfjs-core';
import { beginKernelCall } from '../scan/kernel_call.js';
import { kernelWasm } from '../scan/kernel_wasm_module.js';

/** tfjs kernel name of {@link matMulNN} on cpu and wasm. @category Ops */
export const MATMUL_NN_KERNEL = 'MambaMatMulNN';

const KERNEL_BACKENDS: readonly string[] = ['cpu', 'wasm'];

const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, b } = inputs as Record<string, tf.TensorInfo>;
  const [T, I] = x.shape;
  const O = b.shape[1];
  const call = beginKernelCall(backend, MATMUL_NN_KERNEL);
  if (call === undefined) throw new Error(`${MATMUL_NN_KERNEL}: this runtime has no WebAssembly SIMD`);
  const px = call.input(x, 'x');
  const pb = call.input(b, 'b');
  const out = call.output([T, O]);
  const panel = call.scratch(I * 8);
  call.heap();
  call.ex.matmul_nn(T, O, I, px, pb, out, panel);
  return call.finish()[0];
};

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of KERNEL_BACKENDS) {
    if (tf.getKernel(MATMUL_NN_KERNEL, backendName) === undefined)
      tf.registerKernel({ kernelName: MATMUL_NN_KERNEL, backendName, kernelFunc });
  }
}

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
  if (!KERNEL_BACKENDS.includes(tf.getBackend()) || kernelWasm() === undefined) return tf.matMul(x, b);
  register();
  return tf.engine().runKernel(MATMUL_NN_KERNEL, { x, b }) as tf.Tensor2D;
}
