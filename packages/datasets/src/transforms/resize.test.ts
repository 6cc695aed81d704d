import { describe, expect, it } from 'vitest';
import {
  caseExpected,
  caseInput,
  compareBytes,
  fixtureCases,
  synthImage,
} from '../testing_internal/synth_image.js';
import { resampleCoefficients, resize } from './resize.js';

describe('resize (Pillow Image.resize, 8-bit)', () => {
  const cases = fixtureCases('resize');
  it('has fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const c of cases) {
    it(`matches Pillow exactly: ${c.name}`, () => {
      const p = c.params as {
        width: number;
        height: number;
        filter: 'bilinear' | 'bicubic';
        box?: [number, number, number, number];
      };
      const out = resize(caseInput(c), p.width, p.height, {
        filter: p.filter,
        ...(p.box ? { box: p.box } : {}),
      });
      expect([out.height, out.width, out.channels]).toEqual([
        c.output.height,
        c.output.width,
        c.output.channels,
      ]);
      expect(compareBytes(out.pixels, caseExpected(c))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }

  it('weights of each output sample sum to 2^22 (±rounding)', () => {
    for (const [i, o] of [
      [32, 192],
      [500, 224],
      [7, 3],
    ] as const) {
      const c = resampleCoefficients(i, 0, i, o, 'bicubic');
      for (let xx = 0; xx < o; xx++) {
        let s = 0;
        for (let k = 0; k < c.ksize; k++) s += c.weights[xx * c.ksize + k] as number;
        expect(Math.abs(s - 2 ** 22)).toBeLessThanOrEqual(c.ksize);
      }
    }
  });

  it('returns a copy for the identity and rejects bad sizes/boxes', () => {
    const img = synthImage(5, 6, 3, 1);
    const same = resize(img, 6, 5, { filter: 'bicubic' });
    expect(same.pixels).toEqual(img.pixels);
    expect(same.pixels).not.toBe(img.pixels);
    expect(() => resize(img, 0, 5)).toThrow(/positive/);
    expect(() => resize(img, 3, 3, { box: [0, 0, 7, 5] })).toThrow(/exceeds/);
    expect(() => resize(img, 3, 3, { filter: 'lanczos' as 'bicubic' })).toThrow(/bilinear, bicubic/);
  });

  it('keeps constant images constant', () => {
    const img = { width: 13, height: 9, channels: 3 as const, pixels: new Uint8Array(13 * 9 * 3).fill(77) };
    for (const f of ['bilinear', 'bicubic'] as const) {
      expect(resize(img, 40, 5, { filter: f }).pixels.every((v) => v === 77)).toBe(true);
    }
  });
});
