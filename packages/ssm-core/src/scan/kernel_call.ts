import type * as tf from '@tensorflow/tfjs-core';
import {
  type KernelWasmExports,
  kernelWasm,
  kernelWasmOn,
  WasmArena,
  type WasmMemoryLike,
} from './kernel_wasm_module.js';

/** What this file reads from the `wasm` backend (tfjs-backend-wasm's `BackendWasm`). */
interface WasmBackendLike {
  wasm: {
    asm?: { memory?: WasmMemoryLike };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The parts of a tfjs backend a JS-side kernel reads or writes (cpu: `data`; wasm: the heap). */
interface ArrayBackendLike {
  data?: { get(dataId: object): { values: unknown } };
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  typedArrayFromHeap?(info: tf.TensorInfo): Float32Array;
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  readSync(dataId: object): unknown;
}

function checkFloat(info: tf.TensorInfo, kernel: string, name: string): void {
  if (info.dtype !== 'float32')
    throw new Error(`${kernel}: input ${name} has dtype ${info.dtype}, expected float32`);
}

/**
 * @internal The float32 data of a kernel input, without copying where the backend allows (a view of
 * tfjs-wasm's heap, the cpu backend's own array): read it, do not keep or write it.
 *
 * @param backend - the kernel function's `backend` argument
 * @param info - the input
 * @param kernel - kernel name, for error messages
 * @param name - input name, for error messages
 * @returns the values
 */
export function floatsOf(backend: unknown, info: tf.TensorInfo, kernel: string, name: string): Float32Array {
  checkFloat(info, kernel, name);
  const be = backend as ArrayBackendLike;
  if (typeof be.typedArrayFromHeap === 'function') return be.typedArrayFromHeap(info);
  if (be.data !== undefined) return be.data.get(info.dataId).values as Float32Array;
  return be.readSync(info.dataId) as Float32Array;
}

/**
 * @internal A new float32 output tensor of the backend holding `values`.
 *
 * @param backend - the kernel function's `backend` argument
 * @param shape - output shape
 * @param values - its data (taken over on cpu, copied on wasm)
 * @param kernel - kernel name, for error messages
 * @returns the output
 */
export function floatOutput(
  backend: unknown,
  shape: number[],
  values: Float32Array,
  kernel: string,
): tf.TensorInfo {
  const be = backend as ArrayBackendLike;
  if (typeof be.makeOutput === 'function' && typeof be.typedArrayFromHeap === 'function') {
    const out = be.makeOutput(shape, 'float32');
    be.typedArrayFromHeap(out).set(values);
    return out;
  }
  if (typeof be.makeTensorInfo === 'function') return be.makeTensorInfo(shape, 'float32', values);
  throw new Error(`${kernel}: this backend cannot create outputs`);
}

/**
 * @internal One call of a kernel of the embedded WebAssembly module: every array the C function
 * reads or writes gets a byte offset in the module's memory.
 *
 * **Details**
 * On the `wasm` backend the module runs on tfjs' own memory (a second instance importing it), so
 * inputs and outputs are the tensors themselves: no copies; scratch comes from tfjs' `malloc` and
 * is freed by {@link KernelCall.finish}. On other backends the module has its own memory: inputs
 * are copied in, outputs copied out into new tensors. Allocate everything first (`input`,
 * `output`, `scratch`), then take `heap()` (allocations may move the buffer), then call.
 */
export interface KernelCall {
  /** The module's exports (call the C function through them). */
  readonly ex: KernelWasmExports;
  /** Byte offset of an input's float32 data. */
  input(info: tf.TensorInfo, name: string): number;
  /** Byte offset of `floats` uninitialised float32 slots, valid until `finish`. */
  scratch(floats: number): number;
  /** Byte offset of a new float32 output tensor's data (uninitialised: the kernel writes all of it). */
  output(shape: number[]): number;
  /** A float view of the whole memory, valid until the next allocation. */
  heap(): Float32Array;
  /** The outputs in `output` order; frees the scratch. */
  finish(): tf.TensorInfo[];
}

const STACK_BYTES = 1 << 16;

class DirectCall implements KernelCall {
  private readonly outs: tf.TensorInfo[] = [];
  private readonly scratches: number[] = [];
  constructor(
    readonly ex: KernelWasmExports,
    private readonly be: WasmBackendLike,
    private readonly memory: WasmMemoryLike,
    private readonly kernel: string,
  ) {}
  input(info: tf.TensorInfo, name: string): number {
    checkFloat(info, this.kernel, name);
    const entry = this.be.dataIdMap.get(info.dataId);
    if (entry === undefined) throw new Error(`${this.kernel}: input ${name} has no data on the wasm backend`);
    return entry.memoryOffset;
  }
  scratch(floats: number): number {
    const p = this.be.wasm._malloc(Math.max(16, floats * 4 + 16)) >>> 0;
    this.scratches.push(p);
    return (p + 15) & ~15;
  }
  output(shape: number[]): number {
    const out = this.be.makeOutput(shape, 'float32');
    this.outs.push(out);
    return (this.be.dataIdMap.get(out.dataId) as { memoryOffset: number }).memoryOffset;
  }
  heap(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }
  finish(): tf.TensorInfo[] {
    for (const p of this.scratches) this.be.wasm._free(p);
    return this.outs;
  }
}

class CopyCall implements KernelCall {
  private readonly arena: WasmArena;
  private readonly pending: Array<[number, Float32Array]> = [];
  private readonly outs: Array<[number, number[]]> = [];
  constructor(
    readonly ex: KernelWasmExports,
    private readonly be: ArrayBackendLike,
    private readonly kernel: string,
  ) {
    this.arena = new WasmArena(ex);
  }
  input(info: tf.TensorInfo, name: string): number {
    const values = floatsOf(this.be, info, this.kernel, name);
    const at = this.arena.take(values.length);
    this.pending.push([at, values]);
    return at;
  }
  scratch(floats: number): number {
    return this.arena.take(floats);
  }
  output(shape: number[]): number {
    const at = this.arena.take(shape.reduce((a, b) => a * b, 1));
    this.outs.push([at, shape]);
    return at;
  }
  heap(): Float32Array {
    const heap = this.arena.view();
    for (const [at, values] of this.pending) heap.set(values, at >> 2);
    this.pending.length = 0;
    return heap;
  }
  finish(): tf.TensorInfo[] {
    const heap = new Float32Array(this.ex.memory.buffer);
    return this.outs.map(([at, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return floatOutput(this.be, shape, heap.slice(at >> 2, (at >> 2) + n), this.kernel);
    });
  }
}

/**
 * @internal Starts a call of the embedded module on `backend` (see {@link KernelCall}); `undefined`
 * when this runtime has no WebAssembly SIMD.
 *
 * @param backend - the kernel function's `backend` argument
 * @param kernel - kernel name, for error messages
 * @returns the call, or `undefined`
 */
export function beginKernelCall(backend: unknown, kernel: string): KernelCall | undefined {
  const wasmBe = backend as Partial<WasmBackendLike>;
  const memory = wasmBe.wasm?.asm?.memory;
  if (memory !== undefined && wasmBe.dataIdMap !== undefined && typeof wasmBe.wasm?._malloc === 'function') {
    const be = wasmBe as WasmBackendLike;
    const ex = kernelWasmOn(memory, () => be.wasm._malloc(STACK_BYTES + 16) >>> 0, STACK_BYTES);
    if (ex !== undefined) return new DirectCall(ex, be, memory, kernel);
  }
  const ex = kernelWasm();
  return ex === undefined ? undefined : new CopyCall(ex, backend as ArrayBackendLike, kernel);
}
