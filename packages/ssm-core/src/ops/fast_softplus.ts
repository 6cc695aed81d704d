import * as tf from '@tensorflow/tfjs-core';

/**
 * softplus(x) = log(1 + eˣ), computed as relu(x) − log(sigmoid(|x|)), with the gradient
 * sigmoid(x)·dy.
 *
 * **Details**
 * Equal to `tf.softplus` up to float32 rounding of numbers near 1: for x > 0, x − log σ(x) =
 * x + log(1 + e^{−x}); for x ≤ 0, −log σ(−x) = log(1 + eˣ). σ(|x|) ∈ [0.5, 1], so the logarithm never
 * sees an underflow; but where softplus(x) < 6e-8 (x < −16.6) it returns 0 instead of ≈ eˣ (absolute
 * error below one float32 ulp of 1, relative accuracy lost). For the Mamba step size Δ this is far
 * below anything the scan can resolve (exp(Δ·A) rounds to 1 either way). On the
 * wasm backend `Sigmoid` is vectorised while `Softplus` and `Exp` are scalar loops, which makes this
 * form about 2× faster there (7.7 vs 16.2 ms forward at [3200, 128]); on the cpu backend it is slower,
 * so {@link softplusForBackend} uses it on wasm only.
 *
 * @param x - any shape
 * @returns softplus(x), same shape
 * @example
 * const delta = fastSoftplus(linear(r, dtProjWeight, dtProjBias)); // Δ of the De-focus mixer
 * @category Ops
 */
export function fastSoftplus<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((xv: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xv]);
    return {
      value: tf.tidy(() => tf.sub(tf.relu(xv), tf.log(tf.sigmoid(tf.abs(xv))))),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.tidy(() => tf.mul(dy as tf.Tensor, tf.sigmoid(saved[0]))),
    };
  }) as any) as (a: tf.Tensor) => T;
  return f(x);
}

/**
 * The faster softplus for the active backend: {@link fastSoftplus} on `wasm`, `tf.softplus` elsewhere.
 *
 * @param x - any shape
 * @returns softplus(x), same shape
 * @category Ops
 */
export function softplusForBackend<T extends tf.Tensor>(x: T): T {
  return tf.getBackend() === 'wasm' ? fastSoftplus(x) : tf.softplus(x);
}
