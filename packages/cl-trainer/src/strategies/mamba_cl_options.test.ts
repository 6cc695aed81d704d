import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { TinyMambaBackbone } from '../testing/tiny_mamba_backbone.js';
import { ContinualTrainer } from '../trainer/continual_trainer.js';
import { createMambaClStrategy } from './mamba_cl.js';

describeWithBackends(
  'mamba-cl options',
  () => {
    it('projects only the chosen groups, and the η-blend shrinks every direction as spec §3.4 says', async () => {
      const backbone = TinyMambaBackbone.create({ seed: 2 });
      const stream = syntheticStream({
        numTasks: 2,
        trainPerClass: 2,
        valPerClass: 1,
        batchSize: 4,
        seed: 3,
      });
      const strategy = createMambaClStrategy({ groups: ['out', 'A'], apply: 'dense', eta: 0.9 });
      const trainer = new ContinualTrainer({
        backbone,
        strategy,
        stream,
        config: { epochs: 1, lr: 1e-3, seed: 1 },
      });
      await trainer.run();
      expect(Object.keys(strategy.projectorKinds()).sort()).toEqual([
        'blocks.0.mixer.A_log',
        'blocks.0.mixer.out_proj.weight',
        'blocks.1.mixer.A_log',
        'blocks.1.mixer.out_proj.weight',
      ]);
      expect(strategy.covariance(0, 'x')).toBeUndefined();
      expect(strategy.covariance(0, 'out')?.length).toBe(16 * 16);
      // A step U that is not projected passes through unchanged; a projected one becomes U·P with
      // P = η·U₀U₀ᵀ/√k + (1−η)·I: its norm shrinks to between (1−η) and (1−η) + η/√k of the original.
      const u = tf.randomNormal([16, 16], 0, 1, 'float32', 1);
      expect(strategy.transformUpdate('blocks.0.mixer.x_proj_B.weight', u)).toBe(u);
      const p = strategy.transformUpdate('blocks.0.mixer.out_proj.weight', u);
      const ratio = tf.norm(p).dataSync()[0] / tf.norm(u).dataSync()[0];
      const k = strategy.nullDims()['blocks.0.mixer.out_proj.weight'];
      expect(ratio).toBeGreaterThanOrEqual(0.1 - 1e-6);
      expect(ratio).toBeLessThanOrEqual(0.1 + 0.9 / Math.sqrt(k) + 1e-6);
      tf.dispose([u, p]);
      trainer.dispose();
      strategy.dispose();
      backbone.dispose();
    });
  },
  { backends: ['cpu'] },
);
