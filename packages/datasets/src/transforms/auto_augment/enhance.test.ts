import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../image/image_record.js';
import { compareBytes, synthImage } from '../../testing_internal/synth_image.js';
import { blend } from './enhance.js';

function rows(img: ImageRecord, y0: number, y1: number): ImageRecord {
  const stride = img.width * img.channels;
  return { ...img, height: y1 - y0, pixels: img.pixels.subarray(y0 * stride, y1 * stride) };
}

describe('blend', () => {
  it('the tabulated path for large images equals the per-value path (row halves are small)', () => {
    const a = synthImage(200, 256, 3, 1); // 153 600 values ≥ 2^17
    const b = synthImage(200, 256, 3, 2);
    for (const f of [0.1, 0.7, 1.9, -0.4, 1.5000001]) {
      const whole = blend(a, b, f).pixels;
      const top = blend(rows(a, 0, 100), rows(b, 0, 100), f).pixels;
      const bottom = blend(rows(a, 100, 200), rows(b, 100, 200), f).pixels;
      expect(compareBytes(whole.subarray(0, top.length), top).differing).toBe(0);
      expect(compareBytes(whole.subarray(top.length), bottom).differing).toBe(0);
    }
  });

  it('returns copies at factors 0 and 1 and rejects size mismatches', () => {
    const a = synthImage(3, 4, 3, 1);
    const b = synthImage(3, 4, 3, 2);
    expect(blend(a, b, 0).pixels).toEqual(a.pixels);
    expect(blend(a, b, 1).pixels).toEqual(b.pixels);
    expect(() => blend(a, synthImage(3, 5, 3, 1), 0.5)).toThrow(/differ in size/);
  });
});
