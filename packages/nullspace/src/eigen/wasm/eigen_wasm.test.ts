import { describe, expect, it } from 'vitest';
import { mulberry32, randn, randomSymmetric } from '../../internal/random.js';
import { applyQ, buildReflectorBlock, packReflectorPanel } from '../back_transform.js';
import { secularJs } from '../tridiagonal_dc.js';
import { tridiagonalize } from '../tridiagonalize.js';
import { applyQWasm, eigenKernels, eigenKernelsError, secularWasm } from './eigen_wasm.js';

const kernels = eigenKernels();

describe.skipIf(kernels === null)(
  `the wasm back-transform${kernels ? '' : ` (skipped: ${eigenKernelsError()})`}`,
  () => {
    const rng = mulberry32(3);
    const n = 300; // above the order from which helper threads are used
    const tri = tridiagonalize(randomSymmetric(n, rng), n);

    it('forms each block factor T with the bits of the TypeScript one', () => {
      const k = kernels!;
      const NB = 32;
      const js = { vp: new Float64Array(NB * n), T: new Float64Array(NB * NB), tmp: new Float64Array(NB) };
      for (const b0 of [0, 128, 288]) {
        const nb = Math.min(NB, n - 1 - b0);
        buildReflectorBlock(tri.reflectors, tri.tau, n, b0, nb, js.vp, js.T, js.tmp, NB);
        // the module's memory past its own data: vp | τ | T | vt | G
        const base = 1114112 / 8;
        const need = (base + NB * n * 2 + NB + 2 * NB * NB) * 8;
        if (k.memory.buffer.byteLength < need)
          k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
        const mem = new Float64Array(k.memory.buffer);
        const [ov, otau, oT, ovt, oG] = [
          base,
          base + NB * n,
          base + NB * n + NB,
          base + NB * n + NB + NB * NB,
          base + 2 * NB * n + NB + NB * NB,
        ];
        packReflectorPanel(tri.reflectors, n, b0, nb, mem.subarray(ov, ov + NB * n));
        mem.set(tri.tau.subarray(b0, b0 + nb), otau);
        k.reflector_t(ov * 8, otau * 8, oT * 8, ovt * 8, oG * 8, n, nb, b0);
        expect(Array.from(mem.subarray(oT, oT + NB * NB))).toEqual(Array.from(js.T));
        for (let i = b0 + 1; i < n; i++)
          for (let p = 0; p < nb; p++) expect(mem[ovt + i * nb + p]).toBe(js.vp[p * n + i]);
      }
    });

    it('agrees with applyQ on any column count, and gives the same bits on 1 and 2 threads', () => {
      for (const k of [1, 7, 9, 31, 37, 300]) {
        const z = Float64Array.from({ length: n * k }, () => randn(rng));
        const ref = z.slice();
        applyQ(tri, ref, k);
        const one = z.slice();
        applyQWasm(kernels!, tri, one, k, 1);
        const two = z.slice();
        applyQWasm(kernels!, tri, two, k, 2);
        let diff = 0;
        let big = 0;
        for (let i = 0; i < n * k; i++) {
          diff = Math.max(diff, Math.abs(one[i] - ref[i]));
          big = Math.max(big, Math.abs(ref[i]));
        }
        expect(diff / big).toBeLessThan(1e-13);
        expect(Array.from(two)).toEqual(Array.from(one));
      }
    });
  },
);

describe.skipIf(kernels === null)(
  `the wasm secular equation${kernels ? '' : ` (skipped: ${eigenKernelsError()})`}`,
  () => {
    const rng = mulberry32(17);

    it('gives the bits of the TypeScript solver, on 1 and 2 threads', () => {
      const cases: [Float64Array, Float64Array, number][] = [];
      for (const K of [1, 2, 3, 50, 300]) {
        const dl = Float64Array.from({ length: K }, () => randn(rng)).sort();
        const z = Float64Array.from({ length: K }, () => randn(rng));
        const zn = Math.hypot(...z);
        cases.push([dl, z.map((x) => x / zn), 0.5 + Math.abs(randn(rng))]);
      }
      // clustered poles (1e-9 apart) and weights from 1e-8 to 1, as in the merges of a covariance
      const K = 240;
      const dl = Float64Array.from({ length: K }, (_, i) => Math.floor(i / 6) + (i % 6) * 1e-9);
      const z = Float64Array.from({ length: K }, (_, i) => 10 ** -(i % 9) * (i % 2 ? -1 : 1));
      const zn = Math.hypot(...z);
      for (const rho of [1e-6, 1, 1e4]) cases.push([dl, z.map((x) => x / zn), rho]);
      for (const [dl, z, rho] of cases) {
        const K = dl.length;
        const ref = { lambda: new Float64Array(K), u: new Float64Array(K * K) };
        secularJs(dl, z, rho, ref.lambda, ref.u, new Float64Array(K));
        for (const threads of [1, 2]) {
          const lambda = new Float64Array(K);
          const u = new Float64Array(K * K);
          secularWasm(kernels!, dl, z, rho, lambda, u, threads);
          expect(Array.from(lambda)).toEqual(Array.from(ref.lambda));
          expect(Array.from(u)).toEqual(Array.from(ref.u));
        }
      }
    });
  },
);
