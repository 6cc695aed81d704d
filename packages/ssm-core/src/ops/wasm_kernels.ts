import * as tf from '@tensorflow/tfjs-core';
import { beginKernelCall, type KernelCall } from '../scan/kernel_call.js';
import { kernelWasm } from '../scan/kernel_wasm_module.js';

/**
 * Backends the package's WebAssembly SIMD kernels are registered for (both keep float32 data the
 * module can read: tfjs-wasm's heap, the cpu backend's arrays).
 *
 * @category Ops
 */
export const WASM_KERNEL_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * Whether the package's WebAssembly SIMD kernels run here: the active backend is one of
 * {@link WASM_KERNEL_BACKENDS} and this runtime has WebAssembly SIMD.
 *
 * @returns true when the kernels apply (shape conditions aside)
 * @category Ops
 */
export function wasmKernelsActive(): boolean {
  return WASM_KERNEL_BACKENDS.includes(tf.getBackend()) && kernelWasm() !== undefined;
}

/**
 * @internal {@link beginKernelCall} that throws (naming the kernel) where the module cannot run.
 *
 * @param backend - the kernel function's `backend` argument
 * @param kernel - kernel name
 * @returns the call
 */
export function requireKernelCall(backend: unknown, kernel: string): KernelCall {
  const call = beginKernelCall(backend, kernel);
  if (call === undefined) throw new Error(`${kernel}: this runtime has no WebAssembly SIMD`);
  return call;
}

/**
 * @internal Registers kernels for every backend of {@link WASM_KERNEL_BACKENDS} and, when given, the
 * gradient of the first one; kernels and gradients already registered are left alone.
 *
 * @param kernels - kernel name and function pairs
 * @param gradient - gradient config of `kernels[0]`
 */
export function registerWasmKernels(
  kernels: ReadonlyArray<{ readonly kernelName: string; readonly kernelFunc: tf.KernelFunc }>,
  gradient?: tf.GradConfig,
): void {
  for (const { kernelName, kernelFunc } of kernels) {
    for (const backendName of WASM_KERNEL_BACKENDS) {
      if (tf.getKernel(kernelName, backendName) === undefined)
        tf.registerKernel({ kernelName, backendName, kernelFunc });
    }
  }
  if (gradient !== undefined && tf.getGradient(gradient.kernelName) === undefined)
    tf.registerGradient(gradient);
}
