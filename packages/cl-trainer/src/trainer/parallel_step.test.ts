import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { TrainerEvent } from '../events/trainer_events.js';
import { createEwcStrategy } from '../strategies/ewc.js';
import { createJointStrategy } from '../strategies/joint.js';
import { createMambaClStrategy } from '../strategies/mamba_cl.js';
import type { Strategy } from '../strategy/strategy.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { tinyVisionMamba } from '../testing_internal/tiny_vision_mamba.js';
import { ContinualTrainer } from './continual_trainer.js';

/** Per-step losses, the accuracy matrix and the final trainable weights of one run. */
async function runWith(strategy: Strategy, workers: number) {
  const vim = tinyVisionMamba(3);
  const stream = syntheticStream({
    numTasks: 2,
    classesPerTask: 2,
    trainPerClass: 3,
    valPerClass: 2,
    batchSize: 5,
    seed: 4,
  });
  const trainer = new ContinualTrainer({
    backbone: vim,
    strategy,
    stream,
    config: { epochs: 2, lr: 2e-3, headLrScale: 5, seed: 7, workers },
  });
  const losses: number[] = [];
  const threads = new Set<number>();
  trainer.on((e: TrainerEvent) => {
    if (e.type === 'step') {
      losses.push(e.loss);
      threads.add(e.threads);
    }
  });
  const result = await trainer.run();
  const weights = vim.trainableNames().map((n) => (vim.parameters.get(n) as tf.Variable).dataSync().slice());
  trainer.dispose();
  vim.dispose();
  return { losses, accuracy: result.accuracy, weights, threads: [...threads] };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, label: string): void {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(b[i]));
    if (Math.abs(a[i] - b[i]) > tol * scale)
      throw new Error(`${label}[${i}]: ${a[i]} vs ${b[i]} (tol ${tol})`);
  }
}

describeWithBackends(
  'ContinualTrainer with gradient workers',
  () => {
    // Shards change only the float32 summation order: after a few Adam steps the runs agree closely.
    for (const [label, make] of [
      ['mamba-cl (projected updates, current head)', () => createMambaClStrategy()],
      ['joint (all seen heads: the concatenated head gradient is split back)', () => createJointStrategy()],
    ] as const) {
      it(`workers: 1 gives the one-thread run up to rounding — ${label}`, async () => {
        const one = await runWith(make(), 0);
        const two = await runWith(make(), 1);
        expect(one.threads).toEqual([1]);
        expect(two.threads).toEqual([2]);
        expectClose(two.losses, one.losses, 1e-4, 'loss');
        one.weights.forEach((w, i) => {
          expectClose(two.weights[i], w, 1e-4, `weight ${i}`);
        });
        expect(two.accuracy).toEqual(one.accuracy);
      }, 60_000);
    }

    it('a strategy with an extra loss (EWC) trains on the main thread, same result as without workers', async () => {
      const one = await runWith(createEwcStrategy(), 0);
      const two = await runWith(createEwcStrategy(), 1);
      expect(two.threads).toEqual([1]);
      expect(two.losses).toEqual(one.losses);
      expect(two.accuracy).toEqual(one.accuracy);
    }, 60_000);
  },
  { backends: ['wasm'] },
);
