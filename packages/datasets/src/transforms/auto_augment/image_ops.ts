/**
 * Pillow `ImageOps` point operations used by AutoAugment: posterize, solarize, autocontrast, equalize, invert.
 *
 * **Details**
 * Each builds a 256-entry lookup table per band (from that band's histogram for autocontrast and equalize)
 * and maps every pixel through it, exactly like `image.point(lut)` in Pillow 9.
 *
 * @module
 */
import type { ImageRecord } from '../../image/image_record.js';

/**
 * Maps every band of `img` through its own 256-entry table (`luts[c]`), or one shared table.
 *
 * @param img - source image
 * @param luts - one table for all bands, or one per band (values 0..255)
 * @returns a new image
 * @example
 * const inverted = applyLut(img, Uint8Array.from({ length: 256 }, (_, i) => 255 - i));
 * @category AutoAugment
 */
export function applyLut(img: ImageRecord, luts: Uint8Array | readonly Uint8Array[]): ImageRecord {
  const C = img.channels;
  const src = img.pixels;
  const out = new Uint8Array(src.length);
  if (luts instanceof Uint8Array) {
    for (let i = 0; i < src.length; i++) out[i] = luts[src[i] as number] as number;
  } else if (C === 3) {
    const l0 = luts[0] as Uint8Array;
    const l1 = luts[1] as Uint8Array;
    const l2 = luts[2] as Uint8Array;
    for (let i = 0; i < src.length; i += 3) {
      out[i] = l0[src[i] as number] as number;
      out[i + 1] = l1[src[i + 1] as number] as number;
      out[i + 2] = l2[src[i + 2] as number] as number;
    }
  } else {
    const l0 = luts[0] as Uint8Array;
    for (let i = 0; i < src.length; i++) out[i] = l0[src[i] as number] as number;
  }
  return { width: img.width, height: img.height, channels: C, pixels: out };
}

/**
 * Per-band 256-bin histograms (Pillow `Image.histogram()` split by band).
 *
 * @param img - source image
 * @returns one Float64Array(256) per band
 * @example
 * const [r, g, b] = histograms(img);
 * @category AutoAugment
 */
export function histograms(img: ImageRecord): Float64Array[] {
  const C = img.channels;
  const hs = Array.from({ length: C }, () => new Float64Array(256));
  const src = img.pixels;
  if (C === 1) {
    const h = hs[0] as Float64Array;
    for (let i = 0; i < src.length; i++) h[src[i] as number]++;
  } else {
    const h0 = hs[0] as Float64Array;
    const h1 = hs[1] as Float64Array;
    const h2 = hs[2] as Float64Array;
    for (let i = 0; i < src.length; i += 3) {
      h0[src[i] as number]++;
      h1[src[i + 1] as number]++;
      h2[src[i + 2] as number]++;
    }
  }
  return hs;
}

/**
 * `ImageOps.posterize(img, bits)`: keeps the top `bits` bits of every value.
 *
 * @param img - source image
 * @param bits - 1..8
 * @returns a new image
 * @example
 * posterize(img, 4);
 * @category AutoAugment
 */
export function posterize(img: ImageRecord, bits: number): ImageRecord {
  const mask = ~(2 ** (8 - bits) - 1) & 255;
  return applyLut(
    img,
    Uint8Array.from({ length: 256 }, (_, i) => i & mask),
  );
}

/**
 * `ImageOps.solarize(img, threshold)`: values ≥ threshold are inverted (v → 255 − v).
 *
 * @param img - source image
 * @param threshold - float threshold (values strictly below it are kept)
 * @returns a new image
 * @example
 * solarize(img, 128);
 * @category AutoAugment
 */
export function solarize(img: ImageRecord, threshold: number): ImageRecord {
  return applyLut(
    img,
    Uint8Array.from({ length: 256 }, (_, i) => (i < threshold ? i : 255 - i)),
  );
}

/**
 * `ImageOps.invert(img)`: v → 255 − v.
 *
 * @param img - source image
 * @returns a new image
 * @example
 * invert(img);
 * @category AutoAugment
 */
export function invert(img: ImageRecord): ImageRecord {
  return applyLut(
    img,
    Uint8Array.from({ length: 256 }, (_, i) => 255 - i),
  );
}

/**
 * `ImageOps.autocontrast(img)` (cutoff 0, no ignore): stretches each band's [min, max] to [0, 255].
 *
 * **Details**
 * Per band: lo/hi = first/last non-empty histogram bin; if hi ≤ lo the band is unchanged, else
 * scale = 255/(hi − lo), offset = −lo·scale and lut[v] = clamp(trunc(v·scale + offset), 0, 255).
 *
 * @param img - source image
 * @returns a new image
 * @example
 * autocontrast(img);
 * @category AutoAugment
 */
export function autocontrast(img: ImageRecord): ImageRecord {
  const luts = histograms(img).map((h) => {
    let lo = 0;
    while (lo < 256 && h[lo] === 0) lo++;
    let hi = 255;
    while (hi >= 0 && h[hi] === 0) hi--;
    const lut = new Uint8Array(256);
    if (hi <= lo) {
      for (let i = 0; i < 256; i++) lut[i] = i;
    } else {
      const scale = 255 / (hi - lo);
      const offset = -lo * scale;
      for (let i = 0; i < 256; i++) {
        const v = Math.trunc(i * scale + offset);
        lut[i] = v < 0 ? 0 : Math.min(v, 255);
      }
    }
    return lut;
  });
  return applyLut(img, luts);
}

/**
 * `ImageOps.equalize(img)`: histogram equalisation per band, Pillow's integer algorithm.
 *
 * **Details**
 * Per band: with the non-empty bins h₁…h_k, step = ⌊(Σh − h_k)/255⌋; if k ≤ 1 or step = 0 the band is
 * unchanged; else n = ⌊step/2⌋ and, for i = 0…255, lut[i] = ⌊n/step⌋ then n += h[i].
 *
 * @param img - source image
 * @returns a new image
 * @example
 * equalize(img);
 * @category AutoAugment
 */
export function equalize(img: ImageRecord): ImageRecord {
  const luts = histograms(img).map((h) => {
    const lut = new Uint8Array(256);
    let total = 0;
    let last = 0;
    let nonEmpty = 0;
    for (let i = 0; i < 256; i++) {
      const v = h[i] as number;
      if (v > 0) {
        total += v;
        last = v;
        nonEmpty++;
      }
    }
    const step = Math.floor((total - last) / 255);
    if (nonEmpty <= 1 || step === 0) {
      for (let i = 0; i < 256; i++) lut[i] = i;
      return lut;
    }
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = Math.min(255, Math.floor(n / step));
      n += h[i] as number;
    }
    return lut;
  });
  return applyLut(img, luts);
}
