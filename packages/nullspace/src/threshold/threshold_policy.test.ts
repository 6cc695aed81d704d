import { describe, expect, it } from 'vitest';
import { nullSpaceStart } from './threshold_policy.js';

describe('nullSpaceStart', () => {
  const s = new Float64Array([8, 4, 2, 1, 0.5, 0.25, 0.125, 0]);

  it('adaptive delegates to the official rule', () => {
    const n = 2048;
    const exp = Float64Array.from({ length: n }, (_, i) => Math.exp(-i / 50));
    expect(nullSpaceStart(exp, { kind: 'adaptive' })).toBe(31);
  });

  it('fixed-count keeps the nullDim smallest directions', () => {
    expect(nullSpaceStart(s, { kind: 'fixed-count', nullDim: 3 })).toBe(5);
    expect(nullSpaceStart(s, { kind: 'fixed-count', nullDim: 0 })).toBe(8);
    expect(() => nullSpaceStart(s, { kind: 'fixed-count', nullDim: 9 })).toThrow(/\[0, 8\]/);
  });

  it('energy keeps the smallest prefix with the asked fraction of the mass', () => {
    // total 15.875; 8/15.875 = 0.504, 12/15.875 = 0.756, 14/15.875 = 0.882
    expect(nullSpaceStart(s, { kind: 'energy', keep: 0.5 })).toBe(1);
    expect(nullSpaceStart(s, { kind: 'energy', keep: 0.75 })).toBe(2);
    expect(nullSpaceStart(s, { kind: 'energy', keep: 0.8 })).toBe(3);
    expect(nullSpaceStart(s, { kind: 'energy', keep: 1 })).toBe(7);
  });

  it('ratio puts every λ ≤ ratio·λ_max in the null space', () => {
    expect(nullSpaceStart(s, { kind: 'ratio', ratio: 0.125 })).toBe(3);
    expect(nullSpaceStart(s, { kind: 'ratio', ratio: 0.1 })).toBe(4);
    expect(nullSpaceStart(s, { kind: 'ratio', ratio: 0 })).toBe(7);
  });

  it('rejects unsorted spectra and unknown policies, naming them', () => {
    expect(() => nullSpaceStart([1, 2], { kind: 'ratio', ratio: 0.1 })).toThrow(
      /sorted descending.*\[0\]=1 < \[1\]=2/,
    );
    expect(() => nullSpaceStart(s, { kind: 'bogus' } as never)).toThrow(
      /unknown threshold policy 'bogus'.*adaptive/,
    );
  });
});
