/**
 * torchvision `ToTensor()` + `Normalize(mean, std)` on uint8 images, producing float32 HWC.
 *
 * @module
 */
import type { ImageRecord } from '../image/image_record.js';

/** timm/ImageNet channel means (RGB) — the normalisation Mamba-CL uses (spec §4). @category Transforms */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** timm/ImageNet channel standard deviations (RGB). @category Transforms */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];
/** The customary MNIST mean (0.1307) and std (0.3081) of the training pixels in [0, 1]. @category Transforms */
export const MNIST_MEAN_STD: readonly [number, number] = [0.1307, 0.3081];
/** Fashion-MNIST mean (0.2860) and std (0.3530) of the training pixels in [0, 1]. @category Transforms */
export const FASHION_MNIST_MEAN_STD: readonly [number, number] = [0.286, 0.353];

/**
 * A normalised image: float32 values in HWC order.
 *
 * @category Transforms
 */
export interface TensorImage {
  /** HWC float32, length height·width·channels. */
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Options of {@link toTensorNormalize}. @category Transforms */
export interface NormalizeOptions {
  /** Per-channel means of the output channels (length 1 or `channels`; default ImageNet). */
  readonly mean?: readonly number[];
  /** Per-channel standard deviations (default ImageNet). */
  readonly std?: readonly number[];
  /** Output channels: 3 replicates a grey image (default: the image's channels). 3 → 1 is not allowed. */
  readonly channels?: 1 | 3;
  /** Write into this array instead of allocating (length height·width·channels), e.g. a batch slot. */
  readonly out?: Float32Array;
}

/**
 * Builds the 256-entry float32 lookup table per output channel: ((v/255) − mean)/std with every step in
 * float32, as torch computes `ToTensor` (`div(255)`) then `Normalize` (`sub_(mean).div_(std)`).
 *
 * @param mean - per-channel means
 * @param std - per-channel standard deviations
 * @returns `channels × 256` values
 * @example
 * const lut = normalizeLut([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
 * @category Transforms
 */
export function normalizeLut(mean: readonly number[], std: readonly number[]): Float32Array {
  if (mean.length !== std.length) {
    throw new RangeError(`normalize: mean has ${mean.length} values, std has ${std.length}`);
  }
  const f = Math.fround;
  const lut = new Float32Array(mean.length * 256);
  for (let c = 0; c < mean.length; c++) {
    const m = f(mean[c] as number);
    const s = f(std[c] as number);
    if (!(s > 0)) throw new RangeError(`normalize: std[${c}] must be > 0, got ${std[c]}`);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = f(f(f(v / 255) - m) / s);
  }
  return lut;
}

/**
 * `ToTensor()` + `Normalize(mean, std)`, output HWC float32 (bit-identical to torch's float32 result).
 *
 * @param img - uint8 image
 * @param options - mean/std, output channels, optional output buffer
 * @returns the normalised image
 * @example
 * const t = toTensorNormalize(img); // ImageNet mean/std
 * @category Transforms
 */
export function toTensorNormalize(img: ImageRecord, options: NormalizeOptions = {}): TensorImage {
  const outC = options.channels ?? img.channels;
  if (outC === 1 && img.channels === 3) {
    throw new RangeError(
      'toTensorNormalize: cannot output 1 channel from an RGB image (convert to grey first)',
    );
  }
  const expand = (v: readonly number[]): number[] =>
    v.length === outC ? [...v] : v.length === 1 ? new Array(outC).fill(v[0]) : v.slice(0, outC);
  const mean = expand(options.mean ?? IMAGENET_MEAN);
  const std = expand(options.std ?? IMAGENET_STD);
  if (mean.length !== outC || std.length !== outC) {
    throw new RangeError(`toTensorNormalize: need ${outC} means/stds, got ${mean.length}/${std.length}`);
  }
  const lut = normalizeLut(mean, std);
  const n = img.width * img.height;
  const len = n * outC;
  const data = options.out ?? new Float32Array(len);
  if (data.length !== len) {
    throw new RangeError(`toTensorNormalize: out has ${data.length} values, expected ${len}`);
  }
  const src = img.pixels;
  if (outC === img.channels) {
    if (outC === 1) {
      for (let i = 0; i < n; i++) data[i] = lut[src[i] as number] as number;
    } else {
      for (let i = 0; i < len; i += 3) {
        data[i] = lut[src[i] as number] as number;
        data[i + 1] = lut[256 + (src[i + 1] as number)] as number;
        data[i + 2] = lut[512 + (src[i + 2] as number)] as number;
      }
    }
  } else {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const v = src[i] as number;
      data[o] = lut[v] as number;
      data[o + 1] = lut[256 + v] as number;
      data[o + 2] = lut[512 + v] as number;
    }
  }
  return { data, height: img.height, width: img.width, channels: outC };
}
