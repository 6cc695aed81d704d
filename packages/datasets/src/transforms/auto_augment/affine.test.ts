import { describe, expect, it } from 'vitest';
import {
  caseExpected,
  caseInput,
  compareBytes,
  fixtureCases,
  synthImage,
} from '../../testing_internal/synth_image.js';
import {
  type AffineInterpolation,
  type AffineMatrix,
  affineTransform,
  inverseAffineMatrix,
  rotate,
} from './affine.js';

describe('Pillow rotate / affine transform', () => {
  for (const c of fixtureCases('rotate')) {
    it(`rotate matches Pillow: ${c.name}`, () => {
      const p = c.params as { angle: number; interpolation: AffineInterpolation };
      const out = rotate(caseInput(c), p.angle, p.interpolation);
      expect(compareBytes(out.pixels, caseExpected(c))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }
  for (const c of fixtureCases('affine')) {
    it(`affineTransform matches Pillow: ${c.name}`, () => {
      const p = c.params as { matrix: AffineMatrix; interpolation: AffineInterpolation };
      const out = affineTransform(caseInput(c), p.matrix, p.interpolation);
      expect(compareBytes(out.pixels, caseExpected(c))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }

  it('uses the float nearest path for far-away coordinates (all fill)', () => {
    const img = synthImage(6, 7, 3, 1);
    const out = affineTransform(img, [1, 0.5, 40000, 0, 1, 0], 'nearest');
    expect(out.pixels.every((v) => v === 0)).toBe(true);
  });

  it('builds torchvision inverse matrices (identity, pure translation)', () => {
    expect(inverseAffineMatrix([5, 5], 0, [0, 0], 1, [0, 0])).toEqual([1, 0, 0, -0, 1, 0]);
    const m = inverseAffineMatrix([16, 16], 0, [3, -2], 1, [0, 0]);
    expect([m[0], m[2], m[4], m[5]]).toEqual([1, -3, 1, 2]);
    expect(() => affineTransform(synthImage(2, 2, 1, 1), [1, 0, 0, 0, 1, 0], 'lanczos' as 'nearest')).toThrow(
      /nearest, bilinear or bicubic/,
    );
  });
});
