import { describe, expect, it } from 'vitest';
import { maxRelativeDifference } from './max_relative_difference.js';

describe('maxRelativeDifference', () => {
  it('is max|a − b| over max|b|', () => {
    expect(maxRelativeDifference([1, 2, -4], [1, 2, -4])).toBe(0);
    expect(maxRelativeDifference([1.5, 2, -4], [1, 2, -4])).toBe(0.5 / 4);
    expect(maxRelativeDifference(new Float32Array([0, 3]), new Float32Array([1, -2]))).toBe(5 / 2);
  });

  it('is the absolute difference against an all-zero reference', () => {
    expect(maxRelativeDifference([0.25, -1], [0, 0])).toBe(1);
  });

  it('refuses different lengths', () => {
    expect(() => maxRelativeDifference([1, 2], [1])).toThrow(/actual has 2 values, expected has 1/);
  });
});
