import { describe, expect, it } from 'vitest';
import { createRng } from '../rng/pcg64.js';
import { caseInput, fixtureBytes, fixtureCases, synthImage } from '../testing_internal/synth_image.js';
import { buildPipeline, pipelinePreset, pipelinePresetNames } from './pipeline.js';

describe('pipeline presets', () => {
  for (const c of fixtureCases('preset')) {
    it(`${(c.params as { preset: string }).preset} equals torchvision Compose(..., ToTensor, Normalize) bit for bit`, () => {
      const p = pipelinePreset((c.params as { preset: string }).preset);
      const out = p.apply(caseInput(c));
      const bytes = fixtureBytes(c.file);
      const expected = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      expect([out.height, out.width, out.channels]).toEqual([192, 192, 3]);
      expect(p.outputShape).toEqual([192, 192, 3]);
      let maxDiff = 0;
      for (let i = 0; i < expected.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs((out.data[i] as number) - (expected[i] as number)));
      }
      expect(maxDiff).toBe(0);
    });
  }

  it('lists the official presets', () => {
    expect(pipelinePresetNames()).toEqual(
      expect.arrayContaining([
        'cifar100-train',
        'cifar100-eval',
        'imagenet-r-train',
        'imagenet-r-eval',
        'domainnet-train',
        'domainnet-eval',
        'mnist-train',
        'mnist-eval',
      ]),
    );
    expect(() => buildPipeline({ preset: 'cifar10-train' })).toThrow(/known presets: cifar100-train/);
  });

  it('train presets are seeded-deterministic, random, and rebuildable from a cloned spec', () => {
    const img = synthImage(32, 32, 3, 4);
    const p = pipelinePreset('cifar100-train');
    expect(p.random).toBe(true);
    expect(p.steps.map((s) => s.kind)).toEqual(['toRgb', 'autoAugment', 'randomResizedCrop', 'normalize']);
    const again = buildPipeline(structuredClone(p.spec));
    const a = p.apply(img, createRng([2024, 0, 1]));
    const b = again.apply(img, createRng([2024, 0, 1]));
    const c = p.apply(img, createRng([2024, 0, 2]));
    const same = (x: Float32Array, y: Float32Array) => x.length === y.length && x.every((v, i) => v === y[i]);
    expect(same(a.data, b.data)).toBe(true);
    expect(same(a.data, c.data)).toBe(false);
    expect(a.data.length).toBe(192 * 192 * 3);
    expect(() => p.apply(img)).toThrow(/pass a seeded rng/);
  });

  it('imagenet-r-train uses the IMAGENET policy and bilinear crops; options override', () => {
    const p = pipelinePreset('imagenet-r-train', { size: 64, autoAugment: 'none' });
    expect(p.steps).toEqual([
      { kind: 'toRgb' },
      {
        kind: 'randomResizedCrop',
        height: 64,
        width: 64,
        scale: [0.08, 1],
        ratio: [3 / 4, 4 / 3],
        filter: 'bilinear',
      },
      { kind: 'normalize', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channels: 3 },
    ]);
    const d = pipelinePreset('domainnet-train');
    expect(d.steps[1]).toEqual({ kind: 'autoAugment', policy: 'imagenet', interpolation: 'bilinear' });
    const out = p.apply(synthImage(40, 50, 1, 3), createRng(1));
    expect(out.channels).toBe(3);
  });

  it('mnist presets keep 28×28 grey with MNIST mean/std, or replicate to RGB', () => {
    const digit = synthImage(28, 28, 1, 9);
    const p = pipelinePreset('mnist-eval');
    const t = p.apply(digit);
    expect([t.height, t.width, t.channels]).toEqual([28, 28, 1]);
    expect(p.outputShape).toEqual([28, 28, 1]);
    expect(t.data[0]).toBeCloseTo(((digit.pixels[0] as number) / 255 - 0.1307) / 0.3081, 5);
    const rgb = pipelinePreset('fashion-mnist-train', { channels: 3, normalization: 'unit', size: 32 }).apply(
      digit,
    );
    expect([rgb.height, rgb.width, rgb.channels]).toEqual([32, 32, 3]);
    expect(rgb.data[0]).toBe(rgb.data[1]);
  });

  it("'custom' runs the given steps", () => {
    const p = buildPipeline({
      preset: 'custom',
      options: {
        steps: [
          { kind: 'centerCrop', height: 4, width: 4 },
          { kind: 'normalize', mean: [0], std: [1], channels: 3 },
        ],
      },
    });
    const img = synthImage(8, 8, 3, 1);
    const t = p.apply(img);
    expect(t.data[0]).toBeCloseTo((img.pixels[(2 * 8 + 2) * 3] as number) / 255, 6);
    expect(() => buildPipeline({ preset: 'custom' })).toThrow(/ending with a 'normalize' step/);
  });
});
