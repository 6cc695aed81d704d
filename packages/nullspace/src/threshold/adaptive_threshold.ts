import { gaussianFilter1d } from './gaussian_filter1d.js';

/**
 * The official adaptive threshold: the start i* of the null space of a descending spectrum.
 *
 * **Details**
 * A port of `adaptive_threshold(svals, offset=0)` of the official Mamba-CL code (spec §3.4,
 * pitfall 5), float32 steps included. With s the spectrum rounded to float32 and n = len(s):
 * - n ≥ 128: f = gaussian_filter1d(s, σ=10) (float32 output); d1[i] = f[i] − f[i+1] and
 *   d2[i] = d1[i] − d1[i+1] in float32; drop = int(n·0.03/2); valid = d2[drop : n−2−drop];
 *   idx = argmax(valid) (first maximum) + int((n − len(valid))/2).
 * - n < 128: the same differences on the unsmoothed s, no drop window, idx = argmax(d2) + 1.
 * - thr = s[idx] (unsmoothed); i* = the largest i with s[i] ≥ thr. The null space is [i*, n).
 * Requires n ≥ 3.
 *
 * @param eigenvaluesDesc - the spectrum, sorted descending, length n
 * @returns i* in [1, n−1]
 * @example
 * const start = adaptiveThreshold(Float32Array.from({ length: 2048 }, (_, i) => Math.exp(-i / 50))); // 31
 * @category Threshold
 */
export function adaptiveThreshold(eigenvaluesDesc: Float32Array | Float64Array | readonly number[]): number {
  const n = eigenvaluesDesc.length;
  if (n < 3) throw new RangeError(`adaptiveThreshold: the spectrum has ${n} values, expected at least 3`);
  const s = Float32Array.from(eigenvaluesDesc as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(s[i])) throw new RangeError(`adaptiveThreshold: the spectrum has NaN at index ${i}`);
  }
  const f = n >= 128 ? gaussianFilter1d(s, 10) : s;
  const d1 = new Float32Array(n - 1);
  for (let i = 0; i < n - 1; i++) d1[i] = f[i] - f[i + 1];
  const d2 = new Float32Array(n - 2);
  for (let i = 0; i < n - 2; i++) d2[i] = d1[i] - d1[i + 1];
  let lo = 0;
  let hi = n - 2;
  if (n >= 128) {
    const drop = Math.trunc((n * 0.03) / 2);
    if (n - drop < 10)
      throw new RangeError(`adaptiveThreshold: n=${n} leaves too few values after the drop window`);
    lo = drop;
    hi = n - 2 - drop;
  }
  let best = lo;
  for (let i = lo + 1; i < hi; i++) if (d2[i] > d2[best]) best = i;
  const offset = Math.trunc((n - (hi - lo)) / 2);
  const idx = best - lo + offset;
  const thr = s[idx];
  let iStar = idx;
  for (let i = n - 1; i >= 0; i--) {
    if (s[i] >= thr) {
      iStar = i;
      break;
    }
  }
  return iStar;
}
