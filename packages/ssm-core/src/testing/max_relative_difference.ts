/**
 * The largest element-wise difference relative to the reference's largest magnitude:
 * `max|actual − expected| / max|expected|` (the plain `max|actual − expected|` when `expected` is all
 * zeros).
 *
 * **Details**
 * One number per tensor, for comparing whole results across backends (webgpu against cpu), where a
 * per-element relative tolerance would be dominated by entries near zero. Lengths must match.
 *
 * @param actual - computed values [n]
 * @param expected - reference values [n]
 * @returns the relative difference (0 when equal)
 * @throws `RangeError` when the lengths differ
 * @example
 * expect(maxRelativeDifference(await gpu.data(), await cpu.data())).toBeLessThan(1e-4);
 * @category Testing
 */
export function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new RangeError(
      `maxRelativeDifference: actual has ${actual.length} values, expected has ${expected.length}`,
    );
  }
  let d = 0;
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    d = Math.max(d, Math.abs(actual[i] - expected[i]));
    m = Math.max(m, Math.abs(expected[i]));
  }
  return m === 0 ? d : d / m;
}
