import { adaptiveThreshold } from './adaptive_threshold.js';

/**
 * How the boundary between the range space (large eigenvalues) and the null space is chosen.
 *
 * - `adaptive`: the official elbow rule (spec §3.4, {@link adaptiveThreshold}).
 * - `fixed-count`: the null space is the `nullDim` smallest directions.
 * - `energy`: the range space is the smallest prefix holding at least `keep` (0..1] of Σ λ.
 * - `ratio`: Adam-NSCL style: the null space is every direction with λ ≤ ratio·λ_max.
 *
 * @category Threshold
 */
export type ThresholdPolicy =
  | { readonly kind: 'adaptive' }
  | { readonly kind: 'fixed-count'; readonly nullDim: number }
  | { readonly kind: 'energy'; readonly keep: number }
  | { readonly kind: 'ratio'; readonly ratio: number };

/**
 * The first index of the null space of a descending spectrum under a threshold policy.
 *
 * **Details**
 * The null space is [i*, n). Policies (spec §3.4, pitfall 22):
 * - `adaptive`: the official rule, exactly (float32 numerics).
 * - `fixed-count`: i* = n − nullDim (nullDim in [0, n]).
 * - `energy`: i* = the smallest r with Σ_{i<r} λᵢ ≥ keep·Σ λᵢ (sums in float64; negative
 *   round-off eigenvalues count as 0). keep = 1 keeps every non-zero direction.
 * - `ratio`: i* = the number of eigenvalues with λ > ratio·λ₀ (so the null space holds λ ≤ ratio·λ₀).
 * Only `adaptive` needs n ≥ 3.
 *
 * @param eigenvaluesDesc - eigenvalues sorted descending, length n
 * @param policy - the rule
 * @returns i* in [0, n]
 * @example
 * nullSpaceStart(values, { kind: 'adaptive' });
 * nullSpaceStart(values, { kind: 'ratio', ratio: 1e-3 });
 * @category Threshold
 */
export function nullSpaceStart(
  eigenvaluesDesc: Float32Array | Float64Array | readonly number[],
  policy: ThresholdPolicy,
): number {
  const s = eigenvaluesDesc;
  const n = s.length;
  for (let i = 1; i < n; i++) {
    if (!(s[i] <= s[i - 1])) {
      throw new RangeError(
        `nullSpaceStart: eigenvalues must be sorted descending, but [${i - 1}]=${s[i - 1]} < [${i}]=${s[i]}`,
      );
    }
  }
  switch (policy.kind) {
    case 'adaptive':
      return adaptiveThreshold(s);
    case 'fixed-count': {
      const k = policy.nullDim;
      if (!Number.isInteger(k) || k < 0 || k > n) {
        throw new RangeError(`nullSpaceStart: fixed-count nullDim=${k}, expected an integer in [0, ${n}]`);
      }
      return n - k;
    }
    case 'energy': {
      const keep = policy.keep;
      if (!(keep > 0 && keep <= 1))
        throw new RangeError(`nullSpaceStart: energy keep=${keep}, expected 0 < keep ≤ 1`);
      let total = 0;
      for (let i = 0; i < n; i++) total += Math.max(0, s[i]);
      if (total === 0) return 0;
      let acc = 0;
      for (let r = 0; r < n; r++) {
        acc += Math.max(0, s[r]);
        if (acc >= keep * total) return r + 1;
      }
      return n;
    }
    case 'ratio': {
      const ratio = policy.ratio;
      if (!(ratio >= 0 && ratio <= 1))
        throw new RangeError(`nullSpaceStart: ratio=${ratio}, expected 0 ≤ ratio ≤ 1`);
      if (n === 0) return 0;
      const cut = ratio * s[0];
      let r = 0;
      while (r < n && s[r] > cut) r++;
      return r;
    }
    default: {
      const kind = (policy as { kind: string }).kind;
      throw new RangeError(
        `nullSpaceStart: unknown threshold policy '${kind}'; known: adaptive, fixed-count, energy, ratio`,
      );
    }
  }
}
