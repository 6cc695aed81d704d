import { describe, expect, it } from 'vitest';
import { createImageRecord, toGrey, toRgb } from './image_record.js';
import { recordFromChw, recordFromGrey } from './raw_records.js';

describe('raw records', () => {
  it('recordFromChw transposes CHW planes to HWC', () => {
    const bytes = new Uint8Array(1 + 3 * 4);
    for (let i = 0; i < 12; i++) bytes[1 + i] = i; // R plane 0..3, G 4..7, B 8..11 of a 2×2 image
    const img = recordFromChw(bytes, 1, 2, 2, 3);
    expect(Array.from(img.pixels)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(() => recordFromChw(bytes, 2, 2, 2, 3)).toThrow(/need 12 bytes/);
  });

  it('recordFromGrey copies one image', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => i);
    const img = recordFromGrey(bytes, 4, 2, 3);
    expect(Array.from(img.pixels)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(img.channels).toBe(1);
  });

  it('toGrey uses Pillow luma with rounding and toRgb replicates', () => {
    const img = createImageRecord(2, 1, 3, Uint8Array.from([255, 0, 0, 10, 200, 30]));
    // 255·19595 + 0x8000 >> 16 = 76; (10·19595 + 200·38470 + 30·7471 + 0x8000) >> 16 = 124
    expect(Array.from(toGrey(img).pixels)).toEqual([76, 124]);
    expect(Array.from(toRgb(toGrey(img)).pixels)).toEqual([76, 76, 76, 124, 124, 124]);
    expect(() => createImageRecord(2, 2, 3, new Uint8Array(5))).toThrow(/needs 12 pixel bytes/);
  });
});
