import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectTensorsClose } from '../testing.js';
import type { ScanDims } from './scan_core.js';
import { JS_SCAN_CORE } from './scan_core_js.js';
import { activeScanCore } from './scan_core_select.js';
import { createWasmScanCore } from './scan_core_wasm.js';
import { mulberry32 } from './scan_testing.js';
import { SCAN_WASM_BASE64 } from './scan_wasm_binary.js';

function arrays(dims: ScanDims, seed: number, aMin = -3) {
  const rnd = mulberry32(seed);
  const f = (n: number, lo: number, hi: number) =>
    Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());
  const { batch, seqLen, dInner, dState } = dims;
  const BLD = batch * seqLen * dInner;
  return {
    x: f(BLD, -1, 1),
    delta: f(BLD, 0.01, 1),
    A: f(dInner * dState, aMin, -0.05),
    B: f(batch * seqLen * dState, -1, 1),
    C: f(batch * seqLen * dState, -1, 1),
    dy: f(BLD, -1, 1),
  };
}

describe('WebAssembly SIMD scan core', () => {
  const wasm = createWasmScanCore(JS_SCAN_CORE);

  it('embeds exactly the committed wasm/selective_scan.wasm (rebuild with scripts/build_scan_wasm.sh)', () => {
    const committed = readFileSync(new URL('../../wasm/selective_scan.wasm', import.meta.url));
    expect(Buffer.from(SCAN_WASM_BASE64, 'base64').equals(committed)).toBe(true);
  });

  it('compiles on this runtime and is the active core', () => {
    expect(wasm?.name).toBe('wasm-simd');
    expect(activeScanCore().name).toBe('wasm-simd');
  });

  for (const dims of [
    { batch: 2, seqLen: 7, dInner: 5, dState: 16 },
    { batch: 1, seqLen: 11, dInner: 3, dState: 5 },
    { batch: 3, seqLen: 4, dInner: 2, dState: 1 },
  ]) {
    it(`matches the JS loops forward and backward at ${JSON.stringify(dims)}`, () => {
      if (wasm === undefined) throw new Error('no wasm core');
      for (const aMin of [-3, -80]) {
        const a = arrays(dims, dims.dState + dims.seqLen, aMin);
        const yw = wasm.forward(dims, a.x, a.delta, a.A, a.B, a.C);
        const yj = JS_SCAN_CORE.forward(dims, a.x, a.delta, a.A, a.B, a.C);
        expectTensorsClose(yw, yj, { rtol: 1e-5, atol: 1e-6, label: 'y' });
        const gw = wasm.backward(dims, a.x, a.delta, a.A, a.B, a.C, a.dy);
        const gj = JS_SCAN_CORE.backward(dims, a.x, a.delta, a.A, a.B, a.C, a.dy);
        for (const k of ['dx', 'ddelta', 'dA', 'dB', 'dC'] as const) {
          expectTensorsClose(gw[k], gj[k], { rtol: 1e-4, atol: 1e-5, label: `${k} (A ≥ ${aMin})` });
        }
      }
    });
  }

  it('does not depend on what an earlier, larger call left in memory', () => {
    if (wasm === undefined) throw new Error('no wasm core');
    const small = { batch: 1, seqLen: 3, dInner: 2, dState: 4 };
    const a = arrays(small, 3);
    const first = wasm.backward(small, a.x, a.delta, a.A, a.B, a.C, a.dy);
    const big = { batch: 2, seqLen: 20, dInner: 8, dState: 8 };
    const b = arrays(big, 4);
    wasm.backward(big, b.x, b.delta, b.A, b.B, b.C, b.dy);
    const again = wasm.backward(small, a.x, a.delta, a.A, a.B, a.C, a.dy);
    expectTensorsClose(again.dA, first.dA, { rtol: 0, atol: 0, label: 'dA' });
    expectTensorsClose(again.dB, first.dB, { rtol: 0, atol: 0, label: 'dB' });
  });
});
