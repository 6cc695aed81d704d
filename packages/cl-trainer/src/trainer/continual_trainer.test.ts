import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { TrainerEvent } from '../events/trainer_events.js';
import { createFinetuneStrategy } from '../strategies/finetune.js';
import type { Strategy } from '../strategy/strategy.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { TinyMambaBackbone } from '../testing/tiny_mamba_backbone.js';
import { ContinualTrainer } from './continual_trainer.js';
import { NonFiniteLossError } from './non_finite_loss_error.js';

describeWithBackends(
  'ContinualTrainer',
  () => {
    it('trains every task, evaluates all seen tasks and emits events in order', async () => {
      const backbone = TinyMambaBackbone.create({ seed: 1 });
      const stream = syntheticStream({
        numTasks: 3,
        classesPerTask: 2,
        trainPerClass: 2,
        valPerClass: 3,
        seed: 2,
      });
      const trainer = new ContinualTrainer({
        backbone,
        strategy: createFinetuneStrategy(),
        stream,
        config: { epochs: 3, expandTimes: 2, lr: 1e-2, seed: 5, milestones: [2] },
      });
      const events: TrainerEvent[] = [];
      trainer.on((e) => events.push(e));
      const result = await trainer.run();
      expect(result.accuracy.map((r) => r.length)).toEqual([1, 2, 3]);
      expect(result.evalCounts).toEqual([6, 6, 6]);
      for (const row of result.accuracy) for (const a of row) expect(a >= 0 && a <= 100).toBe(true);
      // 4 images × 2 passes / batch 8 = 1 batch per epoch, 3 epochs, 3 tasks
      expect(result.steps).toBe(9);
      const types = events.map((e) => e.type);
      expect(types[0]).toBe('run-start');
      expect(types.at(-1)).toBe('run-end');
      expect(types.filter((t) => t === 'step')).toHaveLength(9);
      const lrs = events.filter((e) => e.type === 'epoch-start').map((e) => (e as { lr: number }).lr);
      // milestones [2] with timm's +1: epochs 0 → lr, 1 → 0.1·lr (bisect_right([2], 2) = 1), 2 → 0.1·lr
      expect(lrs.slice(0, 3).map((x) => Number(x.toPrecision(6)))).toEqual([0.01, 0.001, 0.001]);
      const step = events.find((e) => e.type === 'step') as Extract<TrainerEvent, { type: 'step' }>;
      expect(step.loss).toBeGreaterThan(0);
      expect(step.etaSec).toBeGreaterThanOrEqual(0);
      expect(step.imagesPerSec).toBeGreaterThan(0);
      trainer.dispose();
      backbone.dispose();
    });

    it('keeps the tensor count flat across steps and tasks', async () => {
      const backbone = TinyMambaBackbone.create({ seed: 1 });
      const stream = syntheticStream({ numTasks: 2, trainPerClass: 4, valPerClass: 2 });
      const trainer = new ContinualTrainer({
        backbone,
        strategy: createFinetuneStrategy(),
        stream,
        config: { epochs: 2, lr: 1e-3, seed: 1 },
      });
      const counts: number[] = [];
      trainer.on((e) => {
        if (e.type === 'step') counts.push(tf.memory().numTensors);
      });
      const before = tf.memory().numTensors;
      await trainer.run();
      // Within a task (same heads and optimizer) the count is flat from step to step.
      expect(new Set(counts.slice(0, 2)).size).toBe(1);
      expect(new Set(counts.slice(2)).size).toBe(1);
      // After the run only the heads remain (2 tasks × weight + bias).
      expect(tf.memory().numTensors).toBe(before + 4);
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(before);
      backbone.dispose();
    });

    it('warm-starts head 1 from head 0 by default, and not when turned off', async () => {
      for (const warm of [true, false]) {
        const backbone = TinyMambaBackbone.create({ seed: 1 });
        const stream = syntheticStream({ numTasks: 2, trainPerClass: 2, valPerClass: 1 });
        const trainer = new ContinualTrainer({
          backbone,
          strategy: createFinetuneStrategy(),
          stream,
          config: { epochs: 1, lr: 1e-3, seed: 1, warmStartHead: warm },
        });
        let head0: Float32Array | undefined;
        let head1Init: Float32Array | undefined;
        trainer.on((e) => {
          if (e.type === 'task-start' && e.task === 1) {
            head0 = trainer.heads.head(0).weight.dataSync() as Float32Array;
            head1Init = trainer.heads.head(1).weight.dataSync() as Float32Array;
          }
        });
        await trainer.run();
        if (warm) expect(Array.from(head1Init as Float32Array)).toEqual(Array.from(head0 as Float32Array));
        else {
          expect(Array.from(head1Init as Float32Array)).not.toEqual(Array.from(head0 as Float32Array));
          const bound = 1 / Math.sqrt(backbone.config.dModel);
          for (const w of head1Init as Float32Array) expect(Math.abs(w)).toBeLessThanOrEqual(bound);
        }
        trainer.dispose();
        backbone.dispose();
      }
    });

    it('stops on a non-finite loss naming task, epoch and step', async () => {
      const backbone = TinyMambaBackbone.create({ seed: 1 });
      const stream = syntheticStream({ numTasks: 2, trainPerClass: 2, valPerClass: 1 });
      const poison: Strategy = {
        ...createFinetuneStrategy(),
        extraLoss: (ctx) => (ctx.task === 1 && ctx.step === 0 ? tf.scalar(Number.NaN) : undefined),
      };
      const trainer = new ContinualTrainer({
        backbone,
        strategy: poison,
        stream,
        config: { epochs: 1, lr: 1e-3, seed: 1 },
      });
      const before = backbone.parameters.get('blocks.0.mixer.out_proj.weight')?.dataSync().slice();
      let after: Float32Array | undefined;
      trainer.on((e) => {
        if (e.type === 'task-start' && e.task === 1)
          after = backbone.parameters
            .get('blocks.0.mixer.out_proj.weight')
            ?.dataSync()
            .slice() as Float32Array;
      });
      await expect(trainer.run()).rejects.toThrow(NonFiniteLossError);
      await expect(
        new ContinualTrainer({
          backbone,
          strategy: poison,
          stream,
          config: { epochs: 1, lr: 1e-3, seed: 1 },
        }).run(),
      ).rejects.toThrow(/non-finite loss NaN at task 1, epoch 1, step 1/);
      expect(before).toBeDefined();
      expect(after).toBeDefined();
      trainer.dispose();
      backbone.dispose();
    });
  },
  { backends: ['cpu'] },
);
