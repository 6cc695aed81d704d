import type { EigenDecomposition, SymmetricEigenOptions } from './symmetric_eigen.js';

/**
 * A replacement eigen-decomposer: descending eigenvalues and vectors(from, to) as `eigenDecompose`.
 *
 * @category Eigen
 */
export type EigenDecomposer = (
  a: Float64Array,
  n: number,
  options?: SymmetricEigenOptions,
) => EigenDecomposition;

let current: EigenDecomposer | undefined;

/**
 * Installs (or, with `undefined`, removes) a process-wide eigen-decomposer used by
 * `buildProjector` when no `decompose` option is given.
 *
 * **Details**
 * This is the hook for a native fast path: on the `tensorflow` backend a caller can install a
 * decomposer built on TensorFlow's `SelfAdjointEigV2` kernel. NOT PROVIDED OR TESTED HERE: tfjs-node
 * exposes no eigen op in its public API, and tfjs tensors have no float64 dtype, so such a path
 * would run in float32 (as the official code's GPU SVD does) and must be validated against
 * `eigenDecompose` on the machine that has it (`npx vitest run packages/nullspace` with the
 * decomposer installed, comparing projectors).
 *
 * @param decomposer - the replacement, or undefined to restore the built-in solver
 * @returns the previous decomposer
 * @example
 * setDefaultEigenDecomposer(myTensorflowDecomposer);
 * @category Eigen
 */
export function setDefaultEigenDecomposer(
  decomposer: EigenDecomposer | undefined,
): EigenDecomposer | undefined {
  const prev = current;
  current = decomposer;
  return prev;
}

/** The installed decomposer, if any. @internal */
export function defaultEigenDecomposer(): EigenDecomposer | undefined {
  return current;
}
