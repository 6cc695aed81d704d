/**
 * The secular equation of a rank-one modification D + ρ·z·zᵀ (the merge step of divide and
 * conquer, as LAPACK's DLAED4 and DLAED3).
 *
 * @module
 */

const EPS = 2.220446049250313e-16;
const MAX_ITER = 60;

/**
 * Roots of 1/ρ + Σᵢ zᵢ²/(dᵢ − λ) = 0 and the differences dᵢ − λⱼ.
 *
 * **Details**
 * For poles d₀ < d₁ < … < d_{K−1} (strictly increasing) and ρ > 0 the K roots interlace:
 * λⱼ ∈ (dⱼ, dⱼ₊₁) and λ_{K−1} ∈ (d_{K−1}, d_{K−1} + ρ·‖z‖²]. Each root is sought as τ = λ − σ
 * from the closer pole σ (chosen by the sign of the equation at the interval's midpoint), so
 * every difference dᵢ − λⱼ = (dᵢ − σ) − τ is computed to high relative accuracy — what makes the
 * vectors orthogonal after the Gu–Eisenstat correction ({@link secularVectors}). The iteration is
 * DLAED4's "middle way": the sums over poles left and right of the root are each replaced by one
 * simple pole matched in value and slope, and the resulting quadratic is solved; the step is
 * kept inside a bracketing interval (bisection when it would leave it). Stops when
 * |f| ≤ ε·(a bound on f's rounding error).
 *
 * @param dl - poles, strictly increasing, length K
 * @param z - weights (none zero), length K
 * @param rho - ρ > 0
 * @param lambda - out: the K roots, ascending
 * @param delta - out: K×K, delta[j·K + i] = dl[i] − lambda[j]
 * @internal
 */
export function secularRoots(
  dl: Float64Array,
  z: Float64Array,
  rho: number,
  lambda: Float64Array,
  delta: Float64Array,
): void {
  const K = dl.length;
  if (K === 1) {
    lambda[0] = dl[0] + rho * z[0] * z[0];
    delta[0] = -rho * z[0] * z[0];
    return;
  }
  let zsq = 0;
  for (let i = 0; i < K; i++) zsq += z[i] * z[i];
  for (let j = 0; j < K; j++) rootOf(dl, z, rho, zsq, j, lambda, delta.subarray(j * K, j * K + K));
}

function rootOf(
  dl: Float64Array,
  z: Float64Array,
  rho: number,
  zsq: number,
  j: number,
  lambda: Float64Array,
  dlt: Float64Array,
): void {
  const K = dl.length;
  const rhoinv = 1 / rho;
  const last = j === K - 1;
  // origin σ = dl[org]; poles ip (left of the root) and iq = ip + 1 (right), or, for the last root,
  // the two rightmost poles (both left of it)
  let org: number;
  let lo: number;
  let hi: number;
  let ip: number;
  if (last) {
    org = K - 1;
    lo = 0;
    hi = rho * zsq;
    ip = K - 2;
  } else {
    const del = dl[j + 1] - dl[j];
    const mid = 0.5 * del;
    // f at the midpoint, measured from dl[j]
    let f = rhoinv;
    for (let i = 0; i < K; i++) f += (z[i] * z[i]) / (dl[i] - dl[j] - mid);
    if (f > 0) {
      org = j;
      lo = 0;
      hi = mid;
    } else {
      org = j + 1;
      lo = -mid;
      hi = 0;
    }
    ip = j;
  }
  const iq = ip + 1;
  const sig = dl[org];
  for (let i = 0; i < K; i++) dlt[i] = dl[i] - sig;
  // initial guess: the two nearest poles exact, the rest frozen at the bracket's midpoint
  let tau: number;
  {
    const t0 = last ? hi : 0.5 * (lo + hi);
    let c = rhoinv;
    for (let i = 0; i < K; i++) if (i !== ip && i !== iq) c += (z[i] * z[i]) / (dlt[i] - t0);
    tau = solveTwoPole(c, z[ip] * z[ip], z[iq] * z[iq], dlt[ip], dlt[iq], last);
    if (!(tau > lo && tau < hi) && !(last && tau === hi)) tau = last ? 0.5 * hi : 0.5 * (lo + hi);
  }
  for (let it = 0; it < MAX_ITER; it++) {
    // f, its slope split into left (ψ) and right (φ) parts, and a rounding-error bound
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    for (let i = 0; i <= ip; i++) {
      const t = z[i] / (dlt[i] - tau);
      psi += z[i] * t;
      dpsi += t * t;
    }
    for (let i = ip + 1; i < K; i++) {
      const t = z[i] / (dlt[i] - tau);
      phi += z[i] * t;
      dphi += t * t;
    }
    const f = rhoinv + psi + phi;
    const erretm = 8 * (Math.abs(phi) + Math.abs(psi)) + 2 * rhoinv + 3 * Math.abs(tau) * (dpsi + dphi);
    if (Math.abs(f) <= EPS * erretm) break;
    // f increases with λ: f > 0 ⇒ the root is left of τ
    if (f > 0) hi = tau;
    else lo = tau;
    if (hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    const a = dlt[ip] - tau;
    const b = dlt[iq] - tau;
    // model: c + s/(a − η) + S/(b − η) with s/(a−η), S/(b−η) matching ψ and φ in value slope
    const s = a * a * dpsi;
    const S = b * b * dphi;
    const c = f - a * dpsi - b * dphi;
    let eta = solveTwoPole(c, s, S, a, b, last);
    let next = tau + eta;
    if (!(next > lo && next < hi)) {
      // Newton, then bisection
      eta = -f / (dpsi + dphi);
      next = tau + eta;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    }
    tau = next;
  }
  lambda[j] = sig + tau;
  for (let i = 0; i < K; i++) dlt[i] -= tau;
}

/**
 * The root η of c + s/(a − η) + S/(b − η) = 0 between the poles (a < η < b) or, when `right`,
 * right of both (η > b); NaN when the model has none there.
 */
function solveTwoPole(c: number, s: number, S: number, a: number, b: number, right: boolean): number {
  // c·η² − A·η + B = 0
  const A = c * (a + b) + s + S;
  const B = c * a * b + s * b + S * a;
  if (c === 0) return B / A;
  const disc = Math.sqrt(Math.abs(A * A - 4 * B * c));
  let r1: number;
  let r2: number;
  if (A >= 0) {
    r1 = (A + disc) / (2 * c);
    r2 = (2 * B) / (A + disc);
  } else {
    r1 = (A - disc) / (2 * c);
    r2 = (2 * B) / (A - disc);
  }
  if (right) {
    const ok1 = r1 > b;
    const ok2 = r2 > b;
    if (ok1 && ok2) return Math.min(r1, r2);
    return ok1 ? r1 : ok2 ? r2 : Number.NaN;
  }
  if (r1 > a && r1 < b) return r1;
  if (r2 > a && r2 < b) return r2;
  return Number.NaN;
}

/**
 * Orthonormal eigenvectors of D + ρ·z·zᵀ from the roots, by the Gu–Eisenstat (Löwner) correction.
 *
 * **Details**
 * ẑᵢ² = −Πⱼ(dᵢ − λⱼ) / Π_{j≠i}(dᵢ − dⱼ) (up to the factor ρ, which normalisation removes) is
 * the weight vector for which the computed roots are exact; the vectors ẑᵢ/(dᵢ − λⱼ) are then
 * numerically orthogonal however close the roots (DLAED3).
 *
 * @param dl - poles, length K
 * @param z - the original weights (only their signs are used), length K
 * @param delta - in: dl[i] − λ[j] at delta[j·K + i]; out: vector j (unit norm) at [j·K, (j+1)·K)
 * @param w - scratch, length K
 * @internal
 */
export function secularVectors(
  dl: Float64Array,
  z: Float64Array,
  delta: Float64Array,
  w: Float64Array,
): void {
  const K = dl.length;
  if (K === 1) {
    delta[0] = 1;
    return;
  }
  for (let i = 0; i < K; i++) w[i] = delta[i * K + i];
  for (let j = 0; j < K; j++) {
    const o = j * K;
    const dj = dl[j];
    for (let i = 0; i < j; i++) w[i] *= delta[o + i] / (dl[i] - dj);
    for (let i = j + 1; i < K; i++) w[i] *= delta[o + i] / (dl[i] - dj);
  }
  for (let i = 0; i < K; i++) {
    const r = Math.sqrt(Math.abs(w[i]));
    w[i] = z[i] >= 0 ? r : -r;
  }
  for (let j = 0; j < K; j++) {
    const o = j * K;
    let nrm = 0;
    for (let i = 0; i < K; i++) {
      const u = w[i] / delta[o + i];
      delta[o + i] = u;
      nrm += u * u;
    }
    const inv = 1 / Math.sqrt(nrm);
    for (let i = 0; i < K; i++) delta[o + i] *= inv;
  }
}
