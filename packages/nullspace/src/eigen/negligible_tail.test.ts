import { describe, expect, it } from 'vitest';
import { mulberry32, randn, randomSymmetric } from '../internal/random.js';
import { finishNegligibleTail, frobeniusUpper, TAIL_TOLERANCE, tailIsNegligible } from './negligible_tail.js';

describe('negligible tail of the reduction', () => {
  const rng = mulberry32(5);

  it('takes ‖A‖_F from the upper triangle, at an offset', () => {
    const n = 7;
    const a = randomSymmetric(n, rng);
    let s = 0;
    for (const v of a) s += v * v;
    expect(frobeniusUpper(a, n)).toBeCloseTo(Math.sqrt(s), 13);
    const shifted = new Float64Array(3 + n * n);
    shifted.set(a, 3);
    // the lower triangle is never read
    for (let i = 1; i < n; i++) shifted[3 + i * n] = Number.NaN;
    expect(frobeniusUpper(shifted, n, 3)).toBeCloseTo(Math.sqrt(s), 13);
  });

  it('accepts a trailing block and coupling at rounding level, and nothing larger', () => {
    const n = 40;
    const s = 32;
    const a = randomSymmetric(n, rng);
    const tol = TAIL_TOLERANCE * frobeniusUpper(a, n);
    // trailing block of norm ≈ tol/10
    for (let i = s; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = (tol / 10 / (n - s)) * randn(rng);
    expect(tailIsNegligible(a, n, s, tol / 10, tol)).toBe(true);
    expect(tailIsNegligible(a, n, s, tol, tol)).toBe(false); // the coupling alone is too large
    a[(n - 1) * n + n - 1] = tol; // one entry of the block is too large
    expect(tailIsNegligible(a, n, s, 0, tol)).toBe(false);
    expect(tailIsNegligible(a, n, 1, 0, tol)).toBe(false); // the whole matrix is not negligible
  });

  it('makes the tail rows the identity part of the reduction', () => {
    const n = 6;
    const s = 3;
    const a = randomSymmetric(n, rng);
    const diag = Array.from({ length: n }, (_, i) => a[i * n + i]);
    const d = new Float64Array(n).fill(9);
    const e = new Float64Array(n - 1).fill(9);
    const tau = new Float64Array(n - 1).fill(9);
    finishNegligibleTail(a, n, s, d, e, tau);
    expect(Array.from(d.subarray(s))).toEqual(diag.slice(s));
    expect(Array.from(d.subarray(0, s))).toEqual([9, 9, 9]); // the reduced part is left alone
    expect(Array.from(e)).toEqual([9, 9, 0, 0, 0]);
    expect(Array.from(tau)).toEqual([9, 9, 9, 0, 0]); // τ[s−1] is the last real reflector
    for (let i = s; i < n - 1; i++)
      expect(Array.from(a.subarray(i * n + i + 1, (i + 1) * n))).toEqual([1, ...Array(n - i - 2).fill(0)]);
  });
});
