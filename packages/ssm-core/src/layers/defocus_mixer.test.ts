import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { SeededRandom } from '../model/seeded_random.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import { type DefocusMixerParams, defocusMixer } from './defocus_mixer.js';
import { linear } from './linear.js';

function randomParams(rng: SeededRandom, dM: number, dI: number, n: number, r: number): DefocusMixerParams {
  const t = (shape: number[], std: number) =>
    tf.tensor(
      rng.normalArray(
        shape.reduce((a, b) => a * b, 1),
        std,
      ),
      shape,
    );
  return {
    inProj: t([2 * dI, dM], 0.5) as tf.Tensor2D,
    convWeight: t([dI, 1, 4], 0.5) as tf.Tensor3D,
    convBias: t([dI], 0.1) as tf.Tensor1D,
    xProjStep: t([r, dI], 0.3) as tf.Tensor2D,
    xProjB: t([n, dI], 0.3) as tf.Tensor2D,
    xProjC: t([n, dI], 0.3) as tf.Tensor2D,
    dtProjWeight: t([dI, r], 0.3) as tf.Tensor2D,
    dtProjBias: tf.fill([dI], -2) as tf.Tensor1D,
    ALog: tf.log(tf.tile(tf.reshape(tf.range(1, n + 1), [1, n]), [dI, 1])) as tf.Tensor2D,
    D: t([dI], 1) as tf.Tensor1D,
    outProj: t([dM, dI], 0.3) as tf.Tensor2D,
    freq: tf.tensor1d(rng.uniformArray(n, 0, 1)),
  };
}

describeWithBackends('defocusMixer', () => {
  const opts = { groupNormSize: 4, useRope: true, deltaScale: 1, ropeScale: 1 };

  it('is causal, and its y tap is the input of out_proj', () => {
    const rng = new SeededRandom(12);
    const [B, L, dM, dI, n, r] = [2, 5, 6, 8, 4, 2];
    const p = randomParams(rng, dM, dI, n, r);
    const u = tf.tensor3d(rng.normalArray(B * L * dM), [B, L, dM]);
    const { out, taps } = defocusMixer(u, p, opts, true);
    expect(out.shape).toEqual([B, L, dM]);
    expect(taps!.x.shape).toEqual([B, L, dI]);
    expect(taps!.delta.shape).toEqual([B, L, dI]);
    expect(Math.min(...taps!.delta.dataSync())).toBeGreaterThan(0); // softplus output
    expectTensorsClose(linear(taps!.y, p.outProj), out, { rtol: 1e-5, atol: 1e-5 });
    // changing the last token leaves every earlier output unchanged
    const u2 = tf.concat([tf.slice(u, [0, 0, 0], [B, L - 1, dM]), tf.ones([B, 1, dM])], 1) as tf.Tensor3D;
    const out2 = defocusMixer(u2, p, opts).out;
    expectTensorsClose(tf.slice(out2, [0, 0, 0], [B, L - 1, dM]), tf.slice(out, [0, 0, 0], [B, L - 1, dM]), {
      rtol: 1e-6,
      atol: 1e-6,
    });
    expect(tf.max(tf.abs(tf.sub(out2, out))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([u, u2, out, out2, taps!.x, taps!.delta, taps!.y, ...Object.values(p)]);
  });

  const fusedCases = [
    {
      label: 'N 4, RoPE',
      dims: [2, 5, 6, 8, 4, 2],
      opts: { groupNormSize: 4, useRope: true, deltaScale: 1, ropeScale: 1 },
      tol: 1e-4,
    },
    {
      // 40 tokens: float32 rounding of the two paths drifts apart in the gradients that sum over all
      // tokens (freq: up to 5e-4 relative; the conv weight: 1.3e-4 absolute) — see fused_ssm.test.ts
      label: 'N 6 (padded lanes), dtRank 3, deltaScale 2, ropeScale 3, group 8, long sequence',
      dims: [2, 40, 6, 16, 6, 3],
      opts: { groupNormSize: 8, useRope: true, deltaScale: 2, ropeScale: 3 },
      tol: 1e-3,
    },
    {
      label: 'no RoPE, N 5',
      dims: [1, 7, 4, 8, 5, 1],
      opts: { groupNormSize: 4, useRope: false, deltaScale: 1, ropeScale: 1 },
      tol: 1e-4,
    },
  ] as const;
  for (const c of fusedCases) {
    it(`fused kernel matches the op-by-op path in values, taps and every gradient (${c.label})`, () => {
      const rng = new SeededRandom(14);
      const [B, L, dM, dI, n, r] = c.dims;
      const p = randomParams(rng, dM, dI, n, r);
      const u = tf.tensor3d(rng.normalArray(B * L * dM), [B, L, dM]);
      // without RoPE the op path never reads freq (no gradient to compare)
      const names = (Object.keys(p) as (keyof DefocusMixerParams)[]).filter(
        (k) => c.opts.useRope || k !== 'freq',
      );
      const run = (fused: boolean) =>
        tf.grads((uu: tf.Tensor, ...ts: tf.Tensor[]) => {
          const q = { ...p } as Record<string, tf.Tensor>;
          names.forEach((k, i) => {
            q[k] = ts[i];
          });
          const { out } = defocusMixer(uu as tf.Tensor3D, q as unknown as DefocusMixerParams, {
            ...c.opts,
            fused,
          });
          return tf.sum(tf.mul(out, tf.sin(out)));
        })([u, ...names.map((k) => p[k])]);
      const a = run(true);
      const b = run(false);
      expectTensorsClose(a[0], b[0], { rtol: 1e-4, atol: 1e-4, label: 'd/du' });
      names.forEach((k, i) => {
        expectTensorsClose(a[i + 1], b[i + 1], { rtol: c.tol, atol: c.tol, label: `d/d${k}` });
      });
      const fa = defocusMixer(u, p, { ...c.opts, fused: true }, true);
      const fb = defocusMixer(u, p, { ...c.opts, fused: false }, true);
      expectTensorsClose(fa.out, fb.out, { rtol: 1e-5, atol: 1e-5, label: 'out' });
      for (const t of ['x', 'delta', 'y'] as const)
        expectTensorsClose(fa.taps![t], fb.taps![t], { rtol: 1e-5, atol: 1e-5, label: `tap ${t}` });
      tf.dispose([
        u,
        fa.out,
        fb.out,
        ...Object.values(fa.taps!),
        ...Object.values(fb.taps!),
        ...a,
        ...b,
        ...Object.values(p),
      ]);
    });
  }

  it('fused: true throws where the kernel does not apply; false always takes the op path', () => {
    const rng = new SeededRandom(15);
    const p = randomParams(rng, 4, 6, 4, 2); // dInner 6: not a multiple of 4
    const u = tf.tensor3d(rng.normalArray(2 * 3 * 4), [2, 3, 4]);
    expect(() => defocusMixer(u, p, { ...opts, groupNormSize: 3, fused: true })).toThrow(/does not apply/);
    const { out } = defocusMixer(u, p, { ...opts, groupNormSize: 3 }); // auto: op path
    expect(out.shape).toEqual([2, 3, 4]);
    tf.dispose([u, out, ...Object.values(p)]);
  });

  it('leaks no tensors and gives gradients for the trainable tensors', () => {
    const rng = new SeededRandom(13);
    const [B, L, dM, dI, n, r] = [1, 4, 4, 8, 4, 2];
    const p = randomParams(rng, dM, dI, n, r);
    const u = tf.tensor3d(rng.normalArray(B * L * dM), [B, L, dM]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) =>
        tf.sum(
          defocusMixer(
            u,
            { ...p, xProjStep: a, xProjB: b, xProjC: c, ALog: d, outProj: e } as DefocusMixerParams,
            opts,
          ).out,
        ),
      )([p.xProjStep, p.xProjB, p.xProjC, p.ALog, p.outProj]);
      for (const gi of g) {
        const s = tf.tidy(() => tf.sum(tf.abs(gi)));
        expect(s.dataSync()[0]).toBeGreaterThan(0);
        s.dispose();
      }
      tf.dispose(g);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([u, ...Object.values(p)]);
  });
});
