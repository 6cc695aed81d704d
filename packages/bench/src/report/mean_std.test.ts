import { describe, expect, it } from 'vitest';
import { formatMeanStd, meanStd } from './mean_std.js';

describe('meanStd', () => {
  it('uses the sample standard deviation', () => {
    const r = meanStd([90, 92, 94]);
    expect(r.mean).toBe(92);
    expect(r.std).toBeCloseTo(2, 12);
    expect(r.n).toBe(3);
  });
  it('handles one and zero values', () => {
    expect(meanStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });
  it('formats mean ± std', () => {
    expect(formatMeanStd([90, 92])).toBe('91.00 ± 1.41');
    expect(formatMeanStd([90.123])).toBe('90.12');
    expect(formatMeanStd([])).toBe('–');
  });
});
