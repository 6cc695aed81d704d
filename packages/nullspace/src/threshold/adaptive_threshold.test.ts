import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adaptiveThreshold } from './adaptive_threshold.js';
import { gaussianFilter1d, gaussianWeights } from './gaussian_filter1d.js';

interface Fixture {
  gaussianWeightsSigma10: number[];
  specVectors: Record<'exp' | 'inverse' | 'step', { iStar: number }>;
  smoothed: Array<{ n: number; s: number[]; f: number[] }>;
  cases: Array<{ shape: string; n: number; iStar: number; s: number[] }>;
}
const fixture: Fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/threshold_cases.json', import.meta.url), 'utf8'),
);

describe('gaussianFilter1d', () => {
  it('uses scipy’s exact σ=10 weights; a direct float64 computation agrees to 1e-15', () => {
    const w = gaussianWeights(10, 40);
    expect(Array.from(w)).toEqual(fixture.gaussianWeightsSigma10);
    const other = gaussianWeights(3, 12); // generic path
    let sum = 0;
    for (const v of other) sum += v;
    expect(sum).toBeCloseTo(1, 14);
    const raw = Array.from({ length: 81 }, (_, i) => Math.exp((-0.5 / 100) * (i - 40) ** 2));
    const total = raw.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 81; i++) expect(Math.abs(raw[i] / total - w[i])).toBeLessThan(1e-15 * w[i] + 1e-18);
  });

  it('matches scipy.ndimage.gaussian_filter1d bit for bit (float32 output, reflect boundary)', () => {
    for (const c of fixture.smoothed) {
      const f = gaussianFilter1d(Float32Array.from(c.s), 10);
      expect(Array.from(f)).toEqual(c.f.map(Math.fround));
    }
  });

  it('reflects half-sample symmetrically even when the line is shorter than the kernel', () => {
    const f = gaussianFilter1d(new Float32Array([5, 5, 5]), 10);
    for (const v of f) expect(v).toBeCloseTo(5, 5);
  });
});

describe('adaptiveThreshold', () => {
  it('gives the spec test vectors: 31, 31, 109 (n = 2048)', () => {
    const n = 2048;
    const exp = Float32Array.from({ length: n }, (_, i) => Math.exp(-i / 50));
    const inv = Float32Array.from({ length: n }, (_, i) => 1 / (1 + i));
    const step = Float32Array.from({ length: n }, (_, i) => (i < 100 ? 10 : 0.01) * (1 - i / 4096));
    expect(adaptiveThreshold(exp)).toBe(31);
    expect(adaptiveThreshold(inv)).toBe(31);
    expect(adaptiveThreshold(step)).toBe(109);
    expect(fixture.specVectors.exp.iStar).toBe(31);
    expect(fixture.specVectors.step.iStar).toBe(109);
  });

  it(`agrees exactly with the official function on ${fixture.cases.length} spectra (n = 16…2048)`, () => {
    const shapes = new Set<string>();
    let small = 0;
    for (const c of fixture.cases) {
      const got = adaptiveThreshold(Float32Array.from(c.s));
      if (got !== c.iStar) throw new Error(`case ${c.shape} n=${c.n}: i*=${got}, official ${c.iStar}`);
      shapes.add(c.shape);
      if (c.n < 128) small++;
    }
    expect(shapes.size).toBe(7);
    expect(small).toBeGreaterThan(20);
  });

  it('takes the largest index among ties with the threshold value', () => {
    // n < 128 branch: d2 peaks at i=2 → idx=3; s[3] = s[4] = 1 → i* = 4.
    const s = new Float32Array([10, 9, 8, 1, 1, 0.9, 0.8, 0.7]);
    expect(adaptiveThreshold(s)).toBe(4);
  });

  it('rejects too-short spectra and NaN', () => {
    expect(() => adaptiveThreshold([1, 0])).toThrow(/at least 3/);
    expect(() => adaptiveThreshold([1, Number.NaN, 0])).toThrow(/NaN at index 1/);
  });
});
