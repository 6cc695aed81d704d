/**
 * scipy's `gaussian_filter1d` (σ = 10, radius 40, mode 'reflect') as the official threshold uses it.
 *
 * @module
 */

/**
 * The 81 normalised weights of scipy's `_gaussian_kernel1d(sigma=10, order=0, radius=40)`, exactly as
 * scipy 1.17.1 computes them in float64 (made by `scripts/make_threshold_fixtures.py`; the test
 * checks them against the fixture and against a recomputation). Symmetric: w[40 − k] = w[40 + k].
 */
const WEIGHTS_SIGMA10: readonly number[] = [
  1.338370313422507e-5, 1.986655734842237e-5, 2.919617719697334e-5, 4.248018716126791e-5,
  6.119330467460691e-5, 8.727270729847688e-5, 0.00012322818296755546, 0.0001722656535679291,
  0.00023842094378791732, 0.0003266985181525486, 0.00044320737817083, 0.0005952835119854785,
  0.0007915854102050836, 0.0010421464743126617, 0.0013583659959173395, 0.0017529191848301073,
  0.002239566910864681, 0.0028328478237167696, 0.003547639681155197, 0.004398583264829156,
  0.005399371207905357, 0.006561915149103708, 0.007895417309954857, 0.009405385999059445, 0.01109264752611517,
  0.012952418193601448, 0.014973507962462723, 0.017137730653815887, 0.019419592979447405,
  0.021786325532100536, 0.024198302929167474, 0.026609878095082924, 0.028970628424880657,
  0.031226981220346655, 0.033324154813568645, 0.035208323010269146, 0.03682888676940667, 0.038140720991547236,
  0.03910625794033686, 0.03969727334346815, 0.039896256754163625,
];

/** Gaussian weights for any σ and radius, computed the way scipy does (float64, normalised by the sum). */
export function gaussianWeights(sigma: number, radius: number): Float64Array {
  if (sigma === 10 && radius === 40) {
    const w = new Float64Array(81);
    for (let k = 0; k <= 40; k++) {
      w[k] = WEIGHTS_SIGMA10[k];
      w[80 - k] = WEIGHTS_SIGMA10[k];
    }
    return w;
  }
  const w = new Float64Array(2 * radius + 1);
  const s2 = sigma * sigma;
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const v = Math.exp((-0.5 / s2) * k * k);
    w[k + radius] = v;
    sum += v;
  }
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

/** Half-sample symmetric ('reflect' in scipy.ndimage): … s2 s1 s0 | s0 s1 s2 … | sₙ₋₁ sₙ₋₂ … */
function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - 1 - j;
}

/**
 * One-dimensional Gaussian smoothing with scipy.ndimage semantics, float32 in and out.
 *
 * **Details**
 * Mirrors `scipy.ndimage.gaussian_filter1d(x, sigma)` for a float32 vector: radius int(4σ + 0.5),
 * float64 weights ∝ exp(−k²/(2σ²)) normalised to sum 1, boundary mode 'reflect' (half-sample
 * symmetric), every sum formed in float64 in scipy's order for symmetric kernels
 * (w₀·x[i], then + (x[i−k] + x[i+k])·w_k for k = radius … 1) and rounded once to float32 on output
 * (spec §3.4, pitfall 5). The fixtures check it bit for bit against scipy 1.17.1.
 *
 * @param x - the values, length n (read as float32)
 * @param sigma - standard deviation in samples; default 10
 * @returns the smoothed values, Float32Array of length n
 * @example
 * const f = gaussianFilter1d(new Float32Array([3, 2, 1]), 10);
 * @category Threshold
 */
export function gaussianFilter1d(x: Float32Array | Float64Array, sigma = 10): Float32Array {
  const n = x.length;
  const radius = Math.trunc(4 * sigma + 0.5);
  const w = gaussianWeights(sigma, radius);
  // Extended line: radius reflected values either side.
  const ext = new Float64Array(n + 2 * radius);
  for (let i = 0; i < ext.length; i++) ext[i] = Math.fround(x[reflectIndex(i - radius, n)]);
  const out = new Float32Array(n);
  const w0 = w[radius];
  for (let i = 0; i < n; i++) {
    const c = i + radius;
    let acc = ext[c] * w0;
    for (let k = radius; k >= 1; k--) acc += (ext[c - k] + ext[c + k]) * w[radius - k];
    out[i] = acc;
  }
  return out;
}
