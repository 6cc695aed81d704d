import { describe, expect, it } from 'vitest';
import { packedSource } from './packed_source.js';

describe('packedSource', () => {
  const pixels = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => i); // 4 records of 1×2×3 (CHW or HWC)
  it('serves HWC views, CHW transposes, and record indirection', async () => {
    const src = packedSource({
      name: 'toy',
      classNames: ['a', 'b'],
      height: 1,
      width: 2,
      channels: 3,
      layout: 'chw',
      train: { pixels, labels: [1, 0], records: [3, 0], file: 'p' },
      val: { pixels: pixels.subarray(0, 6), labels: [1], file: 'q' },
    });
    expect(src.train.map((it) => it.key)).toEqual(['p#3', 'p#0']);
    // record 3 = bytes 18..23 in CHW: R=[18,19] G=[20,21] B=[22,23] → HWC [18,20,22, 19,21,23]
    expect(Array.from((await src.train[0].load()).pixels)).toEqual([18, 20, 22, 19, 21, 23]);
    const hwc = packedSource({
      name: 'toy',
      classNames: ['a', 'b'],
      height: 1,
      width: 2,
      channels: 3,
      train: { pixels, labels: [0, 1, 0, 1], file: 'p' },
      val: { pixels: new Uint8Array(0), labels: [], file: 'q' },
    });
    expect(Array.from((await hwc.train[2].load()).pixels)).toEqual([12, 13, 14, 15, 16, 17]);
  });
  it('validates labels, sizes and record indices', () => {
    const base = { name: 'toy', classNames: ['a', 'b'], height: 1, width: 2, channels: 3 as const };
    const val = { pixels: new Uint8Array(0), labels: [], file: 'q' };
    expect(() => packedSource({ ...base, train: { pixels, labels: [0, 2, 0, 0], file: 'p' }, val })).toThrow(
      'toy: p record 1 has label 2, expected 0..1',
    );
    expect(() => packedSource({ ...base, train: { pixels, labels: [0, 1], file: 'p' }, val })).toThrow(
      /p has 24 pixel bytes for 2 labels, expected 12/,
    );
    expect(() =>
      packedSource({ ...base, train: { pixels, labels: [0], records: [4], file: 'p' }, val }),
    ).toThrow(/item 0 points at record 4, expected 0..3/);
  });
});
