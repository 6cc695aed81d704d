import * as tf from '@tensorflow/tfjs-core';

/**
 * Anything {@link expectTensorsClose} can compare: a tensor, a typed array, a (nested) number array
 * or a number.
 *
 * @category Testing
 */
export type TensorLike = tf.Tensor | Float32Array | Float64Array | Int32Array | Uint8Array | NestedNumbers;

/**
 * A number or an arbitrarily nested array of numbers.
 *
 * @category Testing
 */
export type NestedNumbers = number | readonly NestedNumbers[];

/**
 * Tolerances of {@link expectTensorsClose}: `|a − e| ≤ atol + rtol·|e|` element-wise (numpy's `allclose`).
 *
 * @category Testing
 */
export interface CloseOptions {
  /** Relative tolerance; default 1e-5. */
  readonly rtol?: number;
  /** Absolute tolerance; default 1e-6. */
  readonly atol?: number;
  /** Prefix for the failure message. */
  readonly label?: string;
}

function flatten(x: TensorLike): { values: ArrayLike<number>; shape: number[] | undefined } {
  if (x instanceof tf.Tensor) return { values: x.dataSync() as ArrayLike<number>, shape: x.shape };
  if (typeof x === 'number') return { values: [x], shape: [] };
  if (Array.isArray(x))
    return { values: (x as unknown[]).flat(Number.POSITIVE_INFINITY) as number[], shape: undefined };
  return { values: x as ArrayLike<number>, shape: undefined };
}

/**
 * Asserts that two tensors (or arrays) have the same shape and are element-wise close.
 *
 * **Details**
 * Passes when `|actual − expected| ≤ atol + rtol·|expected|` for every element (NaN equals NaN
 * only when both are NaN). The error names the label, the first failing flat index, both values,
 * the largest absolute and relative differences, and how many elements failed. Shapes are checked
 * when both sides are tensors; otherwise lengths are.
 *
 * @param actual - computed values
 * @param expected - reference values
 * @param options - `rtol`, `atol`, `label`
 * @throws `Error` describing the mismatch
 * @example
 * expectTensorsClose(fast, reference, { rtol: 1e-4, atol: 1e-5, label: 'dA' });
 * @category Testing
 */
export function expectTensorsClose(
  actual: TensorLike,
  expected: TensorLike,
  options: CloseOptions = {},
): void {
  const { rtol = 1e-5, atol = 1e-6, label = 'tensors' } = options;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.shape !== undefined && e.shape !== undefined && a.shape.join(',') !== e.shape.join(',')) {
    throw new Error(`${label}: shape [${a.shape}] differs from expected [${e.shape}]`);
  }
  if (a.values.length !== e.values.length) {
    throw new Error(`${label}: ${a.values.length} elements, expected ${e.values.length}`);
  }
  let bad = 0;
  let first = -1;
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < a.values.length; i++) {
    const av = a.values[i];
    const ev = e.values[i];
    if (Number.isNaN(av) || Number.isNaN(ev)) {
      if (Number.isNaN(av) && Number.isNaN(ev)) continue;
      bad++;
      if (first < 0) first = i;
      continue;
    }
    const d = Math.abs(av - ev);
    if (d > maxAbs) maxAbs = d;
    const rel = d / Math.max(Math.abs(ev), Number.MIN_VALUE);
    if (d > 0 && rel > maxRel) maxRel = rel;
    if (!(d <= atol + rtol * Math.abs(ev))) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    throw new Error(
      `${label}: ${bad} of ${a.values.length} elements differ (rtol ${rtol}, atol ${atol}); ` +
        `first at flat index ${first}: got ${a.values[first]}, expected ${e.values[first]}; ` +
        `max |diff| ${maxAbs.toExponential(3)}, max rel ${maxRel.toExponential(3)}`,
    );
  }
}

/**
 * {@link expectTensorsClose} for tensors on any backend, webgpu included: reads them back with
 * `await tensor.data()` first.
 *
 * **Details**
 * Under Node, tfjs-backend-webgpu has no synchronous read-back (`dataSync` needs an
 * `OffscreenCanvas`), so suites that sweep webgpu compare with this. The values read are cached on
 * the tensors, so the comparison itself is {@link expectTensorsClose}'s.
 *
 * @param actual - computed values
 * @param expected - reference values
 * @param options - tolerances and a label
 * @throws `Error` as {@link expectTensorsClose}
 * @example
 * await expectTensorsCloseAsync(y, yRef, { rtol: 1e-4, atol: 1e-5 });
 * @category Testing
 */
export async function expectTensorsCloseAsync(
  actual: TensorLike,
  expected: TensorLike,
  options: CloseOptions = {},
): Promise<void> {
  for (const x of [actual, expected]) if (x instanceof tf.Tensor) await x.data();
  expectTensorsClose(actual, expected, options);
}
