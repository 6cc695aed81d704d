import { describeWithBackends, expectTensorsClose } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRng } from '../rng/seeded_rng.js';
import { batchGrams } from './feature_grams.js';

/** Σ_i M_iᵀM_i with M_i = Δ_iᵀX_i, straight from the definition in float64 (spec §3.2). */
function bGramByDefinition(
  x: Float32Array,
  delta: Float32Array,
  b: number,
  L: number,
  D: number,
): Float64Array {
  const g = new Float64Array(D * D);
  const M = new Float64Array(D * D);
  for (let i = 0; i < b; i++) {
    M.fill(0);
    for (let t = 0; t < L; t++) {
      const o = (i * L + t) * D;
      for (let d = 0; d < D; d++) {
        const dd = delta[o + d];
        for (let e = 0; e < D; e++) M[d * D + e] += dd * x[o + e];
      }
    }
    for (let d = 0; d < D; d++)
      for (let e = 0; e < D; e++) {
        let s = 0;
        for (let r = 0; r < D; r++) s += M[r * D + d] * M[r * D + e];
        g[d * D + e] += s;
      }
  }
  return g;
}

function randomTap(b: number, L: number, D: number, seed: number, deltaScale: number, xScale: number) {
  const rng = new SeededRng(seed);
  const x = new Float32Array(b * L * D).map(() => xScale * (rng.next() * 2 - 1));
  // Δ after softplus is positive; skew it so rows are far from orthogonal.
  const delta = new Float32Array(b * L * D).map(() => deltaScale * (0.05 + rng.next() ** 3));
  return { x, delta };
}

describeWithBackends('batchGrams W_B', () => {
  for (const [deltaScale, xScale] of [
    [1, 1],
    [30, 0.01],
    [0.001, 50],
  ]) {
    it(`low-rank and explicit forms equal the definition (|Δ|~${deltaScale}, |x|~${xScale})`, () => {
      const [b, L, D] = [3, 7, 12];
      const { x, delta } = randomTap(b, L, D, 11, deltaScale, xScale);
      const want = bGramByDefinition(x, delta, b, L, D);
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const tap = {
        x: tf.tensor3d(x, [b, L, D]),
        delta: tf.tensor3d(delta, [b, L, D]),
        y: tf.tensor3d(x, [b, L, D]),
      };
      const before = tf.memory().numTensors;
      for (const method of ['lowrank', 'explicit'] as const) {
        const got = batchGrams(tap, ['B'], 2, method).get('B')!;
        expect(got.rows).toBe(b * D);
        expectTensorsClose(got.gram, want, { rtol: 0, atol: 2e-6 * scale, label: `${method} W_B Gram` });
        // float32 products (kernel 'matmul'): the same Gram to float32 rounding, exactly symmetric
        const fast = batchGrams(tap, ['B'], 2, method, 'matmul').get('B')!;
        expect(fast.rows).toBe(b * D);
        expectTensorsClose(fast.gram, want, {
          rtol: 0,
          atol: 1e-5 * scale,
          label: `${method} W_B Gram, matmul`,
        });
        for (let i = 0; i < D; i++)
          for (let j = 0; j < i; j++) expect(fast.gram[i * D + j]).toBe(fast.gram[j * D + i]);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([tap.x, tap.delta, tap.y]);
    });
  }
});

describeWithBackends('batchGrams x, Δ, y', () => {
  for (const [b, L, D] of [
    [4, 37, 20],
    [2, 9, 600], // two column panels (512 + 88)
  ]) {
    it(`kernel 'matmul' (float32 matMulNT on the transposes) equals the float64 definition to float32 rounding (D = ${D})`, () => {
      const { x, delta } = randomTap(b, L, D, 5, 1, 1);
      const y = x.map((v, i) => v * delta[i] - 0.1);
      const tap = {
        x: tf.tensor3d(x, [b, L, D]),
        delta: tf.tensor3d(delta, [b, L, D]),
        y: tf.tensor3d(y, [b, L, D]),
      };
      const before = tf.memory().numTensors;
      const exact = batchGrams(tap, ['x', 'A', 'out', 'B']);
      const fast = batchGrams(tap, ['x', 'A', 'out', 'B'], 8, 'lowrank', 'matmul');
      // W_B: the symmetric product over feature panels against the float64 low-rank form
      const eb = exact.get('B')!.gram;
      const fb = fast.get('B')!.gram;
      let maxB = 0;
      for (let i = 0; i < D; i++) maxB = Math.max(maxB, eb[i * D + i]);
      expectTensorsClose(fb, eb, { rtol: 0, atol: 1e-5 * maxB, label: 'B matmul' });
      for (let i = 0; i < D; i += 7) for (let j = 0; j < i; j++) expect(fb[i * D + j]).toBe(fb[j * D + i]);
      for (const [src, data] of [
        ['x', x],
        ['A', delta],
        ['out', y],
      ] as const) {
        const want = new Float64Array(D * D);
        for (let r = 0; r < b * L; r++)
          for (let i = 0; i < D; i++)
            for (let j = 0; j < D; j++) want[i * D + j] += data[r * D + i] * data[r * D + j];
        let maxDiag = 0;
        for (let i = 0; i < D; i++) maxDiag = Math.max(maxDiag, want[i * D + i]);
        expect(fast.get(src)!.rows).toBe(b * L);
        expectTensorsClose(exact.get(src)!.gram, want, {
          rtol: 0,
          atol: 1e-12 * maxDiag,
          label: `${src} exact`,
        });
        expectTensorsClose(fast.get(src)!.gram, want, {
          rtol: 0,
          atol: 1e-5 * maxDiag,
          label: `${src} matmul`,
        });
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([tap.x, tap.delta, tap.y]);
    });
  }
});
