import { describeWithBackends, expectTensorsClose } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ProjectedAdam } from './projected_adam.js';

/** Float64 reference of spec §3.5 for one parameter. */
function referenceAdam(
  w0: number[],
  grads: number[][],
  o: { lr: number; wd: number; b1: number; b2: number; eps: number; transform?: (u: number[]) => number[] },
): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((grad, i) => {
    const k = i + 1;
    const g = grad.map((x, j) => x + o.wd * w[j]);
    for (let j = 0; j < w.length; j++) {
      m[j] = o.b1 * m[j] + (1 - o.b1) * g[j];
      v[j] = o.b2 * v[j] + (1 - o.b2) * g[j] * g[j];
    }
    let u = m.map(
      (mj, j) => (-(o.lr / (1 - o.b1 ** k)) * mj) / (Math.sqrt(v[j]) / Math.sqrt(1 - o.b2 ** k) + o.eps),
    );
    if (o.transform) u = o.transform(u);
    for (let j = 0; j < w.length; j++) w[j] += u[j];
  });
  return w;
}

describeWithBackends('ProjectedAdam', () => {
  it('matches a float64 reference of coupled-L2 Adam with an update transform and lr scale', async () => {
    const w0 = [0.5, -0.25, 1.5, 2, -1, 0.125];
    const grads = [
      [0.1, -0.2, 0.3, 0.05, 0, -0.4],
      [-0.3, 0.1, 0.2, -0.1, 0.2, 0.1],
      [0.2, 0.2, -0.1, 0.3, -0.2, 0.05],
    ];
    // Transform: right-multiply the [2,3] update by a fixed 3×3 matrix.
    const P = [
      [0.5, 0.5, 0],
      [0.5, 0.5, 0],
      [0, 0, 1],
    ];
    const mulP = (u: number[]): number[] => {
      const out = new Array(6).fill(0);
      for (let r = 0; r < 2; r++)
        for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] += u[r * 3 + k] * P[k][c];
      return out;
    };
    const variable = tf.variable(tf.tensor2d(w0, [2, 3]));
    const bias = tf.variable(tf.tensor1d([1, 2]));
    const opt = new ProjectedAdam(
      [
        { name: 'w', variable },
        { name: 'head.bias', variable: bias, group: 'head' },
      ],
      { lr: 0.01, weightDecay: 0.05, lrScales: { head: 50 } },
    );
    opt.setLrFactor(0.5);
    const Pt = tf.tensor2d(P);
    const before = tf.memory().numTensors;
    for (const g of grads) {
      const gw = tf.tensor2d(g, [2, 3]);
      const gb = tf.tensor1d([g[0], g[1]]);
      opt.step(
        new Map<string, tf.Tensor>([
          ['w', gw],
          ['head.bias', gb],
        ]),
        (name, u) => (name === 'w' ? tf.matMul(u as tf.Tensor2D, Pt) : u),
      );
      tf.dispose([gw, gb]);
      expect(tf.memory().numTensors).toBe(before);
    }
    const ref = referenceAdam(w0, grads, {
      lr: 0.005,
      wd: 0.05,
      b1: 0.9,
      b2: 0.999,
      eps: 1e-8,
      transform: mulP,
    });
    expectTensorsClose(variable, ref, { rtol: 1e-5, atol: 1e-6, label: 'w' });
    const refB = referenceAdam(
      [1, 2],
      grads.map((g) => [g[0], g[1]]),
      { lr: 0.25, wd: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8 },
    );
    expectTensorsClose(bias, refB, { rtol: 1e-5, atol: 1e-6, label: 'head.bias' });
    expect(opt.stepCount).toBe(3);

    // State round-trip: a restored optimizer continues identically.
    const state = await opt.getState();
    const variable2 = tf.variable(variable.clone());
    const opt2 = new ProjectedAdam([{ name: 'w', variable: variable2 }], { lr: 0.01, weightDecay: 0.05 });
    opt2.setState({ ...state, moments: new Map([['w', state.moments.get('w')!]]) });
    const g = tf.tensor2d([
      [0.1, 0.1, 0.1],
      [0.2, 0.2, 0.2],
    ]);
    opt.step(new Map([['w', g]]));
    opt2.step(new Map([['w', g]]));
    expectTensorsClose(variable2, variable, { rtol: 0, atol: 0 });
    expect(() => opt2.setState({ step: 1, lrFactor: 1, moments: new Map() })).toThrow(
      /no moments saved for parameter "w"/,
    );
    expect(
      () =>
        new ProjectedAdam(
          [
            { name: 'w', variable },
            { name: 'w', variable },
          ],
          { lr: 1 },
        ),
    ).toThrow(/listed twice/);
    tf.dispose([g, Pt, variable, variable2, bias]);
    opt.dispose();
    opt2.dispose();
  });
});
