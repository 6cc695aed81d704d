/**
 * Sizes of one selective-scan problem.
 *
 * @category Scan
 */
export interface ScanDims {
  readonly batch: number;
  readonly seqLen: number;
  readonly dInner: number;
  readonly dState: number;
}

/**
 * Gradients of the core scan, each the shape of its input (row-major, float32).
 *
 * @category Scan
 */
export interface ScanCoreGrads {
  /** [batch, seqLen, dInner] */
  readonly dx: Float32Array;
  /** [batch, seqLen, dInner] */
  readonly ddelta: Float32Array;
  /** [dInner, dState] */
  readonly dA: Float32Array;
  /** [batch, seqLen, dState] */
  readonly dB: Float32Array;
  /** [batch, seqLen, dState] */
  readonly dC: Float32Array;
}

/**
 * A CPU implementation of the core scan loops on plain arrays (what the `fused` kernel runs).
 *
 * **Details**
 * Arrays are row-major float32: x, delta, y, dy [batch, seqLen, dInner]; A [dInner, dState];
 * B, C [batch, seqLen, dState]. `delta` is the final Δ. The backward pass recomputes the forward
 * states of one batch element at a time and runs the reverse scan over them.
 *
 * @category Scan
 */
export interface ScanCore {
  /** `'wasm-simd'` or `'js'`. */
  readonly name: string;
  /** y [batch, seqLen, dInner]. */
  forward(
    dims: ScanDims,
    x: Float32Array,
    delta: Float32Array,
    A: Float32Array,
    B: Float32Array,
    C: Float32Array,
  ): Float32Array;
  /** Gradients of Σ dy⊙y with respect to x, delta, A, B, C. */
  backward(
    dims: ScanDims,
    x: Float32Array,
    delta: Float32Array,
    A: Float32Array,
    B: Float32Array,
    C: Float32Array,
    dy: Float32Array,
  ): ScanCoreGrads;
}
