import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend, VisionMamba } from '@mamba-cl/ssm-core';
import { describeWithBackends, maxRelativeDifference as rel } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createStrategy } from '../strategies/builtin_strategies.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { ContinualTrainer } from './continual_trainer.js';

interface RunRecord {
  readonly losses: number[];
  readonly initial: Map<string, Float32Array>;
  readonly final: Map<string, Float32Array>;
  readonly heads: Float32Array[];
  readonly leaked: number;
  /** Size of the checkpoint written after every step (strategy state, Adam moments, heads). */
  readonly checkpointBytes: number;
}

/** Two tasks of two steps each with `strategy` on the `tiny` VisionMamba (depth 2), read back to the host. */
async function trainTiny(strategy: string): Promise<RunRecord> {
  const before = tf.memory().numTensors;
  const backbone = VisionMamba.create('tiny', { seed: 4, overrides: { depth: 2 } });
  const read = async () => {
    const out = new Map<string, Float32Array>();
    for (const n of backbone.trainableNames())
      out.set(n, ((await (backbone.parameters.get(n) as tf.Variable).data()) as Float32Array).slice());
    return out;
  };
  const initial = await read();
  const stream = syntheticStream({
    numTasks: 2,
    classesPerTask: 2,
    trainPerClass: 2,
    valPerClass: 1,
    batchSize: 2,
    imgSize: 28,
    channels: 1,
    seed: 9,
  });
  const s = createStrategy(strategy, {});
  const dir = mkdtempSync(join(tmpdir(), 'mamba-cl-webgpu-'));
  const trainer = new ContinualTrainer({
    backbone,
    strategy: s,
    stream,
    config: { epochs: 1, lr: 1e-3, seed: 2, checkpoint: { dir, everySteps: 1 } },
  });
  const losses: number[] = [];
  trainer.on((e) => {
    if (e.type === 'step') losses.push(e.loss);
  });
  await trainer.run();
  const final = await read();
  const heads = (await trainer.heads.getState()).map((h) => h.weight.slice());
  const checkpointBytes = statSync(join(dir, 'checkpoint.mclckpt')).size;
  rmSync(dir, { recursive: true, force: true });
  trainer.dispose();
  s.dispose();
  backbone.dispose();
  return { losses, initial, final, heads, leaked: tf.memory().numTensors - before, checkpointBytes };
}

describeWithBackends(
  'ContinualTrainer on webgpu',
  () => {
    for (const strategy of ['mamba-cl', 'ewc']) {
      it(`${strategy}: a few tiny steps (checkpointed after each) move the parameters as on cpu, leaking nothing`, async () => {
        const gpu = await trainTiny(strategy);
        await selectBackend('cpu');
        const cpu = await trainTiny(strategy);
        await selectBackend('webgpu');
        expect(gpu.leaked, 'tensors left on webgpu').toBe(0);
        expect(gpu.losses).toHaveLength(cpu.losses.length);
        expect(rel(gpu.losses, cpu.losses), 'losses').toBeLessThan(1e-4); // measured 8e-7
        expect(gpu.checkpointBytes, 'checkpoint written on webgpu').toBe(cpu.checkpointBytes);
        for (const [n, w] of cpu.final) {
          const w0 = cpu.initial.get(n) as Float32Array;
          const g = gpu.final.get(n) as Float32Array;
          const moveCpu = w.map((x, i) => x - w0[i]);
          const moveGpu = g.map((x, i) => x - w0[i]);
          expect(rel(gpu.initial.get(n) as Float32Array, w0), `${n} starts equal`).toBe(0);
          const r = rel(moveGpu, moveCpu);
          // measured on lavapipe: ≤ 1.5e-3 (A_log, whose small gradients Adam normalises), ≤ 1.1e-4 elsewhere
          expect(r, `${n}: update (w − w₀) relative to the cpu one`).toBeLessThan(5e-3);
        }
        for (let t = 0; t < cpu.heads.length; t++)
          expect(rel(gpu.heads[t], cpu.heads[t]), `head ${t}`).toBeLessThan(1e-3);
      });
    }

    it('refuses gradient workers (CPU threads) on webgpu, saying what to set', async () => {
      const backbone = VisionMamba.create('tiny', { seed: 4, overrides: { depth: 1 } });
      const stream = syntheticStream({ numTasks: 1, imgSize: 28, channels: 1, seed: 9 });
      const trainer = new ContinualTrainer({
        backbone,
        strategy: createStrategy('finetune', {}),
        stream,
        config: { epochs: 1, lr: 1e-3, seed: 2, workers: 1 },
      });
      await expect(trainer.run()).rejects.toThrow(/config.workers is 1, .* on webgpu .*: set workers to 0/);
      trainer.dispose();
      backbone.dispose();
    });
  },
  { backends: ['webgpu'] },
);
