import { selectBackend } from '@mamba-cl/ssm-core';
import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRng } from '../rng/seeded_rng.js';
import { deferBatchGrams, readBatchGrams } from './deferred_grams.js';
import { type BGramMethod, batchGrams, type GramKernel, type GramSource } from './feature_grams.js';

const SOURCES: GramSource[] = ['x', 'B', 'A', 'out'];

function tapOf(b: number, L: number, D: number, seed: number) {
  const rng = new SeededRng(seed);
  const make = (pos: boolean) =>
    tf.tensor3d(
      new Float32Array(b * L * D).map(() => (pos ? 0.05 + rng.next() ** 3 : rng.next() * 2 - 1)),
      [b, L, D],
    );
  return { x: make(false), delta: make(true), y: make(false) };
}

/** Largest entry-wise difference over the largest diagonal entry of the reference. */
function relToDiag(a: Float64Array, ref: Float64Array, D: number): number {
  let diag = 0;
  for (let d = 0; d < D; d++) diag = Math.max(diag, Math.abs(ref[d * D + d]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - ref[i]));
  return worst / diag;
}

describeWithBackends(
  'deferBatchGrams + readBatchGrams',
  (backend) => {
    for (const bGram of ['lowrank', 'explicit'] as BGramMethod[]) {
      for (const kernel of ['exact', 'matmul'] as GramKernel[]) {
        it(`equal batchGrams of the cpu backend (bGram ${bGram}, kernel ${kernel}), leaking nothing`, async () => {
          const [b, L, D] = [3, 5, 12];
          const before = tf.memory().numTensors;
          const tap = tapOf(b, L, D, 21);
          // the reference: batchGrams on the host's copy (cpu backend, float64 'exact' kernel)
          const host = { x: await tap.x.data(), delta: await tap.delta.data(), y: await tap.y.data() };
          const pending = deferBatchGrams(tap, SOURCES, 2, bGram, kernel);
          tf.dispose([tap.x, tap.delta, tap.y]); // the pending Grams outlive the taps
          const got = await readBatchGrams(pending);
          expect(tf.memory().numTensors).toBe(before);
          await selectBackend('cpu');
          const hostTap = {
            x: tf.tensor3d(host.x as Float32Array, [b, L, D]),
            delta: tf.tensor3d(host.delta as Float32Array, [b, L, D]),
            y: tf.tensor3d(host.y as Float32Array, [b, L, D]),
          };
          const ref = batchGrams(hostTap, SOURCES, 2, bGram, 'exact');
          tf.dispose([hostTap.x, hostTap.delta, hostTap.y]);
          await selectBackend(backend);
          for (const s of SOURCES) {
            const g = got.get(s);
            const r = ref.get(s);
            expect(g?.rows, s).toBe(r?.rows);
            const rel = relToDiag(g?.gram as Float64Array, r?.gram as Float64Array, D);
            expect(rel, s).toBeLessThan(1e-5); // measured ≤ 2e-7 on cpu, wasm and webgpu (lavapipe)
          }
        });
      }
    }
  },
  { webgpu: true },
);
