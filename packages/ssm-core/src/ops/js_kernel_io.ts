import * as tf from '@tensorflow/tfjs-core';

/** The parts of a tfjs backend the JS-loop kernels use (cpu: `data`; wasm: `typedArrayFromHeap`/`makeOutput`). */
interface BackendLike {
  data?: { get(dataId: object): { values: unknown } };
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  typedArrayFromHeap?(info: tf.TensorInfo): Float32Array;
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  readSync(dataId: object): unknown;
}

/** Backends on which the fused JS-loop kernels of this folder are registered. @internal */
export const JS_KERNEL_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * Float32 values of a kernel input (a copy on wasm, whose heap may move when outputs are allocated).
 *
 * @internal
 */
export function readInput(backend: unknown, info: tf.TensorInfo, kernel: string, name: string): Float32Array {
  const be = backend as BackendLike;
  if (info.dtype !== 'float32')
    throw new Error(`${kernel}: input ${name} has dtype ${info.dtype}, expected float32`);
  if (typeof be.typedArrayFromHeap === 'function') return be.typedArrayFromHeap(info).slice();
  if (be.data !== undefined) return be.data.get(info.dataId).values as Float32Array;
  return be.readSync(info.dataId) as Float32Array;
}

/**
 * A new float32 output tensor holding `values`.
 *
 * @internal
 */
export function writeOutput(
  backend: unknown,
  shape: number[],
  values: Float32Array,
  kernel: string,
): tf.TensorInfo {
  const be = backend as BackendLike;
  if (typeof be.makeOutput === 'function' && typeof be.typedArrayFromHeap === 'function') {
    const out = be.makeOutput(shape, 'float32');
    be.typedArrayFromHeap(out).set(values);
    return out;
  }
  if (typeof be.makeTensorInfo === 'function') return be.makeTensorInfo(shape, 'float32', values);
  throw new Error(`${kernel}: backend ${tf.getBackend()} cannot create outputs`);
}

/** Whether the fused kernels can run on the active backend. @internal */
export function fusedKernelsAvailable(): boolean {
  return JS_KERNEL_BACKENDS.includes(tf.getBackend());
}

/**
 * Runs a JS-loop kernel body on float32 views of its inputs and of freshly allocated, zeroed outputs,
 * without copying on wasm: every output is allocated first (allocation may grow and move the wasm
 * heap), then heap views are taken. The body must not allocate tensors.
 *
 * @internal
 */
export function runJsKernel(
  backend: unknown,
  kernel: string,
  inputs: ReadonlyArray<readonly [string, tf.TensorInfo]>,
  outputShapes: ReadonlyArray<number[]>,
  body: (ins: Float32Array[], outs: Float32Array[]) => void,
): tf.TensorInfo[] {
  const be = backend as BackendLike;
  for (const [name, info] of inputs) {
    if (info.dtype !== 'float32')
      throw new Error(`${kernel}: input ${name} has dtype ${info.dtype}, expected float32`);
  }
  if (typeof be.makeOutput === 'function' && typeof be.typedArrayFromHeap === 'function') {
    const outs = outputShapes.map((s) => be.makeOutput!(s, 'float32'));
    const ins = inputs.map(([, info]) => be.typedArrayFromHeap!(info));
    const outViews = outs.map((o) => be.typedArrayFromHeap!(o).fill(0));
    body(ins, outViews);
    return outs;
  }
  const ins = inputs.map(([name, info]) => readInput(backend, info, kernel, name));
  const outViews = outputShapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
  body(ins, outViews);
  return outputShapes.map((s, i) => writeOutput(backend, s, outViews[i], kernel));
}
