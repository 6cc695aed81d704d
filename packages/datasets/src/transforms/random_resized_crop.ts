/**
 * torchvision `RandomResizedCrop` on PIL images: random area/aspect crop, then a Pillow resize.
 *
 * @module
 */
import type { ImageRecord } from '../image/image_record.js';
import type { Rng } from '../rng/pcg64.js';
import { crop, roundHalfEven } from './crop.js';
import { type ResampleFilter, resize } from './resize.js';

/** A crop rectangle in pixels. @category Transforms */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** Options of {@link randomResizedCrop}. @category Transforms */
export interface RandomResizedCropOptions {
  /** Output size: a number for a square, or `[height, width]`. */
  readonly size: number | readonly [number, number];
  /** Range of the crop area as a fraction of the image area (default [0.08, 1]). */
  readonly scale?: readonly [number, number];
  /** Range of the aspect ratio width/height, sampled log-uniformly (default [3/4, 4/3]). */
  readonly ratio?: readonly [number, number];
  /** Resampling filter (default `'bilinear'`). */
  readonly filter?: ResampleFilter;
}

/**
 * Draws the crop box of `RandomResizedCrop.get_params` (torchvision).
 *
 * **Details**
 * Up to 10 attempts: target area = H·W·U(scale), aspect = exp(U(log ratio)) (both draws rounded to float32,
 * as torch samples float32 tensors), w = round(√(area·aspect)), h = round(√(area/aspect)) (Python round);
 * accepted when 0 < w ≤ W and 0 < h ≤ H, then top ~ integers(0, H − h + 1), left ~ integers(0, W − w + 1).
 * Otherwise the fallback is the central crop clamped to the ratio range. The draws come from our seeded
 * generator, so the boxes follow the same distribution as torch's but not torch's random stream.
 *
 * @param height - image rows
 * @param width - image columns
 * @param rng - seeded generator
 * @param scale - area fraction range
 * @param ratio - aspect ratio range
 * @returns the crop box
 * @example
 * const box = randomResizedCropParams(32, 32, createRng(0));
 * @category Transforms
 */
export function randomResizedCropParams(
  height: number,
  width: number,
  rng: Pick<Rng, 'nextFloat64' | 'integers'>,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): CropBox {
  const area = height * width;
  const logLo = Math.fround(Math.log(Math.fround(ratio[0])));
  const logHi = Math.fround(Math.log(Math.fround(ratio[1])));
  const sLo = Math.fround(scale[0]);
  const sHi = Math.fround(scale[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * Math.fround(sLo + (sHi - sLo) * rng.nextFloat64());
    const aspect = Math.fround(Math.exp(Math.fround(logLo + (logHi - logLo) * rng.nextFloat64())));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.integers(0, height - h + 1);
      const left = rng.integers(0, width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  const rMin = Math.min(ratio[0], ratio[1]);
  const rMax = Math.max(ratio[0], ratio[1]);
  let w: number;
  let h: number;
  if (inRatio < rMin) {
    w = width;
    h = roundHalfEven(w / rMin);
  } else if (inRatio > rMax) {
    h = height;
    w = roundHalfEven(h * rMax);
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * Crops `box` out of `img` and resizes it to `size` with a Pillow filter (torchvision `F.resized_crop`).
 *
 * **Details**
 * torchvision crops the PIL image first and then resizes the crop, so the filter support never reaches
 * pixels outside the crop (unlike Pillow's `resize(..., box=)`); this function does the same.
 *
 * @param img - source image
 * @param box - crop rectangle
 * @param size - output `[height, width]`
 * @param filter - resampling filter
 * @returns the resized crop
 * @example
 * const out = resizedCrop(img, { top: 5, left: 3, height: 19, width: 26 }, [192, 192], 'bicubic');
 * @category Transforms
 */
export function resizedCrop(
  img: ImageRecord,
  box: CropBox,
  size: readonly [number, number],
  filter: ResampleFilter = 'bilinear',
): ImageRecord {
  const c = crop(img, box.top, box.left, box.height, box.width);
  return resize(c, size[1], size[0], { filter });
}

/**
 * torchvision `RandomResizedCrop(size, scale, ratio, interpolation)` on a PIL image.
 *
 * @param img - source image
 * @param rng - seeded generator (4–40 draws)
 * @param options - size, scale, ratio and filter
 * @returns the augmented image of the requested size
 * @example
 * const out = randomResizedCrop(img, rng, { size: 192, filter: 'bicubic' });
 * @category Transforms
 */
export function randomResizedCrop(
  img: ImageRecord,
  rng: Pick<Rng, 'nextFloat64' | 'integers'>,
  options: RandomResizedCropOptions,
): ImageRecord {
  const size: [number, number] =
    typeof options.size === 'number' ? [options.size, options.size] : [options.size[0], options.size[1]];
  const box = randomResizedCropParams(img.height, img.width, rng, options.scale, options.ratio);
  return resizedCrop(img, box, size, options.filter ?? 'bilinear');
}
