import { readFileSync } from 'node:fs';
import { CovarianceAccumulator, projectUpdate } from '@mamba-cl/nullspace';
import { mapOfficialCheckpoint, readSafetensors, VisionMamba } from '@mamba-cl/ssm-core';
import { describeWithBackends, expectTensorsClose } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ProjectedAdam } from '../optim/projected_adam.js';
import { batchGrams } from './feature_grams.js';

// Made by scripts/make_adam_fixtures.py: an independent PyTorch implementation of spec §3.2 and §3.5.
const fx = JSON.parse(readFileSync(new URL('../../fixtures/adam_covariance.json', import.meta.url), 'utf8'));
// The golden tiny VisionMamba of ssm-core (weights, images) and the covariances PyTorch computed from its taps.
const gv = JSON.parse(
  readFileSync(new URL('../../fixtures/golden_vim_covariances.json', import.meta.url), 'utf8'),
);
const gvWeights = new Uint8Array(
  readFileSync(new URL('../../fixtures/golden_vim.safetensors', import.meta.url)),
);

describeWithBackends(
  'spec §3 against PyTorch',
  () => {
    it('the five feature covariances match (x shared by W_δ and W_C; B from M_i = Δ_iᵀX_i; A from Δ rows; out from y)', () => {
      const { D, L } = fx.cov;
      const acc = new Map<string, CovarianceAccumulator>();
      for (const b of fx.cov.batches) {
        const tap = {
          x: tf.tensor3d(b.x, [b.b, L, D]),
          delta: tf.tensor3d(b.delta, [b.b, L, D]),
          y: tf.tensor3d(b.y, [b.b, L, D]),
        };
        for (const [src, g] of batchGrams(tap, ['x', 'B', 'A', 'out'], 2)) {
          const a = acc.get(src) ?? new CovarianceAccumulator(D);
          acc.set(src, a);
          a.addGram(g.gram, g.rows, b.b);
        }
        tf.dispose([tap.x, tap.delta, tap.y]);
      }
      for (const a of acc.values()) a.endTask();
      const K = fx.cov.K;
      const opts = { rtol: 1e-5, atol: 1e-6 };
      expectTensorsClose(acc.get('x')?.matrix as Float64Array, K.step, { ...opts, label: 'W_δ' });
      expectTensorsClose(acc.get('x')?.matrix as Float64Array, K.C, { ...opts, label: 'W_C' });
      expectTensorsClose(acc.get('B')?.matrix as Float64Array, K.B, { ...opts, label: 'W_B' });
      expectTensorsClose(acc.get('A')?.matrix as Float64Array, K.A, { ...opts, label: 'A_log' });
      expectTensorsClose(acc.get('out')?.matrix as Float64Array, K.out, { ...opts, label: 'out_proj' });
    });

    it('the five covariances of a real VisionMamba (taps → Grams → accumulators) match PyTorch on the same model', () => {
      const cfg = gv.config;
      const model = VisionMamba.create(cfg, { seed: 1 });
      const mapped = mapOfficialCheckpoint(readSafetensors(gvWeights, 'golden_vim.safetensors').tensors, cfg);
      expect(model.loadStateDict(mapped.tensors)).toEqual({ missing: [], unexpected: [] });
      const images = tf.tensor4d(gv.images, [gv.batch, cfg.imgSize, cfg.imgSize, cfg.inChans]);
      const { features, taps } = model.forwardWithTaps(images);
      expect(taps).toHaveLength(gv.blocks.length);
      taps.forEach((tap, block) => {
        const grams = batchGrams(tap, ['x', 'B', 'A', 'out']);
        const K = gv.blocks[block];
        const check = (src: 'x' | 'B' | 'A' | 'out', want: number[], label: string) => {
          const acc = new CovarianceAccumulator(cfg.dInner);
          const g = grams.get(src) as { gram: Float64Array; rows: number };
          acc.addGram(g.gram, g.rows, gv.batch);
          acc.endTask();
          const scale = Math.max(...want.map(Math.abs));
          expectTensorsClose(acc.matrix, want, {
            rtol: 1e-3,
            atol: 1e-4 * scale,
            label: `block ${block} ${label}`,
          });
        };
        check('x', K.step, 'W_δ');
        check('x', K.C, 'W_C');
        check('B', K.B, 'W_B');
        check('A', K.A, 'A_log');
        check('out', K.out, 'out_proj');
        tf.dispose([tap.x, tap.delta, tap.y]);
      });
      tf.dispose([images, features]);
      model.dispose();
    });

    it('projected Adam steps (U·P for weights, P·U for A_log, head ×50, coupled L2) match', () => {
      const a = fx.adam;
      const D = fx.cov.D;
      const w = tf.variable(tf.tensor2d(a.w0, [4, D]));
      const al = tf.variable(tf.tensor2d(a.a0, [D, 3]));
      const h = tf.variable(tf.tensor2d(a.h0, [2, 4]));
      const P = tf.tensor2d(a.P, [D, D]);
      const opt = new ProjectedAdam(
        [
          { name: 'blocks.0.mixer.out_proj.weight', variable: w },
          { name: 'blocks.0.mixer.A_log', variable: al },
          { name: 'head.weight', variable: h, group: 'head' },
        ],
        { lr: a.lr, weightDecay: a.weightDecay, betas: a.betas, eps: a.eps, lrScales: { head: a.headScale } },
      );
      const transform = (name: string, u: tf.Tensor): tf.Tensor =>
        name.endsWith('A_log')
          ? projectUpdate(u as tf.Tensor2D, P, 'left')
          : name.endsWith('out_proj.weight')
            ? projectUpdate(u as tf.Tensor2D, P, 'right')
            : u;
      a.factors.forEach((factor: number, i: number) => {
        const g = a.grads[i];
        const grads = new Map<string, tf.Tensor>([
          ['blocks.0.mixer.out_proj.weight', tf.tensor2d(g.w, [4, D])],
          ['blocks.0.mixer.A_log', tf.tensor2d(g.a, [D, 3])],
          ['head.weight', tf.tensor2d(g.h, [2, 4])],
        ]);
        const before = i === 0 ? [w.clone(), al.clone(), h.clone()] : [];
        opt.setLrFactor(factor);
        opt.step(grads, transform);
        if (i === 0) {
          expectTensorsClose(tf.sub(w, before[0]), a.firstUpdate.w, { rtol: 1e-4, atol: 1e-7, label: 'U·P' });
          expectTensorsClose(tf.sub(al, before[1]), a.firstUpdate.a, {
            rtol: 1e-4,
            atol: 1e-7,
            label: 'P·U',
          });
          expectTensorsClose(tf.sub(h, before[2]), a.firstUpdate.h, {
            rtol: 1e-4,
            atol: 1e-7,
            label: 'head',
          });
        }
        tf.dispose([...grads.values(), ...before]);
      });
      expectTensorsClose(w, a.final.w, { rtol: 1e-5, atol: 1e-6, label: 'out_proj.weight' });
      expectTensorsClose(al, a.final.a, { rtol: 1e-5, atol: 1e-6, label: 'A_log' });
      expectTensorsClose(h, a.final.h, { rtol: 1e-5, atol: 1e-6, label: 'head.weight' });
      expect(opt.stepCount).toBe(3);
      opt.dispose();
      tf.dispose([w, al, h, P]);
    });
  },
  { backends: ['cpu'] },
);
