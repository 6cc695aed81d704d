import { SCAN_WASM_BASE64 } from './scan_wasm_binary.js';

/** The few WebAssembly JS-API members used here (the project's TS lib has no DOM/WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemoryLike;
}

/** @internal A `WebAssembly.Memory` (the project's TS lib has no WebAssembly types). */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * @internal Exports of the embedded kernel module (`wasm/selective_scan.c` + `wasm/fused_ssm.c`,
 * built by `scripts/build_scan_wasm.sh`). Pointers are byte offsets into `memory`.
 */
export interface KernelWasmExports {
  /** The memory the instance runs on (its own, or the one it was given). */
  readonly memory: WasmMemoryLike;
  /** The C stack pointer (the stack grows down from it). */
  readonly __stack_pointer: { value: number };
  heap_base(): number;
  scan_forward(...args: number[]): void;
  scan_backward(...args: number[]): void;
  fused_ssm_forward(...args: number[]): void;
  fused_ssm_backward(...args: number[]): void;
  matmul_tn(...args: number[]): void;
  matmul_nt(...args: number[]): void;
  matmul_nn(...args: number[]): void;
  conv_silu_forward(...args: number[]): void;
  conv_silu_backward(...args: number[]): void;
  rms_norm_forward(...args: number[]): void;
  rms_norm_backward(...args: number[]): void;
}

function decodeBase64(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let moduleCache: { api: WasmApi; module: object } | null | undefined;

function compiled(): { api: WasmApi; module: object } | undefined {
  if (moduleCache === undefined) {
    moduleCache = null;
    try {
      const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
      const bytes = decodeBase64(SCAN_WASM_BASE64);
      if (api?.validate(bytes)) moduleCache = { api, module: new api.Module(bytes) };
    } catch {
      moduleCache = null;
    }
  }
  return moduleCache ?? undefined;
}

function instantiate(memory: WasmMemoryLike): KernelWasmExports {
  const c = compiled() as { api: WasmApi; module: object };
  const exports = new c.api.Instance(c.module, { env: { memory } }).exports as object;
  return Object.assign(Object.create(null), exports, { memory }) as KernelWasmExports;
}

/**
 * @internal The compiled kernel module (a `WebAssembly.Module`, compiled once per process; it can be
 * posted to worker threads), or `undefined` without WebAssembly SIMD.
 *
 * @returns the module
 */
export function kernelWasmModule(): object | undefined {
  return compiled()?.module;
}

let standalone: KernelWasmExports | null | undefined;

/**
 * @internal The kernel module on a memory of its own (instantiated once per process): its stack
 * and data start at 1 KiB, arrays at `heap_base()`. `undefined` when this runtime has no
 * WebAssembly SIMD.
 *
 * @returns the module's exports, or `undefined`
 */
export function kernelWasm(): KernelWasmExports | undefined {
  if (standalone === undefined) {
    standalone = null;
    const c = compiled();
    if (c !== undefined) {
      try {
        standalone = instantiate(new c.api.Memory({ initial: 16 }));
      } catch {
        standalone = null;
      }
    }
  }
  return standalone ?? undefined;
}

const onMemory = new WeakMap<WasmMemoryLike, KernelWasmExports>();

/**
 * @internal The kernel module running on another module's memory (tfjs-backend-wasm's), so
 * kernels read and write tensors in place. The module has no data segment, so instantiating it
 * writes nothing there; its stack is moved to a block of `stackBytes` from `allocStack` (the host's
 * malloc). One instance per memory. `undefined` without WebAssembly SIMD.
 *
 * @param memory - the host's `WebAssembly.Memory`
 * @param allocStack - returns the byte offset of a fresh block of `stackBytes + 16` bytes
 * @param stackBytes - stack size
 * @returns the module's exports, or `undefined`
 */
export function kernelWasmOn(
  memory: WasmMemoryLike,
  allocStack: () => number,
  stackBytes: number,
): KernelWasmExports | undefined {
  const known = onMemory.get(memory);
  if (known !== undefined) return known;
  if (compiled() === undefined) return undefined;
  const ex = instantiate(memory);
  ex.__stack_pointer.value = (allocStack() + stackBytes) & ~15;
  onMemory.set(memory, ex);
  return ex;
}

/**
 * @internal Bump layout of float arrays in the module's memory, each 16-byte aligned, starting at
 * `heap_base()` (every kernel call lays out its arrays afresh; the memory grows to the largest call
 * and is kept).
 */
export class WasmArena {
  private offset: number;
  constructor(private readonly ex: KernelWasmExports) {
    this.offset = ex.heap_base();
  }
  /** Reserves `floats` float32 slots; returns the byte offset. */
  take(floats: number): number {
    this.offset = (this.offset + 15) & ~15;
    const at = this.offset;
    this.offset += floats * 4;
    return at;
  }
  /** Grows the memory to hold everything reserved; returns a fresh float view of all of it. */
  view(): Float32Array {
    const mem = this.ex.memory;
    const missing = this.offset - mem.buffer.byteLength;
    if (missing > 0) mem.grow(Math.ceil(missing / 65536));
    return new Float32Array(mem.buffer);
  }
}

/** @internal Copies rows of n floats into rows of np floats (zero padding) at float index `at`. */
export function putPadded(
  heap: Float32Array,
  at: number,
  src: Float32Array,
  rows: number,
  n: number,
  np: number,
): void {
  if (n === np) {
    heap.set(src, at);
    return;
  }
  heap.fill(0, at, at + rows * np);
  for (let r = 0; r < rows; r++) heap.set(src.subarray(r * n, r * n + n), at + r * np);
}

/** @internal Copies rows of np floats (dropping the padding) out of float index `at`. */
export function getUnpadded(
  heap: Float32Array,
  at: number,
  rows: number,
  n: number,
  np: number,
): Float32Array {
  if (n === np) return heap.slice(at, at + rows * n);
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(heap.subarray(at + r * np, at + r * np + n), r * n);
  return out;
}
