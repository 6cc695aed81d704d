/**
 * A small Windows BMP decoder (the CIFAR-100 dump of the official code is BMP; sharp/libvips cannot read BMP).
 *
 * @module
 */
import { ImageDecodeError, type ImageRecord } from './image_record.js';

/** True when the bytes start with the BMP signature "BM". @category Image */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Bit depths decoded (Pillow also reads 2-bit palette files). */
const BMP_DEPTHS: readonly number[] = [1, 2, 4, 8, 16, 24, 32];

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  let m = mask >>> 0;
  while ((m & 1) === 0) {
    m >>>= 1;
    shift++;
  }
  return { shift, max: m };
}

/**
 * Decodes an uncompressed BMP (1/2/4/8-bit palette, 16/24/32-bit, BI_RGB or BI_BITFIELDS, bottom-up or top-down).
 *
 * **Details**
 * Returns RGB pixels, or grey (1 channel) when `keepGrey` is set and the palette is all grey, which is how Pillow
 * opens such files (mode "L"). The alpha of 32-bit files is dropped, like PIL `convert("RGB")`. RLE-compressed
 * files throw an {@link ImageDecodeError} naming the file. The bit depth, the size and the row stride ×
 * height are checked against the bytes present before the pixels are allocated, so the output (3 bytes a
 * pixel) is at most 24 times the file size.
 *
 * @param bytes - the whole .bmp file
 * @param source - file name for error messages
 * @param keepGrey - return 1 channel for grey-palette files (default false: always RGB)
 * @returns the decoded image, HWC uint8
 * @example
 * const img = decodeBmp(fs.readFileSync('0/17.bmp'), '0/17.bmp');
 * @category Image
 */
export function decodeBmp(bytes: Uint8Array, source = '<bytes>', keepGrey = false): ImageRecord {
  const fail = (msg: string): never => {
    throw new ImageDecodeError(`${source}: ${msg}`);
  };
  if (!isBmp(bytes)) fail('not a BMP file (missing "BM" signature)');
  if (bytes.length < 26) fail(`BMP file is ${bytes.length} bytes, too short for its headers`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let colorsUsed = 0;
  let paletteEntrySize = 4;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    paletteEntrySize = 3;
  } else if (headerSize >= 40) {
    if (bytes.length < 54) fail('truncated BITMAPINFOHEADER');
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colorsUsed = dv.getUint32(46, true);
  } else {
    return fail(`unsupported BMP header size ${headerSize} (expected 12, 40, 52, 56, 108 or 124)`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) fail(`bad BMP size ${width}×${height}`);
  if (!BMP_DEPTHS.includes(bpp)) {
    fail(`unsupported BMP bit depth ${bpp} (expected ${BMP_DEPTHS.join(', ')})`);
  }
  // every declared size is checked against the bytes present before anything is allocated
  const rowBytes = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + rowBytes * height > bytes.length) {
    fail(
      `pixel data needs ${rowBytes * height} bytes (${width}×${height} at ${bpp} bpp) at offset ${dataOffset}, file has ${bytes.length} bytes`,
    );
  }
  let masks: number[] | undefined;
  if (compression === 3 || compression === 6) {
    // BI_BITFIELDS / BI_ALPHABITFIELDS: masks follow a 40-byte header, or live inside V2+ headers
    const at = 14 + 40;
    if (bytes.length < at + 12) fail('truncated BI_BITFIELDS masks');
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)];
  } else if (compression !== 0) {
    fail(`compressed BMP (compression ${compression}: RLE/JPEG/PNG) is not supported`);
  }
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const n = colorsUsed > 0 ? colorsUsed : 1 << bpp;
    const at = 14 + headerSize;
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < n && i < 256; i++) {
      const p = at + i * paletteEntrySize;
      if (p + 2 >= bytes.length) fail(`truncated palette (entry ${i} of ${n})`);
      palette[i * 3] = bytes[p + 2] as number;
      palette[i * 3 + 1] = bytes[p + 1] as number;
      palette[i * 3 + 2] = bytes[p] as number;
    }
  }
  if (bpp === 16 && masks === undefined) masks = [0x7c00, 0x03e0, 0x001f];
  if (bpp === 32 && masks === undefined) masks = [0xff0000, 0xff00, 0xff];
  const rgb = new Uint8Array(width * height * 3);
  const ms = masks?.map(maskShift);
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const base = dataOffset + row * rowBytes;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette !== undefined) {
        let idx: number;
        if (bpp === 8) idx = bytes[base + x] as number;
        else {
          const bit = x * bpp;
          const byte = bytes[base + (bit >> 3)] as number;
          idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        }
        rgb[o] = palette[idx * 3] as number;
        rgb[o + 1] = palette[idx * 3 + 1] as number;
        rgb[o + 2] = palette[idx * 3 + 2] as number;
      } else if (bpp === 24) {
        const p = base + x * 3;
        rgb[o] = bytes[p + 2] as number;
        rgb[o + 1] = bytes[p + 1] as number;
        rgb[o + 2] = bytes[p] as number;
      } else {
        const v = bpp === 32 ? dv.getUint32(base + x * 4, true) : dv.getUint16(base + x * 2, true);
        for (let c = 0; c < 3; c++) {
          const { shift, max } = (ms as { shift: number; max: number }[])[c] as {
            shift: number;
            max: number;
          };
          const raw = ((masks as number[])[c] as number) & v;
          rgb[o + c] = max === 0 ? 0 : Math.round(((raw >>> shift) * 255) / max);
        }
      }
    }
  }
  if (keepGrey && palette !== undefined) {
    let grey = true;
    for (let i = 0; i < 256 && grey; i++) {
      grey = palette[i * 3] === palette[i * 3 + 1] && palette[i * 3] === palette[i * 3 + 2];
    }
    if (grey) {
      const g = new Uint8Array(width * height);
      for (let i = 0; i < g.length; i++) g[i] = rgb[i * 3] as number;
      return { width, height, channels: 1, pixels: g };
    }
  }
  return { width, height, channels: 3, pixels: rgb };
}
