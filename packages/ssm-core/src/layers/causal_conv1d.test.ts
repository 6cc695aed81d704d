import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsCloseAsync } from '../testing.js';
import { causalConv1d } from './causal_conv1d.js';

describeWithBackends(
  'causalConv1d',
  () => {
    it('matches the causal depthwise sum in value and gradients (x, weight, bias)', async () => {
      const [B, L, D, K] = [2, 6, 3, 4];
      const rng = new SeededRandom(3);
      const x = rng.normalArray(B * L * D);
      const w = rng.normalArray(D * K);
      const b = rng.normalArray(D);
      const r = rng.normalArray(B * L * D);
      const at = (bb: number, t: number, d: number) => (t < 0 ? 0 : x[(bb * L + t) * D + d]);
      const y = new Float64Array(B * L * D);
      const dx = new Float64Array(B * L * D);
      const dw = new Float64Array(D * K);
      const db = new Float64Array(D);
      for (let bb = 0; bb < B; bb++)
        for (let t = 0; t < L; t++)
          for (let d = 0; d < D; d++) {
            const o = (bb * L + t) * D + d;
            let s = b[d];
            for (let k = 0; k < K; k++) {
              s += w[d * K + k] * at(bb, t - K + 1 + k, d);
              dw[d * K + k] += r[o] * at(bb, t - K + 1 + k, d);
              const src = t - K + 1 + k;
              if (src >= 0) dx[(bb * L + src) * D + d] += r[o] * w[d * K + k];
            }
            y[o] = s;
            db[d] += r[o];
          }
      const xt = tf.tensor3d(x, [B, L, D]);
      const wt = tf.tensor3d(w, [D, 1, K]);
      const bt = tf.tensor1d(b);
      const rt = tf.tensor3d(r, [B, L, D]);
      await expectTensorsCloseAsync(causalConv1d(xt, wt, bt), tf.tensor3d(Float32Array.from(y), [B, L, D]), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      const g = tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(causalConv1d(a as tf.Tensor3D, ww as tf.Tensor3D, bb as tf.Tensor1D), rt)),
      )([xt, wt, bt]);
      await expectTensorsCloseAsync(g[0], tf.tensor3d(Float32Array.from(dx), [B, L, D]), {
        rtol: 1e-4,
        atol: 1e-4,
      });
      await expectTensorsCloseAsync(g[1], tf.tensor3d(Float32Array.from(dw), [D, 1, K]), {
        rtol: 1e-4,
        atol: 1e-4,
      });
      await expectTensorsCloseAsync(g[2], tf.tensor1d(Float32Array.from(db)), { rtol: 1e-4, atol: 1e-4 });
      tf.dispose([xt, wt, bt, rt, ...g]);
    });
  },
  { webgpu: true },
);
