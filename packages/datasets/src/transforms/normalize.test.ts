import { describe, expect, it } from 'vitest';
import { createImageRecord } from '../image/image_record.js';
import { normalizeLut, toTensorNormalize } from './normalize.js';

describe('toTensorNormalize', () => {
  it('computes ((v/255) − mean)/std in float32 per channel, HWC', () => {
    const img = createImageRecord(2, 1, 3, Uint8Array.from([0, 128, 255, 10, 20, 30]));
    const t = toTensorNormalize(img);
    const f = Math.fround;
    const ref = (v: number, m: number, s: number) => f(f(f(v / 255) - f(m)) / f(s));
    expect(Array.from(t.data)).toEqual([
      ref(0, 0.485, 0.229),
      ref(128, 0.456, 0.224),
      ref(255, 0.406, 0.225),
      ref(10, 0.485, 0.229),
      ref(20, 0.456, 0.224),
      ref(30, 0.406, 0.225),
    ]);
    expect(t.data[0]).toBeCloseTo(-0.485 / 0.229, 6);
  });

  it('replicates grey to 3 channels and writes into a given buffer', () => {
    const img = createImageRecord(1, 2, 1, Uint8Array.from([0, 255]));
    const out = new Float32Array(6);
    const t = toTensorNormalize(img, { channels: 3, mean: [0], std: [1], out });
    expect(t.data).toBe(out);
    expect(Array.from(out)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(() => toTensorNormalize(img, { out: new Float32Array(3) })).toThrow(/expected 2/);
  });

  it('validates mean/std', () => {
    expect(() => normalizeLut([0.5], [0])).toThrow(/std\[0\] must be > 0/);
    expect(() => normalizeLut([0.5, 0.5], [1])).toThrow(/mean has 2/);
  });
});
