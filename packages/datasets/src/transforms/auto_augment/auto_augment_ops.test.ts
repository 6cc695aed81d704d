import { describe, expect, it } from 'vitest';
import {
  caseExpected,
  caseInput,
  compareBytes,
  type FixtureCase,
  fixtureCases,
} from '../../testing_internal/synth_image.js';
import type { AffineInterpolation } from './affine.js';
import { applyAutoAugmentOp } from './auto_augment.js';
import type { AutoAugmentOpName } from './policies.js';

function input(c: FixtureCase) {
  const img = caseInput(c);
  if ((c.params as { lowContrast?: boolean }).lowContrast) {
    // the fixture script's low-contrast variant: v // 3 + 60
    return { ...img, pixels: img.pixels.map((v) => Math.floor(v / 3) + 60) };
  }
  return img;
}

describe('AutoAugment ops against torchvision 0.14 _apply_op on PIL (Pillow 9.4)', () => {
  const cases = fixtureCases('autoaugment_op');
  it('has fixtures for every op', () => {
    const ops = new Set(cases.map((c) => (c.params as { op: string }).op));
    expect(ops.size).toBe(14);
  });
  for (const c of cases) {
    it(c.name, () => {
      const p = c.params as { op: AutoAugmentOpName; magnitude: number; interpolation: AffineInterpolation };
      const out = applyAutoAugmentOp(input(c), p.op, p.magnitude, p.interpolation);
      expect([out.height, out.width, out.channels]).toEqual([
        c.output.height,
        c.output.width,
        c.output.channels,
      ]);
      expect(compareBytes(out.pixels, caseExpected(c))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }
});
