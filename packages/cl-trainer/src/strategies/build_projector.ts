/**
 * The projector of spec §3.4 from a cumulative covariance, composed from `@mamba-cl/nullspace`'s
 * eigensolver and threshold policies.
 *
 * @module
 */
import { nullSpaceStart, symmetricEigen, type ThresholdPolicy } from '@mamba-cl/nullspace';

/**
 * Options of {@link nullSpaceProjector}.
 *
 * @category Strategies
 */
export interface NullSpaceProjectorOptions {
  /** Blend η: P = η·P̂ + (1−η)·I (official 0.95; textbook 1). */
  readonly eta: number;
  /** Where the null space starts. */
  readonly threshold: ThresholdPolicy;
  /** `'frobenius'`: P̂ = U₀U₀ᵀ/‖U₀U₀ᵀ‖_F = U₀U₀ᵀ/√k (official); `'none'`: P̂ = U₀U₀ᵀ. */
  readonly normalize: 'frobenius' | 'none';
}

/**
 * Result of {@link nullSpaceProjector}.
 *
 * @category Strategies
 */
export interface NullSpaceProjector {
  /** P, [n, n] row-major float32. */
  readonly projector: Float32Array;
  /** k = n − i*. */
  readonly nullDim: number;
  /** i*. */
  readonly start: number;
}

/**
 * Builds P = η·U₀U₀ᵀ/c + (1−η)·I from a symmetric PSD matrix 𝒦 (spec §3.4).
 *
 * **Details**
 * 𝒦 = V·diag(s)·Vᵀ with s descending ({@link symmetricEigen}); i* from the threshold policy
 * ({@link nullSpaceStart}); U₀ = [v_{i*} … v_{n−1}], k = n − i*; c = √k (`frobenius`) or 1
 * (`none`). Only the smaller side of the eigenvectors is computed: U₀U₀ᵀ = I − U_rU_rᵀ with
 * U_r = [v_0 … v_{i*−1}]. With k = 0 the U₀ term is 0. Computed in float64, returned as float32.
 *
 * @param cov - 𝒦, [n, n] row-major
 * @param n - order
 * @param options - η, threshold, normalisation
 * @returns the projector, k and i*
 * @example
 * const { projector } = nullSpaceProjector(acc.matrix, 2048, { eta: 0.95, threshold: { kind: 'adaptive' }, normalize: 'frobenius' });
 * @category Strategies
 */
export function nullSpaceProjector(
  cov: Float64Array,
  n: number,
  options: NullSpaceProjectorOptions,
): NullSpaceProjector {
  const values = symmetricEigen(cov, n, { vectors: 'none' }).values;
  const start = nullSpaceStart(values, options.threshold);
  const k = n - start;
  const useNull = k <= start;
  const { vectors } = symmetricEigen(cov, n, {
    vectors: useNull ? { from: start, to: n } : { from: 0, to: start },
  });
  const cols = useNull ? k : start;
  // G = U·Uᵀ of the computed side.
  const G = new Float64Array(n * n);
  if (cols > 0 && vectors) {
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += vectors[i * cols + c] * vectors[j * cols + c];
        G[i * n + j] = s;
        G[j * n + i] = s;
      }
    }
  }
  const scale = k === 0 ? 0 : options.eta / (options.normalize === 'frobenius' ? Math.sqrt(k) : 1);
  const P = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const nullPart = useNull ? G[i * n + j] : (i === j ? 1 : 0) - G[i * n + j];
      P[i * n + j] = scale * nullPart + (i === j ? 1 - options.eta : 0);
    }
  }
  return { projector: P, nullDim: k, start };
}
