import { describe, expect, it } from 'vitest';
import {
  caseExpected,
  caseInput,
  compareBytes,
  fixtureCases,
  synthImage,
} from '../testing_internal/synth_image.js';
import { centerCrop, crop, roundHalfEven } from './crop.js';

describe('crop / centerCrop (torchvision on PIL)', () => {
  for (const c of fixtureCases('center_crop')) {
    it(`matches torchvision CenterCrop: ${c.name}`, () => {
      const p = c.params as { height: number; width: number };
      const out = centerCrop(caseInput(c), p.height, p.width);
      expect([out.height, out.width]).toEqual([c.output.height, c.output.width]);
      expect(compareBytes(out.pixels, caseExpected(c))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }

  it('rounds like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 7]);
  });

  it('fills outside the image with zeros and pads centre crops larger than the image', () => {
    const img = synthImage(4, 5, 3, 3);
    const c = crop(img, -1, 3, 3, 4);
    // row 0 is above the image, columns 5.. are right of it
    expect(Array.from(c.pixels.subarray(0, 12))).toEqual(new Array(12).fill(0));
    expect(Array.from(c.pixels.subarray(12, 18))).toEqual(Array.from(img.pixels.subarray(9, 15)));
    expect(Array.from(c.pixels.subarray(18, 24))).toEqual(new Array(6).fill(0));
    const big = centerCrop(img, 7, 8); // pads top 1 / bottom 2, left 1 / right 2
    expect(big.pixels[0]).toBe(0);
    expect(Array.from(big.pixels.subarray((1 * 8 + 1) * 3, (1 * 8 + 1) * 3 + 3))).toEqual(
      Array.from(img.pixels.subarray(0, 3)),
    );
  });
});
