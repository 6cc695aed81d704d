import { describe, expect, it } from 'vitest';
import { decodeBmp } from './decode_bmp.js';
import { ImageDecodeError } from './image_record.js';

/** BITMAPFILEHEADER + BITMAPINFOHEADER (54 bytes), then `tail` (palette and pixels). */
function bmpHeader(
  width: number,
  height: number,
  bpp: number,
  tail: Uint8Array,
  dataOffset?: number,
): Buffer {
  const b = Buffer.alloc(54 + tail.length);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(dataOffset ?? 54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bpp, 28);
  b.set(tail, 54);
  return b;
}

describe('decodeBmp bounds', () => {
  it('refuses bit depth 0 in a 62-byte file declaring 12000×12000 (no 432 MB allocation)', () => {
    const bmp = bmpHeader(12000, 12000, 0, new Uint8Array(8));
    expect(bmp.length).toBe(62);
    expect(() => decodeBmp(bmp, 'zero.bmp')).toThrow(
      new ImageDecodeError('zero.bmp: unsupported BMP bit depth 0 (expected 1, 2, 4, 8, 16, 24, 32)'),
    );
    for (const bpp of [3, 7, 9, 64, 65535]) {
      expect(() => decodeBmp(bmpHeader(2, 2, bpp, new Uint8Array(64)), 'odd.bmp')).toThrow(
        `odd.bmp: unsupported BMP bit depth ${bpp}`,
      );
    }
  });

  it('checks row stride × height against the bytes present before allocating', () => {
    expect(() => decodeBmp(bmpHeader(40000, 40000, 24, new Uint8Array(8)), 'big.bmp')).toThrow(
      'big.bmp: pixel data needs 4800000000 bytes (40000×40000 at 24 bpp) at offset 54, file has 62 bytes',
    );
    expect(() => decodeBmp(bmpHeader(40000, -40000, 1, new Uint8Array(1024)), 'mono.bmp')).toThrow(
      /mono\.bmp: pixel data needs 200000000 bytes \(40000×40000 at 1 bpp\)/,
    );
    expect(() => decodeBmp(bmpHeader(1, -(2 ** 31), 8, new Uint8Array(1024)), 'min.bmp')).toThrow(
      /min\.bmp: pixel data needs 8589934592 bytes/,
    );
    expect(() => decodeBmp(bmpHeader(1, 1, 24, new Uint8Array(4), 0xffffffff), 'off.bmp')).toThrow(
      /off\.bmp: pixel data needs 4 bytes \(1×1 at 24 bpp\) at offset 4294967295/,
    );
    expect(() => decodeBmp(bmpHeader(-5, 3, 24, new Uint8Array(64)), 'neg.bmp')).toThrow(
      'neg.bmp: bad BMP size -5×3',
    );
    expect(() => decodeBmp(bmpHeader(5, 0, 24, new Uint8Array(64)), 'flat.bmp')).toThrow(
      'flat.bmp: bad BMP size 5×0',
    );
    // a palette that runs past the end of the file
    const pal = bmpHeader(1, 1, 8, new Uint8Array(4));
    pal.writeUInt32LE(2 ** 31, 14 + 32); // colors used
    pal.writeUInt32LE(200, 14); // header size: the palette would start at 214
    expect(() => decodeBmp(pal, 'pal.bmp')).toThrow(/pal\.bmp: truncated palette \(entry 0 of 2147483648\)/);
  });

  it('decodes a 2-bit palette file (top-down)', () => {
    // palette: 4 BGRA entries, then one row of 3 pixels with indices 0, 1, 3 (bits 00 01 11 00) padded to 4 bytes
    const palette = Uint8Array.of(0, 0, 0, 0, 30, 20, 10, 0, 0, 0, 0, 0, 255, 255, 255, 0);
    const bmp = bmpHeader(3, -1, 2, Uint8Array.from([...palette, 0b00011100, 0, 0, 0]), 54 + 16);
    const img = decodeBmp(bmp, 'two.bmp');
    expect(img).toMatchObject({ width: 3, height: 1, channels: 3 });
    expect(Array.from(img.pixels)).toEqual([0, 0, 0, 10, 20, 30, 255, 255, 255]);
  });
});
