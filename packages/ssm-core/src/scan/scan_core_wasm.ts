import type { ScanCore, ScanCoreGrads, ScanDims } from './scan_core.js';
import { SCAN_WASM_BASE64 } from './scan_wasm_binary.js';

/** The few WebAssembly JS-API members used here (the project's TS lib has no DOM/WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface ScanWasmExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heap_base(): number;
  scan_forward(...args: number[]): void;
  scan_backward(...args: number[]): void;
}

function decodeBase64(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Largest dState the wasm core handles (it keeps 4-lane groups of B and C in locals). */
const MAX_STATE = 256;

/** Bump layout of float arrays in the module's memory, each 16-byte aligned. */
class Arena {
  private offset: number;
  constructor(private readonly ex: ScanWasmExports) {
    this.offset = ex.heap_base();
  }
  /** Reserves `floats` float32 slots; returns the byte offset. */
  take(floats: number): number {
    this.offset = (this.offset + 15) & ~15;
    const at = this.offset;
    this.offset += floats * 4;
    return at;
  }
  /** Grows the memory to hold everything reserved; returns a fresh float view. */
  view(): Float32Array {
    const mem = this.ex.memory;
    const missing = this.offset - mem.buffer.byteLength;
    if (missing > 0) mem.grow(Math.ceil(missing / 65536));
    return new Float32Array(mem.buffer);
  }
}

/** Copies rows of n floats into rows of np floats (zero padding) at float index `at`. */
function putPadded(
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

/** Copies rows of np floats (dropping the padding) out of float index `at`. */
function getUnpadded(heap: Float32Array, at: number, rows: number, n: number, np: number): Float32Array {
  if (n === np) return heap.slice(at, at + rows * n);
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(heap.subarray(at + r * np, at + r * np + n), r * n);
  return out;
}

/**
 * Compiles the embedded WebAssembly SIMD scan module (synchronously, with its own memory) and
 * wraps it as a {@link ScanCore}; `undefined` when this runtime cannot run it (no SIMD).
 *
 * **Details**
 * The module is built from `packages/ssm-core/wasm/selective_scan.c` by
 * `scripts/build_scan_wasm.sh`. Inputs are copied into the module's memory (dState padded to a
 * multiple of 4 with zeros), the loops run vectorised over dState in 4-lane groups with a
 * polynomial exp (relative error ~1e-7 + 6e-8·|Δ·A|/ln 2), and results are copied out. The
 * backward pass keeps the states and decays of one batch element (2·seqLen·dInner·dState floats
 * besides the inputs and gradients). The memory grows to the largest problem seen and is kept. dState above 256 falls back to the JS loops.
 *
 * @param fallback - core used for dState > 256
 * @returns the core, or `undefined` without WebAssembly SIMD
 * @category Scan
 */
export function createWasmScanCore(fallback: ScanCore): ScanCore | undefined {
  let ex: ScanWasmExports;
  try {
    const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasmApi === undefined) return undefined;
    const bytes = decodeBase64(SCAN_WASM_BASE64);
    if (!wasmApi.validate(bytes)) return undefined;
    ex = new wasmApi.Instance(new wasmApi.Module(bytes), {}).exports as unknown as ScanWasmExports;
  } catch {
    return undefined;
  }
  return {
    name: 'wasm-simd',
    forward(dims: ScanDims, x, delta, A, B, C): Float32Array {
      const { batch, seqLen: L, dInner: D, dState: N } = dims;
      if (N > MAX_STATE) return fallback.forward(dims, x, delta, A, B, C);
      const Np = (N + 3) & ~3;
      const BLD = batch * L * D;
      const arena = new Arena(ex);
      const px = arena.take(BLD);
      const pdt = arena.take(BLD);
      const pA = arena.take(D * Np);
      const pB = arena.take(batch * L * Np);
      const pC = arena.take(batch * L * Np);
      const py = arena.take(BLD);
      const ph = arena.take(D * Np);
      const heap = arena.view();
      heap.set(x, px >> 2);
      heap.set(delta, pdt >> 2);
      putPadded(heap, pA >> 2, A, D, N, Np);
      putPadded(heap, pB >> 2, B, batch * L, N, Np);
      putPadded(heap, pC >> 2, C, batch * L, N, Np);
      ex.scan_forward(batch, L, D, Np, px, pdt, pA, pB, pC, py, ph);
      return new Float32Array(ex.memory.buffer, py, BLD).slice();
    },
    backward(dims: ScanDims, x, delta, A, B, C, dy): ScanCoreGrads {
      const { batch, seqLen: L, dInner: D, dState: N } = dims;
      if (N > MAX_STATE) return fallback.backward(dims, x, delta, A, B, C, dy);
      const Np = (N + 3) & ~3;
      const BLD = batch * L * D;
      const BLN = batch * L * Np;
      const arena = new Arena(ex);
      const px = arena.take(BLD);
      const pdt = arena.take(BLD);
      const pA = arena.take(D * Np);
      const pB = arena.take(BLN);
      const pC = arena.take(BLN);
      const pdy = arena.take(BLD);
      const pdx = arena.take(BLD);
      const pddt = arena.take(BLD);
      const pdA = arena.take(D * Np);
      const pdB = arena.take(BLN);
      const pdC = arena.take(BLN);
      const phs = arena.take((L + 1) * D * Np);
      const pas = arena.take(L * D * Np);
      const pgh = arena.take(D * Np);
      const heap = arena.view();
      heap.set(x, px >> 2);
      heap.set(delta, pdt >> 2);
      putPadded(heap, pA >> 2, A, D, N, Np);
      putPadded(heap, pB >> 2, B, batch * L, N, Np);
      putPadded(heap, pC >> 2, C, batch * L, N, Np);
      heap.set(dy, pdy >> 2);
      ex.scan_backward(batch, L, D, Np, px, pdt, pA, pB, pC, pdy, pdx, pddt, pdA, pdB, pdC, phs, pas, pgh);
      const out = new Float32Array(ex.memory.buffer);
      return {
        dx: out.slice(pdx >> 2, (pdx >> 2) + BLD),
        ddelta: out.slice(pddt >> 2, (pddt >> 2) + BLD),
        dA: getUnpadded(out, pdA >> 2, D, N, Np),
        dB: getUnpadded(out, pdB >> 2, batch * L, N, Np),
        dC: getUnpadded(out, pdC >> 2, batch * L, N, Np),
      };
    },
  };
}
