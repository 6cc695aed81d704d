/**
 * The decoded raw image every transform consumes: 8-bit pixels, rows top to bottom, channels interleaved (HWC).
 *
 * @module
 */

/**
 * A decoded image: uint8 pixels in HWC order, 1 (grey, PIL mode "L") or 3 (RGB) channels.
 *
 * **Details**
 * `pixels[(y * width + x) * channels + c]` is channel `c` of the pixel in row `y`, column `x`.
 * `pixels.length` must equal `width * height * channels`.
 *
 * @category Image
 */
export interface ImageRecord {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** 1 = grey, 3 = RGB. */
  readonly channels: 1 | 3;
  /** HWC uint8 pixels, length width·height·channels. */
  readonly pixels: Uint8Array;
}

/**
 * Thrown when bytes cannot be turned into an {@link ImageRecord} (unknown format, corrupt file, bad size).
 *
 * @category Image
 */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

/**
 * Makes an {@link ImageRecord}, allocating zeroed pixels when none are given, and checks the sizes.
 *
 * **Details**
 * Throws a `RangeError` naming the expected and actual pixel counts when they disagree.
 *
 * @param width - columns (≥ 1)
 * @param height - rows (≥ 1)
 * @param channels - 1 or 3
 * @param pixels - optional HWC uint8 data, length width·height·channels
 * @returns the record (the pixel array is used as is, not copied)
 * @example
 * const img = createImageRecord(32, 32, 3); // black 32×32 RGB
 * @category Image
 */
export function createImageRecord(
  width: number,
  height: number,
  channels: 1 | 3,
  pixels?: Uint8Array,
): ImageRecord {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`image channels must be 1 or 3, got ${channels}`);
  }
  const n = width * height * channels;
  if (pixels !== undefined && pixels.length !== n) {
    throw new RangeError(`image ${width}×${height}×${channels} needs ${n} pixel bytes, got ${pixels.length}`);
  }
  return { width, height, channels, pixels: pixels ?? new Uint8Array(n) };
}

/**
 * Converts to 3 channels (grey is replicated, as PIL `convert("RGB")` does); RGB is returned unchanged.
 *
 * @param img - grey or RGB image
 * @returns an RGB image
 * @example
 * const rgb = toRgb(mnistDigit);
 * @category Image
 */
export function toRgb(img: ImageRecord): ImageRecord {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  const src = img.pixels;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const v = src[i] as number;
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
  }
  return { width: img.width, height: img.height, channels: 3, pixels: out };
}

/**
 * Converts to 1 channel with PIL's `convert("L")` luma: L = (19595·R + 38470·G + 7471·B + 0x8000) >> 16.
 *
 * **Details**
 * This is the ITU-R 601-2 transform (0.299, 0.587, 0.114) in Pillow's 16-bit fixed point with rounding
 * (Pillow ≥ 9). Grey images are returned unchanged.
 *
 * @param img - grey or RGB image
 * @returns a grey image
 * @example
 * const grey = toGrey(photo);
 * @category Image
 */
export function toGrey(img: ImageRecord): ImageRecord {
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const src = img.pixels;
  for (let i = 0, s = 0; i < n; i++, s += 3) {
    out[i] =
      ((src[s] as number) * 19595 +
        (src[s + 1] as number) * 38470 +
        (src[s + 2] as number) * 7471 +
        0x8000) >>>
      16;
  }
  return { width: img.width, height: img.height, channels: 1, pixels: out };
}
