/**
 * Crops with PIL/torchvision semantics: `Image.crop` (zero fill outside the image) and `CenterCrop`.
 *
 * @module
 */
import type { ImageRecord } from '../image/image_record.js';

/**
 * Python's `round()` for floats: nearest integer, ties to even.
 *
 * @param x - value
 * @returns the rounded integer
 * @example
 * roundHalfEven(2.5); // 2
 * @category Transforms
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * Cuts the rectangle of `height × width` pixels whose top-left corner is (`top`, `left`).
 *
 * **Details**
 * Same as PIL `img.crop((left, top, left + width, top + height))` and torchvision `F.crop`: parts of the
 * rectangle outside the image are filled with 0.
 *
 * @param img - source image, HWC
 * @param top - first row (may be negative)
 * @param left - first column (may be negative)
 * @param height - rows of the result (≥ 1)
 * @param width - columns of the result (≥ 1)
 * @returns a new `height × width × channels` image
 * @example
 * const patch = crop(img, 10, 20, 64, 64);
 * @category Transforms
 */
export function crop(
  img: ImageRecord,
  top: number,
  left: number,
  height: number,
  width: number,
): ImageRecord {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`crop: size must be positive integers, got ${width}×${height}`);
  }
  if (!Number.isInteger(top) || !Number.isInteger(left)) {
    throw new RangeError(`crop: top/left must be integers, got ${top}, ${left}`);
  }
  const C = img.channels;
  const out = new Uint8Array(width * height * C);
  const x0 = Math.max(0, left);
  const x1 = Math.min(img.width, left + width);
  if (x1 > x0) {
    for (let y = 0; y < height; y++) {
      const sy = top + y;
      if (sy < 0 || sy >= img.height) continue;
      const src = (sy * img.width + x0) * C;
      out.set(img.pixels.subarray(src, src + (x1 - x0) * C), (y * width + (x0 - left)) * C);
    }
  }
  return { width, height, channels: C, pixels: out };
}

/**
 * Crops the centre `height × width` region like torchvision `CenterCrop` on PIL images.
 *
 * **Details**
 * top = round((H − height)/2), left = round((W − width)/2) with Python's round (ties to even). When the
 * crop is larger than the image, torchvision first pads with zeros — left/top by ⌊Δ/2⌋, right/bottom by
 * ⌈Δ/2⌉ — and crops the padded image; that is reproduced here.
 *
 * @param img - source image, HWC
 * @param height - rows of the result
 * @param width - columns of the result (default `height`)
 * @returns a new `height × width × channels` image
 * @example
 * const c = centerCrop(resize(img, 224, 224), 192);
 * @category Transforms
 */
export function centerCrop(img: ImageRecord, height: number, width: number = height): ImageRecord {
  let H = img.height;
  let W = img.width;
  let padTop = 0;
  let padLeft = 0;
  if (width > W || height > H) {
    padLeft = width > W ? Math.floor((width - W) / 2) : 0;
    padTop = height > H ? Math.floor((height - H) / 2) : 0;
    const padRight = width > W ? Math.floor((width - W + 1) / 2) : 0;
    const padBottom = height > H ? Math.floor((height - H + 1) / 2) : 0;
    W += padLeft + padRight;
    H += padTop + padBottom;
    if (W === width && H === height) return crop(img, -padTop, -padLeft, height, width);
  }
  const top = roundHalfEven((H - height) / 2);
  const left = roundHalfEven((W - width) / 2);
  return crop(img, top - padTop, left - padLeft, height, width);
}
