/**
 * Pillow affine resampling (`Image.transform(size, AFFINE, matrix, resample, fillcolor=0)`, `Image.rotate`)
 * and the torchvision geometric ops of AutoAugment built on it.
 *
 * **Details**
 * The matrix (a, b, c, d, e, f) maps an output pixel to the source: x' = a·x + b·y + c, y' = d·x + e·y + f.
 * NEAREST follows Pillow's fast paths: a pure scale/translation (b = d = 0) pre-tabulates columns from
 * x' = c + a/2 + a·x (truncated, negative → outside); otherwise 16.16 fixed point
 * (⌊v·65536 + 0.5⌋ coefficients, ⌊·/65536⌋ coordinates). BILINEAR samples at pixel centres
 * (x + 0.5, y + 0.5): outside [0, W)×[0, H) gives the fill (0); inside, the 2×2 neighbours are
 * interpolated in float64 with edge clamping and the result truncated to uint8. BICUBIC uses Pillow's
 * transform kernel (a = −1 cubic convolution over 4×4 neighbours, edges clamped) and clips to [0, 255]
 * before truncating.
 *
 * @module
 */
import type { ImageRecord } from '../../image/image_record.js';

/**
 * Interpolation of the geometric AutoAugment ops (torchvision's default is NEAREST; the official Mamba-CL
 * code passes BILINEAR; BICUBIC is Pillow's transform bicubic, not the resize one).
 *
 * @category AutoAugment
 */
export type AffineInterpolation = 'nearest' | 'bilinear' | 'bicubic';

/** A Pillow affine matrix (a, b, c, d, e, f), output → source. @category AutoAugment */
export type AffineMatrix = readonly [number, number, number, number, number, number];

function coord(v: number): number {
  return v < 0 ? -1 : Math.trunc(v);
}

function scaleAffine(img: ImageRecord, a: AffineMatrix, out: Uint8Array): void {
  const { width: W, height: H, channels: C } = img;
  const src = img.pixels;
  const xin = new Int32Array(W).fill(-1);
  let xo = a[2] + a[0] * 0.5;
  for (let x = 0; x < W; x++) {
    const v = coord(xo);
    if (v >= 0 && v < W) xin[x] = v;
    xo += a[0];
  }
  let yo = a[5] + a[4] * 0.5;
  for (let y = 0; y < H; y++) {
    const yi = coord(yo);
    if (yi >= 0 && yi < H) {
      for (let x = 0; x < W; x++) {
        const sx = xin[x] as number;
        if (sx < 0) continue;
        const s = (yi * W + sx) * C;
        const o = (y * W + x) * C;
        for (let c = 0; c < C; c++) out[o + c] = src[s + c] as number;
      }
    }
    yo += a[4];
  }
}

function affineFixed(img: ImageRecord, a: AffineMatrix, out: Uint8Array): void {
  const { width: W, height: H, channels: C } = img;
  const src = img.pixels;
  const fix = (v: number): number => Math.floor(v * 65536 + 0.5);
  const a0 = fix(a[0]);
  const a1 = fix(a[1]);
  const a3 = fix(a[3]);
  const a4 = fix(a[4]);
  let a2 = fix(a[2] + a[0] * 0.5 + a[1] * 0.5);
  let a5 = fix(a[5] + a[3] * 0.5 + a[4] * 0.5);
  for (let y = 0; y < H; y++) {
    let xx = a2;
    let yy = a5;
    for (let x = 0; x < W; x++) {
      const xi = xx >> 16;
      if (xi >= 0 && xi < W) {
        const yi = yy >> 16;
        if (yi >= 0 && yi < H) {
          const s = (yi * W + xi) * C;
          const o = (y * W + x) * C;
          for (let c = 0; c < C; c++) out[o + c] = src[s + c] as number;
        }
      }
      xx += a0;
      yy += a3;
    }
    a2 += a1;
    a5 += a4;
  }
}

function affineFloatNearest(img: ImageRecord, a: AffineMatrix, out: Uint8Array): void {
  const { width: W, height: H, channels: C } = img;
  const src = img.pixels;
  let xo = a[2] + a[1] * 0.5 + a[0] * 0.5;
  let yo = a[5] + a[4] * 0.5 + a[3] * 0.5;
  for (let y = 0; y < H; y++) {
    let xx = xo;
    let yy = yo;
    for (let x = 0; x < W; x++) {
      const xi = coord(xx);
      const yi = coord(yy);
      if (xi >= 0 && xi < W && yi >= 0 && yi < H) {
        const s = (yi * W + xi) * C;
        const o = (y * W + x) * C;
        for (let c = 0; c < C; c++) out[o + c] = src[s + c] as number;
      }
      xx += a[0];
      yy += a[3];
    }
    xo += a[1];
    yo += a[4];
  }
}

function affineBilinear(img: ImageRecord, a: AffineMatrix, out: Uint8Array): void {
  const { width: W, height: H, channels: C } = img;
  const src = img.pixels;
  for (let y = 0; y < H; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < W; x++) {
      const xc = x + 0.5;
      let xin = a[0] * xc + a[1] * yc + a[2];
      let yin = a[3] * xc + a[4] * yc + a[5];
      if (xin < 0 || xin >= W || yin < 0 || yin >= H) continue;
      xin -= 0.5;
      yin -= 0.5;
      const xf = Math.floor(xin);
      const yf = Math.floor(yin);
      const dx = xin - xf;
      const dy = yin - yf;
      const x0 = (xf < 0 ? 0 : xf < W ? xf : W - 1) * C;
      const x1 = (xf + 1 < 0 ? 0 : xf + 1 < W ? xf + 1 : W - 1) * C;
      const r0 = (yf < 0 ? 0 : yf < H ? yf : H - 1) * W * C;
      const hasR1 = yf + 1 >= 0 && yf + 1 < H;
      const r1 = (yf + 1) * W * C;
      const o = (y * W + x) * C;
      for (let c = 0; c < C; c++) {
        const p00 = src[r0 + x0 + c] as number;
        const v1 = p00 + ((src[r0 + x1 + c] as number) - p00) * dx;
        let v2 = v1;
        if (hasR1) {
          const p10 = src[r1 + x0 + c] as number;
          v2 = p10 + ((src[r1 + x1 + c] as number) - p10) * dx;
        }
        out[o + c] = Math.trunc(v1 + (v2 - v1) * dy);
      }
    }
  }
}

function cubic(v1: number, v2: number, v3: number, v4: number, d: number): number {
  const p1 = v2;
  const p2 = -v1 + v3;
  const p3 = 2 * (v1 - v2) + v3 - v4;
  const p4 = -v1 + v2 - v3 + v4;
  return p1 + d * (p2 + d * (p3 + d * p4));
}

function affineBicubic(img: ImageRecord, a: AffineMatrix, out: Uint8Array): void {
  const { width: W, height: H, channels: C } = img;
  const src = img.pixels;
  const clampX = (x: number): number => (x < 0 ? 0 : x < W ? x : W - 1) * C;
  const stride = W * C;
  for (let y = 0; y < H; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < W; x++) {
      const xc = x + 0.5;
      let xin = a[0] * xc + a[1] * yc + a[2];
      let yin = a[3] * xc + a[4] * yc + a[5];
      if (xin < 0 || xin >= W || yin < 0 || yin >= H) continue;
      xin -= 0.5;
      yin -= 0.5;
      const xf = Math.floor(xin) - 1;
      const yf = Math.floor(yin) - 1;
      const dx = xin - (xf + 1);
      const dy = yin - (yf + 1);
      const x0 = clampX(xf);
      const x1 = clampX(xf + 1);
      const x2 = clampX(xf + 2);
      const x3 = clampX(xf + 3);
      const r0 = (yf < 0 ? 0 : yf < H ? yf : H - 1) * stride;
      const o = (y * W + x) * C;
      for (let c = 0; c < C; c++) {
        const line = (r: number): number =>
          cubic(
            src[r + x0 + c] as number,
            src[r + x1 + c] as number,
            src[r + x2 + c] as number,
            src[r + x3 + c] as number,
            dx,
          );
        // rows below the image repeat the last valid one, as Pillow's BICUBIC_BODY does
        const v1 = line(r0);
        const v2 = yf + 1 >= 0 && yf + 1 < H ? line((yf + 1) * stride) : v1;
        const v3 = yf + 2 >= 0 && yf + 2 < H ? line((yf + 2) * stride) : v2;
        const v4 = yf + 3 >= 0 && yf + 3 < H ? line((yf + 3) * stride) : v3;
        const v = cubic(v1, v2, v3, v4, dy);
        out[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
      }
    }
  }
}

/**
 * `img.transform(img.size, Image.AFFINE, matrix, resample, fillcolor=0)` of Pillow 9.
 *
 * @param img - source image
 * @param matrix - (a, b, c, d, e, f), output pixel → source position
 * @param interpolation - `'nearest'`, `'bilinear'` or `'bicubic'`
 * @returns a new image of the same size; pixels mapped from outside the source are 0
 * @example
 * const shifted = affineTransform(img, [1, 0, -5, 0, 1, 0], 'nearest'); // moves content 5 px right
 * @category AutoAugment
 */
export function affineTransform(
  img: ImageRecord,
  matrix: AffineMatrix,
  interpolation: AffineInterpolation,
): ImageRecord {
  const out = new Uint8Array(img.pixels.length);
  if (interpolation === 'bilinear') {
    affineBilinear(img, matrix, out);
  } else if (interpolation === 'bicubic') {
    affineBicubic(img, matrix, out);
  } else if (interpolation !== 'nearest') {
    throw new RangeError(
      `affineTransform: unknown interpolation '${interpolation as string}', expected nearest, bilinear or bicubic`,
    );
  } else if (matrix[1] === 0 && matrix[3] === 0) {
    scaleAffine(img, matrix, out);
  } else {
    const W = img.width;
    const H = img.height;
    const ok = (x: number, y: number): boolean =>
      Math.abs(x * matrix[0] + y * matrix[1] + matrix[2]) < 32768 &&
      Math.abs(x * matrix[3] + y * matrix[4] + matrix[5]) < 32768;
    if (ok(0, 0) && ok(W, H) && ok(0, H) && ok(W, 0)) affineFixed(img, matrix, out);
    else affineFloatNearest(img, matrix, out);
  }
  return { width: img.width, height: img.height, channels: img.channels, pixels: out };
}

function roundTo15(x: number): number {
  return Number.parseFloat(x.toFixed(15));
}

/**
 * `img.rotate(angle, resample, fillcolor=0)` of Pillow 9 (counter-clockwise degrees, about the centre,
 * same size).
 *
 * **Details**
 * angle mod 360 = 0 → copy; 180 → exact flip; 90/270 on square images → exact transpose. Otherwise the
 * inverse matrix is built from cos/sin of −angle rounded to 15 decimals (as Pillow does) about the centre
 * (W/2, H/2) and applied with {@link affineTransform}.
 *
 * @param img - source image
 * @param angle - degrees, counter-clockwise
 * @param interpolation - `'nearest'`, `'bilinear'` or `'bicubic'`
 * @returns a new image
 * @example
 * rotate(img, 30, 'bilinear');
 * @category AutoAugment
 */
export function rotate(img: ImageRecord, angle: number, interpolation: AffineInterpolation): ImageRecord {
  const deg = ((angle % 360) + 360) % 360;
  const { width: W, height: H, channels: C } = img;
  if (deg === 0) return { ...img, pixels: img.pixels.slice() };
  if (deg === 180 || ((deg === 90 || deg === 270) && W === H)) {
    const out = new Uint8Array(img.pixels.length);
    const src = img.pixels;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let sx: number;
        let sy: number;
        if (deg === 180) {
          sx = W - 1 - x;
          sy = H - 1 - y;
        } else if (deg === 90) {
          sx = W - 1 - y;
          sy = x;
        } else {
          sx = y;
          sy = H - 1 - x;
        }
        const s = (sy * W + sx) * C;
        const o = (y * W + x) * C;
        for (let c = 0; c < C; c++) out[o + c] = src[s + c] as number;
      }
    }
    return { width: W, height: H, channels: C, pixels: out };
  }
  const rad = -(deg * (Math.PI / 180));
  const m0 = roundTo15(Math.cos(rad));
  const m1 = roundTo15(Math.sin(rad));
  const m3 = roundTo15(-Math.sin(rad));
  const m4 = roundTo15(Math.cos(rad));
  const cx = W / 2;
  const cy = H / 2;
  const m2 = m0 * -cx + m1 * -cy + 0 + cx;
  const m5 = m3 * -cx + m4 * -cy + 0 + cy;
  return affineTransform(img, [m0, m1, m2, m3, m4, m5], interpolation);
}

/**
 * torchvision's inverse affine matrix for PIL (`_get_inverse_affine_matrix`), angle/shear in degrees,
 * centre in pixel coordinates.
 *
 * @param center - (cx, cy)
 * @param angle - rotation, degrees
 * @param translate - (tx, ty) pixels
 * @param scale - scale factor
 * @param shear - (sx, sy) degrees
 * @returns the Pillow matrix
 * @example
 * const m = inverseAffineMatrix([0, 0], 0, [0, 0], 1, [16.7, 0]);
 * @category AutoAugment
 */
export function inverseAffineMatrix(
  center: readonly [number, number],
  angle: number,
  translate: readonly [number, number],
  scale: number,
  shear: readonly [number, number],
): AffineMatrix {
  const degToRad = Math.PI / 180;
  const rot = angle * degToRad;
  const sx = shear[0] * degToRad;
  const sy = shear[1] * degToRad;
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d / scale, -b / scale, 0, -c / scale, a / scale, 0];
  // Python: matrix[2] += matrix[0]·(−cx − tx) + matrix[1]·(−cy − ty)  (the sum first)
  m[2] = (m[2] as number) + ((m[0] as number) * (-cx - tx) + (m[1] as number) * (-cy - ty));
  m[5] = (m[5] as number) + ((m[3] as number) * (-cx - tx) + (m[4] as number) * (-cy - ty));
  m[2] = (m[2] as number) + cx;
  m[5] = (m[5] as number) + cy;
  return m as unknown as AffineMatrix;
}

/**
 * torchvision AutoAugment ShearX/ShearY: `F.affine(shear=degrees(atan(m)), center=[0, 0])`.
 *
 * @param img - source image
 * @param axis - `'x'` or `'y'`
 * @param magnitude - signed shear factor (tan of the shear angle)
 * @param interpolation - resampling
 * @returns a new image
 * @example
 * shear(img, 'x', 0.3, 'bilinear');
 * @category AutoAugment
 */
export function shear(
  img: ImageRecord,
  axis: 'x' | 'y',
  magnitude: number,
  interpolation: AffineInterpolation,
): ImageRecord {
  const deg = Math.atan(magnitude) * (180 / Math.PI);
  const m = inverseAffineMatrix([0, 0], 0, [0, 0], 1, axis === 'x' ? [deg, 0] : [0, deg]);
  return affineTransform(img, m, interpolation);
}

/**
 * torchvision AutoAugment TranslateX/TranslateY: `F.affine(translate=[int(m), 0] or [0, int(m)])` about the
 * image centre.
 *
 * @param img - source image
 * @param axis - `'x'` or `'y'`
 * @param magnitude - signed shift in pixels (truncated toward zero)
 * @param interpolation - resampling
 * @returns a new image
 * @example
 * translate(img, 'x', -14.5, 'nearest'); // content moves 14 px left
 * @category AutoAugment
 */
export function translate(
  img: ImageRecord,
  axis: 'x' | 'y',
  magnitude: number,
  interpolation: AffineInterpolation,
): ImageRecord {
  const t = Math.trunc(magnitude);
  const m = inverseAffineMatrix(
    [img.width * 0.5, img.height * 0.5],
    0,
    axis === 'x' ? [t, 0] : [0, t],
    1,
    [0, 0],
  );
  return affineTransform(img, m, interpolation);
}
