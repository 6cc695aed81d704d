import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { groupRmsNorm } from '../layers/group_rms_norm.js';
import { linear } from '../layers/linear.js';
import { ropeRotate } from '../layers/rope_rotate.js';
import { SeededRandom } from '../model/seeded_random.js';
import { referenceScanCore } from '../scan/reference_scan.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { type FusedSsmOptions, fusedSsm, fusedSsmSupported } from './fused_ssm.js';

/** The same computation from plain tfjs ops and the reference (loop) scan: the slow oracle. */
function slowSsm(
  x: tf.Tensor2D,
  xdbl: tf.Tensor2D,
  z: tf.Tensor2D,
  dtW: tf.Tensor2D,
  dtB: tf.Tensor1D,
  ALog: tf.Tensor2D,
  D: tf.Tensor1D,
  freq: tf.Tensor1D,
  o: FusedSsmOptions,
): tf.Tensor2D {
  const [rows, dI] = x.shape;
  const [, R] = dtW.shape;
  const n = ALog.shape[1];
  const r = tf.slice(xdbl, [0, 0], [rows, R]) as tf.Tensor2D;
  let bc = tf.reshape(tf.slice(xdbl, [0, R], [rows, 2 * n]), [o.batch, o.seqLen, 2 * n]) as tf.Tensor3D;
  if (o.useRope) bc = ropeRotate(bc, tf.concat([freq, freq]) as tf.Tensor1D, o.ropeScale);
  const B = tf.slice(bc, [0, 0, 0], [o.batch, o.seqLen, n]) as tf.Tensor3D;
  const C = tf.slice(bc, [0, 0, n], [o.batch, o.seqLen, n]) as tf.Tensor3D;
  const delta = tf.div(tf.softplus(linear(r, dtW, dtB)), o.deltaScale);
  const s = referenceScanCore(
    tf.reshape(x, [o.batch, o.seqLen, dI]) as tf.Tensor3D,
    tf.reshape(delta, [o.batch, o.seqLen, dI]) as tf.Tensor3D,
    tf.neg(tf.exp(ALog)) as tf.Tensor2D,
    B,
    C,
  );
  const sHat = groupRmsNorm(tf.reshape(s, [rows, dI]), o.groupNormSize, o.eps);
  return tf.mul(tf.add(sHat, tf.mul(x, D)), tf.mul(z, tf.sigmoid(z))) as tf.Tensor2D;
}

describeWithBackends('fusedSsm', () => {
  const cases = [
    // both sides round in float32; over 48 steps with |Δ·A| up to ~80 and the norm's 1/rms factor the
    // gradients of b and c drift apart by up to ~4e-4 relative, and d/dfreq (a cancelling sum of
    // (t/scale)-weighted terms over all tokens) by up to ~2.5e-3: the reference itself gives
    // -12.052 on cpu and -12.076 on wasm for one element where the kernel gives -12.047 on both
    {
      label: 'N 16, RoPE, long sequence, large |Δ·A|',
      dims: [2, 48, 8, 3, 16],
      G: 4,
      bias: 1.5,
      rope: true,
      tol: 1e-3,
    },
    {
      label: 'N 5 (padded lanes), no RoPE, dtRank 1',
      dims: [3, 6, 12, 1, 5],
      G: 12,
      bias: -1,
      rope: false,
      tol: 1e-4,
    },
    {
      label: 'N 6, RoPE, deltaScale 3, ropeScale 0.5',
      dims: [1, 9, 8, 2, 6],
      G: 8,
      bias: 0,
      rope: true,
      tol: 1e-4,
    },
  ] as const;
  for (const c of cases) {
    it(`equals the op-by-op reference in values, Δ and the gradients of all 8 inputs (${c.label})`, () => {
      const [batch, seqLen, dI, R, n] = c.dims;
      const rng = new SeededRandom(31);
      const rows = batch * seqLen;
      const opts: FusedSsmOptions = {
        batch,
        seqLen,
        groupNormSize: c.G,
        eps: 1e-6,
        deltaScale: c.label.includes('deltaScale') ? 3 : 1,
        ropeScale: c.label.includes('ropeScale') ? 0.5 : 1,
        useRope: c.rope,
      };
      const t = (shape: number[], std: number, mean = 0) =>
        tf.add(
          tf.tensor(
            rng.normalArray(
              shape.reduce((a, b) => a * b, 1),
              std,
            ),
            shape,
          ),
          mean,
        );
      const inputs = [
        t([rows, dI], 1), // x
        t([rows, R + 2 * n], 0.7), // xdbl
        t([rows, dI], 1), // z
        t([dI, R], 0.5), // dt_proj.weight
        t([dI], 0.3, c.bias), // dt_proj.bias (Δ up to ~5 with the first case: |Δ·A| up to ~80)
        tf.log(tf.add(tf.tile(tf.reshape(tf.range(1, n + 1), [1, n]), [dI, 1]), tf.abs(t([dI, n], 0.1, 0)))), // A_log
        t([dI], 1), // D
        tf.tensor1d(rng.uniformArray(n, 0, 1)), // freq
      ] as tf.Tensor[];
      const [x, xdbl, z, dtW, dtB, ALog, D, freq] = inputs;
      const fast = (...a: tf.Tensor[]) =>
        fusedSsm(
          a[0] as tf.Tensor2D,
          a[1] as tf.Tensor2D,
          a[2] as tf.Tensor2D,
          {
            dtProjWeight: a[3] as tf.Tensor2D,
            dtProjBias: a[4] as tf.Tensor1D,
            ALog: a[5] as tf.Tensor2D,
            D: a[6] as tf.Tensor1D,
            freq: a[7] as tf.Tensor1D,
          },
          opts,
        ).y;
      const slow = (...a: tf.Tensor[]) =>
        slowSsm(
          a[0] as tf.Tensor2D,
          a[1] as tf.Tensor2D,
          a[2] as tf.Tensor2D,
          a[3] as tf.Tensor2D,
          a[4] as tf.Tensor1D,
          a[5] as tf.Tensor2D,
          a[6] as tf.Tensor1D,
          a[7] as tf.Tensor1D,
          opts,
        );
      expect(fusedSsmSupported(dI, R, n, c.G, c.rope)).toBe(true);
      const { y, delta } = fusedSsm(
        x as tf.Tensor2D,
        xdbl as tf.Tensor2D,
        z as tf.Tensor2D,
        {
          dtProjWeight: dtW as tf.Tensor2D,
          dtProjBias: dtB as tf.Tensor1D,
          ALog: ALog as tf.Tensor2D,
          D: D as tf.Tensor1D,
          freq: freq as tf.Tensor1D,
        },
        opts,
      );
      expectTensorsClose(y, slow(...inputs), { rtol: 2e-5, atol: 2e-5, label: 'y' });
      const wantDelta = tf.div(
        tf.softplus(
          linear(tf.slice(xdbl, [0, 0], [rows, R]) as tf.Tensor2D, dtW as tf.Tensor2D, dtB as tf.Tensor1D),
        ),
        opts.deltaScale,
      );
      expectTensorsClose(delta, wantDelta, { rtol: 1e-6, atol: 1e-6, label: 'delta' });
      // loss with a non-trivial upstream gradient
      const w = t([rows, dI], 1);
      const loss =
        (f: (...a: tf.Tensor[]) => tf.Tensor) =>
        (...a: tf.Tensor[]) =>
          tf.sum(tf.mul(f(...a), w));
      const gFast = tf.grads(loss(fast))(inputs);
      const k = c.rope ? 8 : 7; // without RoPE the reference never reads freq
      const gSlow = tf.grads((...a: tf.Tensor[]) => loss(slow)(...a, ...inputs.slice(k)))(inputs.slice(0, k));
      const names = ['x', 'xdbl', 'z', 'dt_proj.weight', 'dt_proj.bias', 'A_log', 'D', 'freq'];
      for (let i = 0; i < k; i++)
        expectTensorsClose(gFast[i], gSlow[i], {
          rtol: i === 7 ? 5 * c.tol : c.tol,
          atol: c.tol,
          label: `d/d${names[i]}`,
        });
      if (!c.rope) expect(tf.max(tf.abs(gFast[7])).dataSync()[0]).toBe(0); // freq unused without RoPE
      tf.dispose([...inputs, y, delta, wantDelta, w, ...gFast, ...gSlow]);
    });
  }

  it('matches central finite differences on a tiny problem', () => {
    const rng = new SeededRandom(5);
    const opts: FusedSsmOptions = {
      batch: 1,
      seqLen: 3,
      groupNormSize: 4,
      eps: 1e-6,
      deltaScale: 1,
      ropeScale: 1,
      useRope: true,
    };
    const dI = 4;
    const n = 2;
    const R = 1;
    const base = {
      x: rng.normalArray(3 * dI),
      xdbl: rng.normalArray(3 * (R + 2 * n)),
      z: rng.normalArray(3 * dI),
      A: Array.from({ length: dI * n }, (_, i) => Math.log(1 + (i % n))),
    };
    const run = (xv: Float32Array | number[], al: Float32Array | number[]) =>
      tf.tidy(
        () =>
          tf
            .sum(
              tf.mul(
                fusedSsm(
                  tf.tensor2d(xv, [3, dI]),
                  tf.tensor2d(base.xdbl, [3, R + 2 * n]),
                  tf.tensor2d(base.z, [3, dI]),
                  {
                    dtProjWeight: tf.fill([dI, R], 0.5) as tf.Tensor2D,
                    dtProjBias: tf.fill([dI], 0.2) as tf.Tensor1D,
                    ALog: tf.tensor2d(al, [dI, n]),
                    D: tf.fill([dI], 0.7) as tf.Tensor1D,
                    freq: tf.tensor1d([0.3, 0.9]),
                  },
                  opts,
                ).y,
                tf.reshape(tf.linspace(-1, 1, 3 * dI), [3, dI]),
              ),
            )
            .dataSync()[0],
      );
    const [gx, ga] = tf.grads((xv: tf.Tensor, al: tf.Tensor) =>
      tf.sum(
        tf.mul(
          fusedSsm(
            xv as tf.Tensor2D,
            tf.tensor2d(base.xdbl, [3, R + 2 * n]),
            tf.tensor2d(base.z, [3, dI]),
            {
              dtProjWeight: tf.fill([dI, R], 0.5) as tf.Tensor2D,
              dtProjBias: tf.fill([dI], 0.2) as tf.Tensor1D,
              ALog: al as tf.Tensor2D,
              D: tf.fill([dI], 0.7) as tf.Tensor1D,
              freq: tf.tensor1d([0.3, 0.9]),
            },
            opts,
          ).y,
          tf.reshape(tf.linspace(-1, 1, 3 * dI), [3, dI]),
        ),
      ),
    )([tf.tensor2d(base.x, [3, dI]), tf.tensor2d(base.A, [dI, n])]);
    const h = 1e-2;
    const gxv = gx.dataSync();
    const gav = ga.dataSync();
    for (const i of [0, 5, 11]) {
      const p = Float32Array.from(base.x);
      const m = Float32Array.from(base.x);
      p[i] += h;
      m[i] -= h;
      expect(gxv[i]).toBeCloseTo((run(p, base.A) - run(m, base.A)) / (2 * h), 2);
    }
    for (const i of [1, 6]) {
      const p = Float32Array.from(base.A);
      const m = Float32Array.from(base.A);
      p[i] += h;
      m[i] -= h;
      expect(gav[i]).toBeCloseTo((run(base.x, p) - run(base.x, m)) / (2 * h), 2);
    }
    tf.dispose([gx, ga]);
  });

  it('refuses sizes it does not handle and leaks no tensors', () => {
    expect(fusedSsmSupported(6, 2, 4, 3, true)).toBe(false); // dInner not a multiple of 4
    expect(fusedSsmSupported(8, 2, 5, 4, true)).toBe(false); // odd N with RoPE
    expect(fusedSsmSupported(8, 65, 4, 4, false)).toBe(false); // dtRank > 64
    const before = tf.memory().numTensors;
    const opts: FusedSsmOptions = {
      batch: 1,
      seqLen: 2,
      groupNormSize: 4,
      eps: 1e-6,
      deltaScale: 1,
      ropeScale: 1,
      useRope: true,
    };
    const p = {
      dtProjWeight: tf.ones([4, 1]) as tf.Tensor2D,
      dtProjBias: tf.zeros([4]) as tf.Tensor1D,
      ALog: tf.zeros([4, 2]) as tf.Tensor2D,
      D: tf.ones([4]) as tf.Tensor1D,
      freq: tf.ones([2]) as tf.Tensor1D,
    };
    const x = tf.ones([2, 4]) as tf.Tensor2D;
    const g = tf.grads((a: tf.Tensor) =>
      tf.sum(fusedSsm(a as tf.Tensor2D, tf.ones([2, 5]) as tf.Tensor2D, x, p, opts).y),
    )([x]);
    tf.dispose([...g, x, ...Object.values(p)]);
    expect(tf.memory().numTensors).toBe(before);
    const bad = tf.ones([2, 6]) as tf.Tensor2D;
    expect(() => fusedSsm(tf.ones([2, 6]) as tf.Tensor2D, bad, bad, p, opts)).toThrow(
      /not available|do not match/,
    );
  });
});
