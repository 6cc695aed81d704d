/**
 * Test-only: a user's image folder `ROOT/{train,val}/<class>/<n>.bmp` of tiny 24-bit BMPs, written
 * synchronously without an image library (a colour per class plus deterministic noise).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A 24-bit bottom-up BMP of `size`×`size` pixels. */
export function bmp24(size: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const row = Math.ceil((size * 3) / 4) * 4;
  const out = new Uint8Array(54 + row * size);
  const v = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, size, true);
  v.setInt32(22, size, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, row * size, true);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x, size - 1 - y);
      const o = 54 + y * row + x * 3;
      out[o] = b;
      out[o + 1] = g;
      out[o + 2] = r;
    }
  }
  return out;
}

/** Writes `classes` class folders with `train` / `val` images each; returns the class names. */
export function writeBmpFolder(
  root: string,
  options: { classes: number; train: number; val: number; size?: number },
): string[] {
  const size = options.size ?? 8;
  const names = Array.from({ length: options.classes }, (_, c) => `class_${String.fromCharCode(97 + c)}`);
  names.forEach((name, c) => {
    for (const [split, n] of [
      ['train', options.train],
      ['val', options.val],
    ] as const) {
      mkdirSync(join(root, split, name), { recursive: true });
      for (let k = 0; k < n; k++) {
        const img = bmp24(size, (x, y) => {
          const noise = ((x * 7 + y * 13 + k * 31 + c * 17) % 23) - 11;
          return [
            (c * 80 + noise + 256) % 256,
            (c * 40 + 60 + noise) % 256,
            (200 - c * 50 + noise + 256) % 256,
          ];
        });
        writeFileSync(join(root, split, name, `${k}.bmp`), img);
      }
    }
  });
  return names;
}
