import { getUnpadded, kernelWasm, putPadded, WasmArena } from './kernel_wasm_module.js';
import type { ScanCore, ScanCoreGrads, ScanDims } from './scan_core.js';

/** Largest dState the wasm core handles (it keeps 4-lane groups of B and C in locals). */
const MAX_STATE = 256;

/**
 * Wraps the embedded WebAssembly SIMD kernel module (compiled once per process, with its own
 * memory) as a {@link ScanCore}; `undefined` when this runtime cannot run it (no SIMD).
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
  const ex = kernelWasm();
  if (ex === undefined) return undefined;
  return {
    name: 'wasm-simd',
    forward(dims: ScanDims, x, delta, A, B, C): Float32Array {
      const { batch, seqLen: L, dInner: D, dState: N } = dims;
      if (N > MAX_STATE) return fallback.forward(dims, x, delta, A, B, C);
      const Np = (N + 3) & ~3;
      const BLD = batch * L * D;
      const arena = new WasmArena(ex);
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
      const arena = new WasmArena(ex);
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
