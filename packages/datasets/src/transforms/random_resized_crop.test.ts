import { describe, expect, it } from 'vitest';
import { createRng } from '../rng/pcg64.js';
import {
  caseExpected,
  caseInput,
  compareBytes,
  fixtureCases,
  synthImage,
} from '../testing_internal/synth_image.js';
import { randomResizedCrop, randomResizedCropParams, resizedCrop } from './random_resized_crop.js';

describe('RandomResizedCrop (torchvision semantics)', () => {
  for (const c of fixtureCases('resized_crop')) {
    it(`crop-then-resize matches torchvision F.resized_crop: ${c.name}`, () => {
      const p = c.params as {
        top: number;
        left: number;
        height: number;
        width: number;
        size: number;
        filter: 'bilinear' | 'bicubic';
      };
      const out = resizedCrop(caseInput(c), p, [p.size, p.size], p.filter);
      expect(compareBytes(out.pixels, caseExpected(c))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }

  it('draws boxes inside the image with area and ratio in range, deterministically', () => {
    const rng = createRng(7);
    const boxes = Array.from({ length: 2000 }, () => randomResizedCropParams(375, 500, rng));
    const again = createRng(7);
    expect(randomResizedCropParams(375, 500, again)).toEqual(boxes[0]);
    let small = 0;
    for (const b of boxes) {
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top + b.height).toBeLessThanOrEqual(375);
      expect(b.left + b.width).toBeLessThanOrEqual(500);
      const frac = (b.height * b.width) / (375 * 500);
      expect(frac).toBeGreaterThan(0.07);
      expect(frac).toBeLessThan(1.01);
      if (b.height < 375 && b.width < 500) {
        const r = b.width / b.height;
        expect(r).toBeGreaterThan(0.7);
        expect(r).toBeLessThan(1.43);
      }
      if (frac < 0.3) small++;
    }
    // area fraction ~ U(0.08, 1) before rejection: about a quarter of the boxes are below 0.3
    expect(small / boxes.length).toBeGreaterThan(0.15);
    expect(small / boxes.length).toBeLessThan(0.35);
  });

  it('falls back to the central crop clamped to the ratio range', () => {
    const rng = createRng(1);
    // scale > 1 can never fit: fallback; a 10×100 image is wider than 4/3 → h = 10, w = round(10·4/3) = 13
    expect(randomResizedCropParams(10, 100, rng, [2, 3])).toEqual({
      top: 0,
      left: 43,
      height: 10,
      width: 13,
    });
    expect(randomResizedCropParams(40, 30, rng, [2, 3])).toEqual({ top: 0, left: 0, height: 40, width: 30 });
  });

  it('produces the requested size', () => {
    const out = randomResizedCrop(synthImage(32, 32, 3, 1), createRng(3), { size: 48, filter: 'bicubic' });
    expect([out.height, out.width, out.channels, out.pixels.length]).toEqual([48, 48, 3, 48 * 48 * 3]);
  });
});
