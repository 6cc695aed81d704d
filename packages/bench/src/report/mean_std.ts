/**
 * Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value).
 *
 * @param values - the figures, e.g. one per seed
 * @returns mean, std and count; NaN mean for an empty list
 * @example
 * meanStd([90, 92]); // { mean: 91, std: 1.414…, n: 2 }
 * @category Results
 */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/**
 * Formats a mean ± std pair with fixed decimals (`90.16 ± 0.31`; only the mean for one value).
 *
 * @param values - the figures
 * @param digits - decimals (default 2)
 * @returns the text, or `–` for an empty list
 * @category Results
 */
export function formatMeanStd(values: readonly number[], digits = 2): string {
  const { mean, std, n } = meanStd(values);
  if (n === 0) return '–';
  if (n === 1) return mean.toFixed(digits);
  return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}
