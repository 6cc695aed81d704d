const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE binary16 bits → number (subnormals, infinities and NaN included).
 *
 * @param h - 16-bit pattern
 * @returns the value
 * @example
 * halfToFloat(0x3c00); // 1
 * @category Weights
 */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * number → IEEE binary16 bits, rounding to nearest even (as `torch.Tensor.half()`).
 *
 * @param v - value
 * @returns 16-bit pattern
 * @example
 * floatToHalf(1); // 0x3c00
 * @category Weights
 */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  e = h >>> 10;
  return sign | h;
}

/**
 * bfloat16 bits → number.
 *
 * @param b - 16-bit pattern (upper half of a float32)
 * @returns the value
 * @example
 * bfloat16ToFloat(0x3f80); // 1
 * @category Weights
 */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/**
 * number → bfloat16 bits, rounding to nearest even (as `torch.Tensor.bfloat16()`).
 *
 * @param v - value
 * @returns 16-bit pattern
 * @example
 * floatToBfloat16(1); // 0x3f80
 * @category Weights
 */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}
