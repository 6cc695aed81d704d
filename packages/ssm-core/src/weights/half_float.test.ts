import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './half_float.js';

describe('half / bfloat16 conversions', () => {
  it('round-trips and rounds to nearest even', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(floatToHalf(65504))).toBe(65504);
    expect(halfToFloat(floatToHalf(1e6))).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(floatToHalf(2 ** -24))).toBe(2 ** -24); // smallest subnormal
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // tie → even
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(Number.isNaN(halfToFloat(floatToHalf(Number.NaN)))).toBe(true);
    expect(floatToBfloat16(1)).toBe(0x3f80);
    expect(bfloat16ToFloat(floatToBfloat16(-2.5))).toBe(-2.5);
    expect(bfloat16ToFloat(floatToBfloat16(1 + 2 ** -8))).toBe(1); // tie → even
  });
});
