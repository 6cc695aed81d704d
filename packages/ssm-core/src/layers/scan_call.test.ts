import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { callScan } from './scan_call.js';

describeWithBackends('callScan', () => {
  it('is the bare recurrence s_t = C_t·h_t (no D, z, bias or softplus), equal across implementations', () => {
    const rng = new SeededRandom(32);
    const [B, L, D, N] = [1, 3, 2, 2];
    const x = tf.tensor3d(rng.normalArray(B * L * D), [B, L, D]);
    const delta = tf.tensor3d(rng.uniformArray(B * L * D, 0.1, 0.5), [B, L, D]);
    const A = tf.tensor2d(rng.uniformArray(D * N, -2, -0.5), [D, N]);
    const Bm = tf.tensor3d(rng.normalArray(B * L * N), [B, L, N]);
    const Cm = tf.tensor3d(rng.normalArray(B * L * N), [B, L, N]);
    const [xs, ds, as, bs, cs] = [x, delta, A, Bm, Cm].map((t) => t.arraySync()) as any[];
    const expected: number[][][] = [[]];
    const h = [
      [0, 0],
      [0, 0],
    ];
    for (let t = 0; t < L; t++) {
      const row: number[] = [];
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let n = 0; n < N; n++) {
          h[d][n] = Math.exp(ds[0][t][d] * as[d][n]) * h[d][n] + ds[0][t][d] * bs[0][t][n] * xs[0][t][d];
          s += cs[0][t][n] * h[d][n];
        }
        row.push(s);
      }
      expected[0].push(row);
    }
    expectTensorsClose(callScan(x, delta, A, Bm, Cm), tf.tensor3d(expected), { rtol: 1e-5, atol: 1e-6 });
    expectTensorsClose(callScan(x, delta, A, Bm, Cm, 'reference'), tf.tensor3d(expected), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  });
});
