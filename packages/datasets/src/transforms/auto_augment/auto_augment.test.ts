import { describe, expect, it } from 'vitest';
import { createRng } from '../../rng/pcg64.js';
import { fixtureIndex, synthImage } from '../../testing_internal/synth_image.js';
import { autoAugment } from './auto_augment.js';
import { AUTOAUGMENT_POLICIES, autoAugmentMagnitudes, linspaceF32 } from './policies.js';

describe('AutoAugment tables', () => {
  it('policies equal torchvision 0.14 AutoAugment._get_policies', () => {
    const tv = fixtureIndex() as unknown as { autoaugmentPolicies: Record<string, unknown> };
    for (const name of ['cifar10', 'imagenet', 'svhn'] as const) {
      expect(AUTOAUGMENT_POLICIES[name].map((s) => s.map((t) => [...t]))).toEqual(
        tv.autoaugmentPolicies[name],
      );
    }
  });

  it('magnitude bins equal torchvision _augmentation_space bit for bit (float32 linspace)', () => {
    const dumped = fixtureIndex().autoaugmentMagnitudes;
    for (const [key, table] of Object.entries(dumped)) {
      const [h, w] = key.split('x').map(Number) as [number, number];
      const ours = autoAugmentMagnitudes(h, w);
      for (const [op, bins] of Object.entries(table)) {
        expect(ours[op as keyof typeof ours].bins, `${key} ${op}`).toEqual(bins);
      }
    }
    expect(linspaceF32(255, 0, 10)[5]).toBe(113.33333587646484);
  });
});

describe('autoAugment (random sub-policy)', () => {
  const img = synthImage(32, 32, 3, 5);

  it('is deterministic for a seed and keeps the size', () => {
    const a = autoAugment(img, createRng(11), { policy: 'cifar10', interpolation: 'bilinear' });
    const b = autoAugment(img, createRng(11), { policy: 'cifar10', interpolation: 'bilinear' });
    expect(a.draw).toEqual(b.draw);
    expect(Buffer.from(a.image.pixels).equals(Buffer.from(b.image.pixels))).toBe(true);
    expect([a.image.width, a.image.height, a.image.channels]).toEqual([32, 32, 3]);
  });

  it('draws sub-policies uniformly and applies ops with their probabilities', () => {
    const rng = createRng(3);
    const counts = new Array(25).fill(0);
    let first = 0;
    let firstTotal = 0;
    for (let i = 0; i < 2500; i++) {
      const { draw } = autoAugment(img, rng, { policy: 'imagenet' });
      counts[draw.subPolicy]++;
      if (draw.subPolicy === 7) {
        // (Posterize 0.8, 5) | (Equalize 1.0): Equalize always runs
        firstTotal++;
        if (draw.applied.some((a) => a.op === 'Posterize')) first++;
        expect(draw.applied.some((a) => a.op === 'Equalize')).toBe(true);
      }
    }
    for (const c of counts) expect(c).toBeGreaterThan(60);
    expect(first / firstTotal).toBeGreaterThan(0.65);
    expect(first / firstTotal).toBeLessThan(0.95);
  });

  it('gives signed magnitudes both signs', () => {
    const rng = createRng(9);
    const signs = new Set<number>();
    for (let i = 0; i < 300; i++) {
      for (const a of autoAugment(img, rng, { policy: 'cifar10' }).draw.applied) {
        if (a.op === 'Rotate') signs.add(Math.sign(a.magnitude));
      }
    }
    expect(signs).toEqual(new Set([1, -1]));
  });

  it('rejects an unknown policy with the known names', () => {
    expect(() => autoAugment(img, createRng(1), { policy: 'mnist' as 'svhn' })).toThrow(
      /cifar10, imagenet, svhn/,
    );
  });
});
