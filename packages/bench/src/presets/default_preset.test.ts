import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricsFromMatrix } from '../report/metrics_from_matrix.js';
import { DEFAULT_PRESET } from './builtin_presets.js';
import { BENCHMARKS } from './preset_registry.js';

const root = new URL('../../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

describe('the embedded default', () => {
  it('is the configuration the documentation describes', () => {
    const d = BENCHMARKS.get('default');
    expect(d).toBe(DEFAULT_PRESET);
    expect(d).toMatchObject({
      dataset: 'fashion-mnist',
      numClasses: 10,
      numTasks: 5,
      model: 'tiny',
      seeds: [2024],
      strategies: ['mamba-cl', 'finetune', 'joint'],
      strategyOptions: { ewc: { lambda: 1e8 } },
      weights: {
        kind: 'pretrain',
        dataset: 'fashion-mnist',
        epochs: 3,
        perClass: 1000,
        validationPerClass: 200,
        lr: 2e-3,
        batchSize: 50,
      },
      train: {
        epochs: 3,
        batchSize: 25,
        evalBatchSize: 100,
        expandTimes: 1,
        lr: 2e-3,
        headLrScale: 5,
        weightDecay: 5e-5,
        milestones: [],
        eta: 0.8,
        limitTrainPerClass: 200,
      },
    });
    // the whole test split: no per-class cap on the evaluated images
    expect(d.train.limitValPerClass).toBeUndefined();
    expect(d.evaluateOn ?? 'test').toBe('test');
    // default-all and default-val differ only in their strategies and the evaluated images
    const all = BENCHMARKS.get('default-all');
    const val = BENCHMARKS.get('default-val');
    expect(all.strategies).toEqual(['mamba-cl', 'nscl', 'ewc', 'lwf', 'finetune', 'joint']);
    expect(val.evaluateOn).toBe('validation');
    for (const p of [all, val]) {
      expect(p.train).toEqual(d.train);
      expect(p.weights).toEqual(d.weights);
    }
    // the guide and BENCHMARKS.md state the same settings
    const settings =
      'pretrained for 3 epochs on the last 1000 training images of each class; 200 training images per class per task, 3 epochs, batch 25, lr 2e-3, head lr ×5, η 0.8';
    expect(read('apps/docs/guides/getting-started.md')).toContain(settings);
    expect(read('BENCHMARKS.md')).toContain(settings);
  });

  it('is scored with the official metric arithmetic on unequal task sizes', () => {
    // a 3-task matrix: final accuracy is sample-weighted, forgetting includes the current row (spec §6)
    const a = [
      [98, 0, 0],
      [90, 80, 0],
      [85, 70, 60],
    ];
    const m = metricsFromMatrix(a, [1000, 1000, 2000], 3);
    expect(m.finalAccuracy).toBeCloseTo((1000 * 85 + 1000 * 70 + 2000 * 60) / 4000, 10);
    expect(m.finalForgetting).toBeCloseTo((98 - 85 + (80 - 70)) / 2, 10);
  });
});
