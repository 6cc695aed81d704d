import { describeWithBackends, expectTensorsCloseAsync } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { addGram } from '../covariance/gram.js';
import { mulberry32, randn } from '../internal/random.js';
import { buildProjector } from './build_projector.js';
import { projectUpdate, projectUpdateFactored } from './project_update.js';

describeWithBackends(
  'projectUpdate',
  () => {
    const rng = mulberry32(5);
    const n = 24;
    const p = Float32Array.from({ length: n * n }, () => randn(rng));

    it('right-multiplies [out, in] updates and left-multiplies [d, N] updates', async () => {
      const u = Float32Array.from({ length: 7 * n }, () => randn(rng));
      const a = Float32Array.from({ length: n * 5 }, () => randn(rng));
      const P = tf.tensor2d(p, [n, n]);
      const U = tf.tensor2d(u, [7, n]);
      const A = tf.tensor2d(a, [n, 5]);
      const right = projectUpdate(U, P, 'right');
      const left = projectUpdate(A, P, 'left');
      const refR = new Float32Array(7 * n);
      for (let o = 0; o < 7; o++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += u[o * n + i] * p[i * n + j];
          refR[o * n + j] = s;
        }
      const refL = new Float32Array(n * 5);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < 5; c++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += p[i * n + j] * a[j * 5 + c];
          refL[i * 5 + c] = s;
        }
      expect(right.shape).toEqual([7, n]);
      expect(left.shape).toEqual([n, 5]);
      await expectTensorsCloseAsync(right, refR, { rtol: 1e-4, atol: 1e-4 });
      await expectTensorsCloseAsync(left, refL, { rtol: 1e-4, atol: 1e-4 });
      tf.dispose([P, U, A, right, left]);
    });

    it('the factored form equals the dense projector on both sides', async () => {
      const m = 48;
      const x = Float32Array.from({ length: 100 * m }, () => randn(rng));
      const cov = new Float64Array(m * m);
      addGram(x, 100, m, cov, 0.01);
      for (const nullDim of [5, 40]) {
        const r = buildProjector(cov, m, {
          eta: 0.95,
          threshold: { kind: 'fixed-count', nullDim },
          normalize: 'frobenius',
        });
        const P = tf.tensor2d(r.projector, [m, m]);
        const B = tf.tensor2d(r.factored.basis, [m, r.factored.cols]);
        const f = { diag: r.factored.diag, coef: r.factored.coef, basis: B };
        const BT = tf.transpose(B) as tf.Tensor2D;
        const fT = { ...f, basisT: BT };
        const U = tf.randomNormal([6, m], 0, 1, 'float32', 3) as tf.Tensor2D;
        const A = tf.randomNormal([m, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
        const before = tf.memory().numTensors;
        const [d1, f1, d2, f2] = [
          projectUpdate(U, P, 'right'),
          projectUpdateFactored(U, f, 'right'),
          projectUpdate(A, P, 'left'),
          projectUpdateFactored(A, fT, 'left'),
        ];
        expect(tf.memory().numTensors).toBe(before + 4);
        const f3 = projectUpdateFactored(U, fT, 'right');
        await expectTensorsCloseAsync(f3, d1, { rtol: 1e-4, atol: 1e-5 });
        tf.dispose([f3, BT]);
        await expectTensorsCloseAsync(f1, d1, { rtol: 1e-4, atol: 1e-5 });
        await expectTensorsCloseAsync(f2, d2, { rtol: 1e-4, atol: 1e-5 });
        tf.dispose([P, B, U, A, d1, f1, d2, f2]);
      }
    });

    it('an empty basis (no low-rank part) gives diag·U, with no zero-size kernel', async () => {
      const U = tf.tensor2d([1, -2, 3, 4, 5, -6], [2, 3]);
      const B = tf.tensor2d(new Float32Array(0), [3, 0]);
      const right = projectUpdateFactored(U, { diag: 0.5, coef: 7, basis: B }, 'right');
      const left = projectUpdateFactored(
        tf.transpose(U) as tf.Tensor2D,
        { diag: 0.5, coef: 7, basis: B },
        'left',
      );
      await expectTensorsCloseAsync(right, [0.5, -1, 1.5, 2, 2.5, -3], { rtol: 0, atol: 0 });
      await expectTensorsCloseAsync(left, [0.5, 2, -1, 2.5, 1.5, -3], { rtol: 0, atol: 0 });
      tf.dispose([U, B, right, left]);
    });

    it('leaks no tensor across repeated steps', () => {
      const P = tf.tensor2d(p, [n, n]);
      const U = tf.randomNormal([3, n], 0, 1, 'float32', 1) as tf.Tensor2D;
      const step = () => tf.dispose(projectUpdate(U, P, 'right'));
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([P, U]);
    });

    it('rejects mismatched shapes, naming them', () => {
      const P = tf.zeros([4, 4]) as tf.Tensor2D;
      const U = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(() => projectUpdate(U, P, 'right')).toThrow(/update \[out, 4\], got \[2,3\]/);
      expect(() => projectUpdate(U, P, 'left')).toThrow(/update \[4, N\], got \[2,3\]/);
      expect(() => projectUpdate(tf.zeros([4]) as never, P, 'left')).toThrow(/2-D/);
      tf.dispose([P, U]);
    });
  },
  { webgpu: true },
);
