/**
 * Pillow-exact antialiased resizing (`Image.resize` with BILINEAR or BICUBIC on 8-bit images).
 *
 * **Details**
 * Pillow resizes in two separable passes, horizontal first then vertical, each a convolution whose
 * support is the filter's support times the downscale factor (so downscaling antialiases). The float
 * weights of each output sample are normalised to sum 1, then turned into fixed-point integers with
 * PRECISION_BITS = 22 fractional bits (rounded half away from zero); each output is
 * (2^21 + Σ pixel·weight) >> 22 clipped to [0, 255]. The horizontal pass only touches the source rows the
 * vertical pass will read. An optional float32 `box` selects a source region with sub-pixel precision
 * (Pillow's `box=` argument; coefficients are computed on the float box). `reducing_gap` is not used
 * (Pillow's default None).
 *
 * @module
 */
import type { ImageRecord } from '../image/image_record.js';

/**
 * A resampling filter of Pillow: `'bilinear'` (triangle, support 1) or `'bicubic'` (Keys a = −0.5, support 2).
 *
 * @category Transforms
 */
export type ResampleFilter = 'bilinear' | 'bicubic';

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

function bilinearFilter(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

function bicubicFilter(x: number): number {
  const a = -0.5;
  const t = x < 0 ? -x : x;
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

const FILTERS: Record<ResampleFilter, { fn: (x: number) => number; support: number }> = {
  bilinear: { fn: bilinearFilter, support: 1 },
  bicubic: { fn: bicubicFilter, support: 2 },
};

/**
 * Fixed-point resampling coefficients of one axis (Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`).
 *
 * @category Transforms
 */
export interface ResampleCoefficients {
  /** Taps per output sample (row stride of `weights`). */
  readonly ksize: number;
  /** Per output sample: first source index and tap count, interleaved `[min0, count0, min1, count1, …]`. */
  readonly bounds: Int32Array;
  /** Integer weights with 22 fractional bits, `outSize × ksize` (unused taps are 0). */
  readonly weights: Int32Array;
}

/**
 * Computes the coefficients that map source samples `[in0, in1)` (float32 box edges) to `outSize` samples.
 *
 * **Details**
 * scale = (in1 − in0)/outSize (the difference taken in float32, as Pillow's `float box[4]`);
 * filterscale = max(scale, 1); support = filter support · filterscale; ksize = 2·ceil(support) + 1.
 * Output sample xx is centred at in0 + (xx + 0.5)·scale and reads source indices
 * [trunc(center − support + 0.5), trunc(center + support + 0.5)) clipped to [0, inSize); the weight of
 * index x is filter((x − center + 0.5)/filterscale), normalised to sum 1, then scaled by 2^22 and rounded
 * half away from zero.
 *
 * @param inSize - source length along the axis
 * @param in0 - box start (float32)
 * @param in1 - box end (float32)
 * @param outSize - output length
 * @param filter - resampling filter
 * @returns the coefficients
 * @example
 * const c = resampleCoefficients(32, 0, 32, 192, 'bicubic');
 * @category Transforms
 */
export function resampleCoefficients(
  inSize: number,
  in0: number,
  in1: number,
  outSize: number,
  filter: ResampleFilter,
): ResampleCoefficients {
  const f = FILTERS[filter];
  const b0 = Math.fround(in0);
  const b1 = Math.fround(in1);
  const scale = Math.fround(b1 - b0) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = f.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const tmp = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = b0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = f.fn((x + xmin - center + 0.5) * ss);
      tmp[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? (tmp[x] as number) / ww : (tmp[x] as number);
      weights[base + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/** Options of {@link resize}. @category Transforms */
export interface ResizeOptions {
  /** Filter (default `'bilinear'`, torchvision's default). */
  readonly filter?: ResampleFilter;
  /**
   * Source region `[left, top, right, bottom]` in pixels, float32 like Pillow's `box` (default the whole image).
   * Pixels outside the box but inside the image may contribute through the filter support, as in Pillow.
   */
  readonly box?: readonly [number, number, number, number];
}

function clip8(v: number): number {
  const s = v >> PRECISION_BITS;
  return s < 0 ? 0 : Math.min(s, 255);
}

function horizontalPass(
  src: Uint8Array,
  srcWidth: number,
  channels: number,
  rowFirst: number,
  rows: number,
  outWidth: number,
  c: ResampleCoefficients,
): Uint8Array {
  const out = new Uint8Array(outWidth * rows * channels);
  const { ksize, bounds, weights } = c;
  const srcStride = srcWidth * channels;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowFirst) * srcStride;
    if (channels === 3) {
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = bounds[xx * 2] as number;
        const n = bounds[xx * 2 + 1] as number;
        const kb = xx * ksize;
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        let p = rowBase + xmin * 3;
        for (let x = 0; x < n; x++, p += 3) {
          const k = weights[kb + x] as number;
          s0 = (s0 + Math.imul(src[p] as number, k)) | 0;
          s1 = (s1 + Math.imul(src[p + 1] as number, k)) | 0;
          s2 = (s2 + Math.imul(src[p + 2] as number, k)) | 0;
        }
        out[o++] = clip8(s0);
        out[o++] = clip8(s1);
        out[o++] = clip8(s2);
      }
    } else {
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = bounds[xx * 2] as number;
        const n = bounds[xx * 2 + 1] as number;
        const kb = xx * ksize;
        let s0 = HALF;
        let p = rowBase + xmin;
        for (let x = 0; x < n; x++, p++)
          s0 = (s0 + Math.imul(src[p] as number, weights[kb + x] as number)) | 0;
        out[o++] = clip8(s0);
      }
    }
  }
  return out;
}

function verticalPass(
  src: Uint8Array,
  rowLen: number,
  rowShift: number,
  outHeight: number,
  c: ResampleCoefficients,
): Uint8Array {
  const out = new Uint8Array(outHeight * rowLen);
  const { ksize, bounds, weights } = c;
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = (bounds[yy * 2] as number) - rowShift;
    const n = bounds[yy * 2 + 1] as number;
    const kb = yy * ksize;
    const ob = yy * rowLen;
    const rb = ymin * rowLen;
    if (n === 4) {
      // the common upscaling case (bicubic, 4 taps): unrolled
      const k0 = weights[kb] as number;
      const k1 = weights[kb + 1] as number;
      const k2 = weights[kb + 2] as number;
      const k3 = weights[kb + 3] as number;
      const r1 = rb + rowLen;
      const r2 = r1 + rowLen;
      const r3 = r2 + rowLen;
      for (let i = 0; i < rowLen; i++) {
        out[ob + i] = clip8(
          (HALF +
            Math.imul(src[rb + i] as number, k0) +
            Math.imul(src[r1 + i] as number, k1) +
            Math.imul(src[r2 + i] as number, k2) +
            Math.imul(src[r3 + i] as number, k3)) |
            0,
        );
      }
    } else {
      for (let i = 0; i < rowLen; i++) {
        let s = HALF;
        for (let y = 0, p = rb + i; y < n; y++, p += rowLen) {
          s = (s + Math.imul(src[p] as number, weights[kb + y] as number)) | 0;
        }
        out[ob + i] = clip8(s);
      }
    }
  }
  return out;
}

/**
 * Resizes an image exactly like Pillow's `Image.resize((width, height), filter, box)` on an 8-bit image.
 *
 * **Details**
 * Pillow-exact (bit for bit on the committed fixtures: up- and downscaling, RGB and L, odd sizes, float
 * boxes); see the module notes for the algorithm. Same size and whole-image box returns a copy.
 * torchvision's `Resize` on PIL images is this call (its `antialias` flag has no effect on PIL images).
 *
 * @param img - source image, HWC uint8
 * @param width - output columns (≥ 1)
 * @param height - output rows (≥ 1)
 * @param options - filter and source box
 * @returns a new image of `height × width × img.channels`
 * @example
 * const big = resize(cifarImage, 192, 192, { filter: 'bicubic' });
 * @category Transforms
 */
export function resize(
  img: ImageRecord,
  width: number,
  height: number,
  options: ResizeOptions = {},
): ImageRecord {
  const filter = options.filter ?? 'bilinear';
  if (!(filter in FILTERS)) {
    throw new RangeError(`resize: unknown filter '${filter}', expected one of bilinear, bicubic`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize: output size must be positive integers, got ${width}×${height}`);
  }
  const box = (options.box ?? [0, 0, img.width, img.height]).map((v) => Math.fround(v)) as [
    number,
    number,
    number,
    number,
  ];
  if (box[0] < 0 || box[1] < 0) throw new RangeError(`resize: box offset can't be negative (${box})`);
  if (box[2] > img.width || box[3] > img.height) {
    throw new RangeError(`resize: box ${box} exceeds the ${img.width}×${img.height} image`);
  }
  if (box[2] - box[0] < 0 || box[3] - box[1] < 0) throw new RangeError(`resize: box ${box} is empty`);
  const wholeBox = box[0] === 0 && box[1] === 0 && box[2] === img.width && box[3] === img.height;
  if (wholeBox && width === img.width && height === img.height) {
    return { ...img, pixels: img.pixels.slice() };
  }
  const needH = width !== img.width || box[0] !== 0 || box[2] !== width;
  const needV = height !== img.height || box[1] !== 0 || box[3] !== height;
  const ch = resampleCoefficients(img.width, box[0], box[2], width, filter);
  const cv = resampleCoefficients(img.height, box[1], box[3], height, filter);
  const C = img.channels;
  let data = img.pixels;
  let curW = img.width;
  let rowShift = 0;
  if (needH) {
    const first = cv.bounds[0] as number;
    const last = (cv.bounds[height * 2 - 2] as number) + (cv.bounds[height * 2 - 1] as number);
    data = horizontalPass(data, img.width, C, first, last - first, width, ch);
    curW = width;
    rowShift = first;
  }
  if (needV) {
    data = verticalPass(data, curW * C, rowShift, height, cv);
  } else if (data === img.pixels) {
    data = data.slice();
  }
  return { width: curW, height: needV ? height : img.height, channels: C, pixels: data };
}
