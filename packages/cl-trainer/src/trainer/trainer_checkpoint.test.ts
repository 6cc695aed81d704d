import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '@mamba-cl/ssm-core';
import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { CheckpointError, readCheckpointFile } from '../checkpoint/checkpoint_file.js';
import { SeededRng } from '../rng/seeded_rng.js';
import { createStrategy } from '../strategies/builtin_strategies.js';
import type { Strategy } from '../strategy/strategy.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { TinyMambaBackbone } from '../testing/tiny_mamba_backbone.js';
import {
  CHECKPOINT_FILE,
  ContinualTrainer,
  checkpointModelWeights,
  type RunResult,
} from './continual_trainer.js';
import type { TrainerConfig } from './trainer_config.js';
import { TrainingStopped } from './training_stopped.js';

const root = mkdtempSync(join(tmpdir(), 'cl-trainer-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const stream = () =>
  syntheticStream({
    numTasks: 3,
    classesPerTask: 2,
    trainPerClass: 2,
    valPerClass: 2,
    batchSize: 2,
    seed: 21,
  });
const config = (dir: string, extra: Partial<TrainerConfig> = {}): TrainerConfig => ({
  epochs: 2,
  lr: 5e-3,
  seed: 9,
  milestones: [1],
  checkpoint: { dir, everySteps: 3 },
  ...extra,
});

async function runOnce(
  dir: string,
  opts: {
    strategy?: Strategy;
    killAt?: number;
    stopAt?: number;
    resume?: boolean;
    extra?: Partial<TrainerConfig>;
  } = {},
): Promise<{ result?: RunResult; weights: Map<string, Float32Array>; error?: unknown }> {
  const backbone = TinyMambaBackbone.create({ seed: 5 });
  const strategy = opts.strategy ?? createStrategy('mamba-cl');
  const trainer = new ContinualTrainer({
    backbone,
    strategy,
    stream: stream(),
    config: config(dir, opts.extra),
  });
  if (opts.killAt !== undefined) {
    trainer.on((e) => {
      if (e.type === 'step' && e.globalStep === opts.killAt) throw new Error('simulated kill');
    });
  }
  const stop = new AbortController();
  const stopAt = opts.stopAt;
  if (stopAt !== undefined) {
    // Ctrl-C arrives while step `stopAt` runs: the trainer stops after that step.
    trainer.on((e) => {
      if (e.type === 'step' && e.globalStep === stopAt - 1) stop.abort();
    });
  }
  let result: RunResult | undefined;
  let error: unknown;
  try {
    result = await trainer.run({ resume: opts.resume, signal: stop.signal });
  } catch (e) {
    error = e;
  }
  const weights = new Map(
    [...backbone.parameters].map(([n, v]) => [n, v.dataSync().slice() as Float32Array]),
  );
  for (let t = 0; t < trainer.heads.count; t++)
    weights.set(`head${t}`, trainer.heads.head(t).weight.dataSync().slice() as Float32Array);
  trainer.dispose();
  strategy.dispose();
  backbone.dispose();
  return { result, weights, error };
}

describeWithBackends(
  'checkpoints and resume',
  () => {
    it('a run killed at a random step and resumed ends bit-identical to an uninterrupted one', async () => {
      const full = await runOnce(join(root, 'full'));
      expect(full.error).toBeUndefined();
      // 4 images per task, batch 2 → 2 steps/epoch, 2 epochs, 3 tasks = 12 steps.
      expect(full.result?.steps).toBe(12);
      // Any step 3..11 (the first checkpoint is written at step 3, before the step event).
      const killAt = 3 + SeededRng.derive(2024, 'kill').int(9);
      const dir = join(root, 'killed');
      const killed = await runOnce(dir, { killAt });
      expect(String(killed.error)).toMatch(/simulated kill/);
      const resumed = await runOnce(dir, { resume: true });
      expect(resumed.error).toBeUndefined();
      expect(resumed.result?.accuracy).toEqual(full.result?.accuracy);
      expect(resumed.result?.metrics).toEqual(full.result?.metrics);
      expect(resumed.result?.steps).toBe(12);
      // The weights inside are plain safetensors with official names.
      const st = readSafetensors(checkpointModelWeights(join(dir, CHECKPOINT_FILE))).tensors;
      expect(st.get('blocks.0.mixer.A_log')?.shape).toEqual([16, 4]);
      for (const [n, w] of full.weights) {
        expect(
          Buffer.from((resumed.weights.get(n) as Float32Array).buffer).equals(Buffer.from(w.buffer)),
          n,
        ).toBe(true);
      }
    });

    it('a run stopped by its signal checkpoints that very step; resuming it ends bit-identical', async () => {
      const full = await runOnce(join(root, 'full-for-stop'));
      // Step 6 of 12: no periodic checkpoint there (everySteps 3 writes after steps 3, 6, 9 …; use
      // everySteps 0 so the only mid-task checkpoint is the one the stop writes).
      const dir = join(root, 'stopped');
      const extra = { checkpoint: { dir, everySteps: 0 } };
      const fullNoPeriodic = await runOnce(join(root, 'full-no-periodic'), {
        extra: { checkpoint: { dir: join(root, 'full-no-periodic'), everySteps: 0 } },
      });
      expect(fullNoPeriodic.result?.accuracy).toEqual(full.result?.accuracy);
      const stopped = await runOnce(dir, { stopAt: 5, extra });
      expect(stopped.error).toBeInstanceOf(TrainingStopped);
      const s = stopped.error as TrainingStopped;
      // step 5 = task 1, epoch 0, after its first batch (4 steps per task)
      expect([s.task, s.epoch, s.batch]).toEqual([1, 0, 1]);
      const ck = readCheckpointFile(join(dir, CHECKPOINT_FILE));
      const meta = ck.meta as {
        position: { task: number; epoch: number; batch: number };
        taskDone: boolean;
        globalStep: number;
      };
      expect(meta.position).toEqual({ task: 1, epoch: 0, batch: 1 });
      expect(meta.taskDone).toBe(false);
      expect(meta.globalStep).toBe(5);
      const resumed = await runOnce(dir, { resume: true, extra });
      expect(resumed.error).toBeUndefined();
      expect(resumed.result?.accuracy).toEqual(fullNoPeriodic.result?.accuracy);
      for (const [n, w] of fullNoPeriodic.weights) {
        expect(
          Buffer.from((resumed.weights.get(n) as Float32Array).buffer).equals(Buffer.from(w.buffer)),
          n,
        ).toBe(true);
      }
    });

    it('refuses a checkpoint of another run, naming what differs', async () => {
      const dir = join(root, 'mismatch');
      await runOnce(dir, { killAt: 4 });
      const bad = await runOnce(dir, { resume: true, extra: { lr: 1e-2 } });
      expect(bad.error).toBeInstanceOf(CheckpointError);
      expect(String(bad.error)).toMatch(/config\.lr: checkpoint 0\.005, now 0\.01/);
      const other = await runOnce(dir, { resume: true, strategy: createStrategy('finetune') });
      expect(String(other.error)).toMatch(/strategy\.id: checkpoint "mamba-cl", now "finetune"/);
      const missing = await runOnce(join(root, 'nothing-here'), { resume: true });
      expect(String(missing.error)).toMatch(/does not exist/);
    });

    it('detects a corrupt checkpoint', async () => {
      const dir = join(root, 'corrupt');
      await runOnce(dir, { killAt: 4 });
      const path = join(dir, CHECKPOINT_FILE);
      const bytes = readFileSync(path);
      bytes[bytes.length - 3] ^= 0xff;
      writeFileSync(path, bytes);
      const r = await runOnce(dir, { resume: true });
      expect(r.error).toBeInstanceOf(CheckpointError);
      expect(String(r.error)).toMatch(/corrupt: CRC-32/);
      writeFileSync(path, bytes.subarray(0, 10));
      expect(() => readCheckpointFile(path)).toThrow(/not a mamba-cl checkpoint/);
    });

    it('a NaN loss stops the run and leaves the last good checkpoint', async () => {
      const dir = join(root, 'nan');
      const base = createStrategy('finetune');
      const poison: Strategy = {
        ...base,
        extraLoss: (ctx) =>
          ctx.task === 1 && ctx.step === 1 ? tf.scalar(Number.POSITIVE_INFINITY) : undefined,
      };
      const r = await runOnce(dir, { strategy: poison, extra: { checkpoint: { dir, everySteps: 0 } } });
      expect(String(r.error)).toMatch(/non-finite loss Infinity at task 1, epoch 1, step 2/);
      const ck = readCheckpointFile(join(dir, CHECKPOINT_FILE));
      expect((ck.meta as { position: { task: number }; taskDone: boolean }).position.task).toBe(1);
      expect((ck.meta as { taskDone: boolean }).taskDone).toBe(true);
    });
  },
  { backends: ['cpu'] },
);
