/**
 * Pillow `ImageEnhance` (Brightness, Color, Contrast, Sharpness): a blend of the image with a "degenerate"
 * version of itself, `Image.blend(degenerate, image, factor)`.
 *
 * **Details**
 * Pillow's `ImagingBlend` takes the factor as a C `float` and computes `in1 + α·(in2 − in1)` in float32,
 * truncating to uint8 (clipped to [0, 255] when α is outside [0, 1]). The degenerate images are: black
 * (Brightness), the `convert("L")` grey (Color), a constant grey at the rounded mean of the grey image
 * (Contrast), and the 3×3 SMOOTH filter (kernel [1 1 1; 1 5 1; 1 1 1]/13, borders copied) (Sharpness).
 * All arithmetic is reproduced in float32 with `Math.fround`, so results match Pillow 9.4 bit for bit.
 *
 * @module
 */
import { type ImageRecord, toGrey } from '../../image/image_record.js';

const f32 = Math.fround;

function blendValue(a: number, b: number, alpha: number, extrapolate: boolean): number {
  const t = f32(a + f32(alpha * (b - a)));
  if (!extrapolate) return Math.trunc(t);
  if (t <= 0) return 0;
  if (t >= 255) return 255;
  return Math.trunc(t);
}

/**
 * `Image.blend(degenerate, image, factor)` for two images of the same size (Pillow float32 semantics).
 *
 * @param degenerate - first image (factor 0 returns it)
 * @param image - second image (factor 1 returns it)
 * @param factor - blend factor, any real (outside [0, 1] extrapolates with clipping)
 * @returns a new image
 * @example
 * const half = blend(black, img, 0.5);
 * @category AutoAugment
 */
export function blend(degenerate: ImageRecord, image: ImageRecord, factor: number): ImageRecord {
  const alpha = f32(factor);
  const a = degenerate.pixels;
  const b = image.pixels;
  if (a.length !== b.length) {
    throw new RangeError(`blend: images differ in size (${a.length} vs ${b.length} values)`);
  }
  if (alpha === 0) return { ...degenerate, pixels: a.slice() };
  if (alpha === 1) return { ...image, pixels: b.slice() };
  const extrapolate = !(alpha >= 0 && alpha <= 1);
  const out = new Uint8Array(b.length);
  if (b.length >= 1 << 17) {
    // large images: tabulate all 256×256 (a, b) pairs once, then one lookup per value
    const table = new Uint8Array(1 << 16);
    for (let x = 0; x < 256; x++) {
      for (let y = 0; y < 256; y++) table[(x << 8) | y] = blendValue(x, y, alpha, extrapolate);
    }
    for (let i = 0; i < b.length; i++) out[i] = table[((a[i] as number) << 8) | (b[i] as number)] as number;
  } else {
    // α·(b − a) depends only on the difference: tabulate it once (float32)
    const prod = new Float64Array(511);
    for (let d = -255; d <= 255; d++) prod[d + 255] = f32(alpha * d);
    for (let i = 0; i < b.length; i++) {
      const x = a[i] as number;
      const t = f32(x + (prod[(b[i] as number) - x + 255] as number));
      out[i] = extrapolate ? (t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t)) : Math.trunc(t);
    }
  }
  return { width: image.width, height: image.height, channels: image.channels, pixels: out };
}

function constantBlend(img: ImageRecord, constant: number, factor: number): ImageRecord {
  const alpha = f32(factor);
  if (alpha === 1) return { ...img, pixels: img.pixels.slice() };
  const extrapolate = !(alpha >= 0 && alpha <= 1);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    lut[v] = alpha === 0 ? constant : blendValue(constant, v, alpha, extrapolate);
  }
  const src = img.pixels;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i] as number] as number;
  return { width: img.width, height: img.height, channels: img.channels, pixels: out };
}

/**
 * `ImageEnhance.Brightness(img).enhance(factor)`: blend with black.
 *
 * @param img - source image
 * @param factor - 0 = black, 1 = unchanged
 * @returns a new image
 * @example
 * adjustBrightness(img, 1.3);
 * @category AutoAugment
 */
export function adjustBrightness(img: ImageRecord, factor: number): ImageRecord {
  return constantBlend(img, 0, factor);
}

/**
 * `ImageEnhance.Color(img).enhance(factor)` (torchvision `adjust_saturation`): blend with the grey image.
 *
 * @param img - source image (grey images are returned unchanged)
 * @param factor - 0 = grey, 1 = unchanged
 * @returns a new image
 * @example
 * adjustSaturation(img, 0.5);
 * @category AutoAugment
 */
export function adjustSaturation(img: ImageRecord, factor: number): ImageRecord {
  if (img.channels === 1) return { ...img, pixels: img.pixels.slice() };
  const g = toGrey(img).pixels;
  const n = img.width * img.height;
  const grey = new Uint8Array(n * 3);
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const v = g[i] as number;
    grey[o] = v;
    grey[o + 1] = v;
    grey[o + 2] = v;
  }
  return blend({ ...img, pixels: grey }, img, factor);
}

/**
 * `ImageEnhance.Contrast(img).enhance(factor)`: blend with a constant grey at the mean luma.
 *
 * **Details**
 * mean = int(mean of `convert("L")` + 0.5) (Pillow's `ImageStat` mean from the histogram).
 *
 * @param img - source image
 * @param factor - 0 = flat grey, 1 = unchanged
 * @returns a new image
 * @example
 * adjustContrast(img, 1.5);
 * @category AutoAugment
 */
export function adjustContrast(img: ImageRecord, factor: number): ImageRecord {
  const g = toGrey(img).pixels;
  const hist = new Float64Array(256);
  for (let i = 0; i < g.length; i++) hist[g[i] as number]++;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] as number);
  const mean = Math.trunc(sum / g.length + 0.5);
  return constantBlend(img, mean, factor);
}

/**
 * Pillow's `ImageFilter.SMOOTH` (3×3 kernel [1 1 1; 1 5 1; 1 1 1]/13 in float32, +0.5 rounding, first/last
 * rows and columns copied unchanged).
 *
 * @param img - source image
 * @returns a new image
 * @example
 * const soft = smoothFilter(img);
 * @category AutoAugment
 */
export function smoothFilter(img: ImageRecord): ImageRecord {
  const { width: W, height: H, channels: C } = img;
  const src = img.pixels;
  const out = src.slice();
  if (W < 3 || H < 3) return { ...img, pixels: out };
  const k1 = f32(1 / 13);
  const k5 = f32(5 / 13);
  const stride = W * C;
  // products v·k are exact float32 values of a 256-entry table
  const t1 = new Float64Array(256);
  const t5 = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    t1[v] = f32(v * k1);
    t5[v] = f32(v * k5);
  }
  // Each kernel row is (left·k + mid·k' + right·k) summed left to right in float32. The outer rows use
  // [k1 k1 k1], the centre row [k1 k5 k1]; a source row serves as "outer" for two output rows, so its
  // outer sums are computed once (Float32Array storage rounds to float32).
  const outer = new Float32Array(H * stride);
  const centre = new Float32Array(H * stride);
  for (let y = 0; y < H; y++) {
    for (let p = y * stride + C, end = (y + 1) * stride - C; p < end; p++) {
      const l = t1[src[p - C] as number] as number;
      const r = t1[src[p + C] as number] as number;
      outer[p] = f32(l + (t1[src[p] as number] as number)) + r;
      centre[p] = f32(l + (t5[src[p] as number] as number)) + r;
    }
  }
  for (let y = 1; y < H - 1; y++) {
    for (let p = y * stride + C, end = (y + 1) * stride - C; p < end; p++) {
      // ss = 0.5 (rounding offset); ss += row(y+1); ss += row(y); ss += row(y−1)
      const ss = f32(
        f32(f32(0.5 + (outer[p + stride] as number)) + (centre[p] as number)) + (outer[p - stride] as number),
      );
      out[p] = ss <= 0 ? 0 : ss >= 255 ? 255 : Math.trunc(ss);
    }
  }
  return { width: W, height: H, channels: C, pixels: out };
}

/**
 * `ImageEnhance.Sharpness(img).enhance(factor)`: blend with the SMOOTH-filtered image.
 *
 * @param img - source image
 * @param factor - 0 = smoothed, 1 = unchanged, 2 = sharpened
 * @returns a new image
 * @example
 * adjustSharpness(img, 1.9);
 * @category AutoAugment
 */
export function adjustSharpness(img: ImageRecord, factor: number): ImageRecord {
  return blend(smoothFilter(img), img, factor);
}
