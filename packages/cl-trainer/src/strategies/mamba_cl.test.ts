import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { iterateBatches } from '../stream/task_stream.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { TinyMambaBackbone } from '../testing/tiny_mamba_backbone.js';
import { ContinualTrainer } from '../trainer/continual_trainer.js';
import { createFinetuneStrategy } from './finetune.js';
import { createMambaClStrategy } from './mamba_cl.js';

const layers = (block: number) => [
  { name: `blocks.${block}.mixer.x_proj_step.weight`, tap: 'x' as const },
  { name: `blocks.${block}.mixer.x_proj_C.weight`, tap: 'x' as const },
  { name: `blocks.${block}.mixer.out_proj.weight`, tap: 'y' as const },
];

describeWithBackends(
  'mamba-cl strategy',
  () => {
    it('with η=1 and no normalisation keeps W_δ, W_C and out_proj outputs on old inputs unchanged', async () => {
      const backbone = TinyMambaBackbone.create({ seed: 3, overrides: { dInner: 24 } });
      // Task 0 has 2 images → 2·5 = 10 feature rows < D = 24: an exact null space exists.
      const stream = syntheticStream({
        numTasks: 2,
        classesPerTask: 2,
        trainPerClass: 1,
        valPerClass: 1,
        batchSize: 2,
        seed: 4,
      });
      const strategy = createMambaClStrategy({
        eta: 1,
        normalize: 'none',
        threshold: { kind: 'ratio', ratio: 1e-5 },
      });
      const trainer = new ContinualTrainer({
        backbone,
        strategy,
        stream,
        config: { epochs: 3, lr: 5e-2, seed: 1 },
      });
      const old: { inputs: Map<string, tf.Tensor2D>; weights: Map<string, Float32Array> } = {
        inputs: new Map(),
        weights: new Map(),
      };
      trainer.on((e) => {
        if (e.type !== 'task-start' || e.task !== 1) return;
        // Inputs of the projected layers on task-0 data, with the weights the features were collected with.
        for (const batch of stream.collect(0) as Iterable<{
          images: Float32Array;
          shape: readonly number[];
        }>) {
          const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
          const { features, taps } = backbone.forwardWithTaps(images);
          taps.forEach((tap, block) => {
            for (const l of layers(block)) {
              const [b, L, D] = tap[l.tap].shape;
              old.inputs.set(l.name, tf.reshape(tap[l.tap], [b * L, D]) as tf.Tensor2D);
            }
            tf.dispose([tap.x, tap.delta, tap.y]);
          });
          tf.dispose([images, features]);
        }
        for (const name of old.inputs.keys())
          old.weights.set(name, backbone.parameters.get(name)?.dataSync().slice() as Float32Array);
      });
      await trainer.run();
      expect(old.inputs.size).toBe(6);
      for (const [name, x] of old.inputs) {
        const w = backbone.parameters.get(name) as tf.Variable;
        const w0 = tf.tensor2d(old.weights.get(name) as Float32Array, w.shape as [number, number]);
        const before = tf.matMul(x, w0, false, true);
        const after = tf.matMul(x, w as unknown as tf.Tensor2D, false, true);
        const scale = tf.max(tf.abs(before)).dataSync()[0];
        const diff = tf.max(tf.abs(tf.sub(after, before))).dataSync()[0];
        const moved = tf.max(tf.abs(tf.sub(w, w0))).dataSync()[0];
        expect(moved, `${name} was updated`).toBeGreaterThan(1e-4);
        expect(diff / scale, `${name} output change`).toBeLessThan(1e-5);
        tf.dispose([w0, before, after, x]);
      }
      const dims = strategy.nullDims();
      expect(dims['blocks.0.mixer.x_proj_step.weight']).toBeGreaterThanOrEqual(24 - 10);
      trainer.dispose();
      strategy.dispose();
      backbone.dispose();
    });

    it('finetune forgets more than mamba-cl with the same seed', async () => {
      const run = async (kind: 'finetune' | 'mamba-cl') => {
        const backbone = TinyMambaBackbone.create({ seed: 7 });
        const stream = syntheticStream({
          numTasks: 3,
          classesPerTask: 2,
          trainPerClass: 6,
          valPerClass: 6,
          batchSize: 12,
          noise: 0.3,
          seed: 8,
        });
        const strategy = kind === 'finetune' ? createFinetuneStrategy() : createMambaClStrategy();
        const trainer = new ContinualTrainer({
          backbone,
          strategy,
          stream,
          config: { epochs: 4, lr: 1e-2, headLrScale: 5, seed: 1, milestones: [100] },
        });
        const r = await trainer.run();
        trainer.dispose();
        strategy.dispose();
        backbone.dispose();
        return r;
      };
      const ft = await run('finetune');
      const mc = await run('mamba-cl');
      // Measured on cpu: finetune 58.3, mamba-cl 20.8 (official forgetting, percent).
      expect(ft.metrics.forgetting).toBeGreaterThan(mc.metrics.forgetting + 20);
      expect(ft.accuracy[0][0]).toBe(100);
    });
  },
  { backends: ['cpu'] },
);
