/**
 * Blocked Householder reduction of a dense symmetric matrix to tridiagonal form (DSYTRD-like).
 *
 * @module
 */

/** Result of {@link tridiagonalize}: A = Q·T·Qᵀ with Q = H₀·H₁·…·H_{n−2}. */
export interface Tridiagonal {
  readonly n: number;
  /** Diagonal of T, length n. */
  readonly d: Float64Array;
  /** Off-diagonal of T, length max(n−1, 0): T[i, i+1] = e[i]. */
  readonly e: Float64Array;
  /** Householder vectors: row k holds v_k at columns k+1..n−1 (v_k[k+1] = 1), row-major n×n. */
  readonly reflectors: Float64Array;
  /** τ_k of H_k = I − τ_k·v_k·v_kᵀ, length max(n−1, 0). */
  readonly tau: Float64Array;
}

import { finishNegligibleTail, frobeniusUpper, TAIL_TOLERANCE, tailIsNegligible } from './negligible_tail.js';

/** Panel width of the blocked reduction. */
const NB = 32;

/**
 * Reduces a symmetric matrix to tridiagonal form by blocked Householder reflections.
 *
 * **Details**
 * Reads the upper triangle of `a` (row-major); in row-major storage row k right of the diagonal is
 * column k below it, so every reflector is built from a contiguous row. Panels of 32 reflectors are
 * formed as in LAPACK's DLATRD (the current row is brought up to date from the panel's V and W, the
 * symmetric matrix-vector product runs on the stale trailing matrix with V/W corrections), and the
 * trailing upper triangle then gets one rank-64 update A ← A − V·Wᵀ − W·Vᵀ by a 4×4 register-blocked
 * kernel. Cost ≈ 4n³/3 flops. On a numerically rank-deficient matrix the reduction stops after the
 * first panel whose trailing matrix and coupling are below 8ε·‖A‖_F in Frobenius norm: that block
 * is taken as diagonal (e = 0, τ = 0 from there on; a backward error below 8ε·‖A‖_F, the
 * tolerance of divide and conquer's deflation), so a rank-r matrix costs O(n²·r) instead of O(n³).
 *
 * @param a - symmetric matrix, shape [n, n], row-major (not modified)
 * @param n - order
 * @returns d, e, and the reflectors (for back-transformation)
 * @category Eigen
 */
export function tridiagonalize(a: Float64Array, n: number): Tridiagonal {
  const A = Float64Array.from(a.subarray(0, n * n));
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const tau = new Float64Array(Math.max(n - 1, 0));
  const vp = new Float64Array(NB * n);
  const wp = new Float64Array(NB * n);
  const y = new Float64Array(n);
  const tol = TAIL_TOLERANCE * frobeniusUpper(A, n);
  for (let k0 = 0; k0 < n; k0 += NB) {
    const nb = Math.min(NB, n - k0);
    vp.fill(0);
    wp.fill(0);
    for (let j = 0; j < nb; j++) {
      const k = k0 + j;
      const rk = k * n;
      // 1. bring row k (columns k..n−1) up to date with the panel so far
      for (let q = 0; q < j; q++) {
        const vq = vp.subarray(q * n, q * n + n);
        const wq = wp.subarray(q * n, q * n + n);
        const vk = vq[k];
        const wk = wq[k];
        if (vk === 0 && wk === 0) continue;
        for (let c = k; c < n; c++) A[rk + c] -= vk * wq[c] + wk * vq[c];
      }
      d[k] = A[rk + k];
      if (k >= n - 1) break;
      // 2. reflector from x = A[k, k+1..n−1]
      const alpha = A[rk + k + 1];
      let ss = 0;
      for (let c = k + 2; c < n; c++) ss += A[rk + c] * A[rk + c];
      const vrow = vp.subarray(j * n, j * n + n);
      if (ss === 0) {
        e[k] = alpha;
        tau[k] = 0;
        A[rk + k + 1] = 1;
        // v = e_{k+1}, τ = 0: no update; W row stays 0
        continue;
      }
      const norm = Math.sqrt(alpha * alpha + ss);
      const beta = alpha >= 0 ? -norm : norm;
      const t = (beta - alpha) / beta;
      const scal = 1 / (alpha - beta);
      e[k] = beta;
      tau[k] = t;
      A[rk + k + 1] = 1;
      for (let c = k + 2; c < n; c++) A[rk + c] *= scal;
      for (let c = k + 1; c < n; c++) vrow[c] = A[rk + c];
      // 3. y = A_stale22·v − Σ_q (v_q·(w_qᵀv) + w_q·(v_qᵀv)) over indices k+1..n−1
      const s = k + 1;
      y.fill(0, s, n);
      symvUpper(A, n, s, vrow, y);
      for (let q = 0; q < j; q++) {
        const vq = vp.subarray(q * n, q * n + n);
        const wq = wp.subarray(q * n, q * n + n);
        let wv = 0;
        let vv = 0;
        for (let c = s; c < n; c++) {
          wv += wq[c] * vrow[c];
          vv += vq[c] * vrow[c];
        }
        for (let c = s; c < n; c++) y[c] -= vq[c] * wv + wq[c] * vv;
      }
      // 4. w = τ·y − (τ/2)(τ·yᵀv)·v
      let pv = 0;
      for (let c = s; c < n; c++) {
        y[c] *= t;
        pv += y[c] * vrow[c];
      }
      const half = 0.5 * t * pv;
      const wrow = wp.subarray(j * n, j * n + n);
      for (let c = s; c < n; c++) wrow[c] = y[c] - half * vrow[c];
    }
    // trailing update of the upper triangle, indices ≥ k0 + nb
    const s = k0 + nb;
    if (s >= n) continue;
    rank2kUpper(A, n, s, vp, wp, nb);
    if (tailIsNegligible(A, n, s, e[s - 1], tol)) {
      finishNegligibleTail(A, n, s, d, e, tau);
      break;
    }
  }
  return { n, d, e, reflectors: A, tau };
}

/** y[s..n) += A[s..n, s..n]·v using the upper triangle of row-major A. */
function symvUpper(A: Float64Array, n: number, s: number, v: Float64Array, y: Float64Array): void {
  for (let i = s; i < n; i++) {
    const r = i * n;
    const vi = v[i];
    let acc = A[r + i] * vi;
    for (let c = i + 1; c < n; c++) {
      const aic = A[r + c];
      acc += aic * v[c];
      y[c] += aic * vi;
    }
    y[i] += acc;
  }
}

/** A[i, c] −= Σ_p (V[p,i]·W[p,c] + W[p,i]·V[p,c]) for s ≤ i ≤ c < n (panels p-major, stride n). */
function rank2kUpper(
  A: Float64Array,
  n: number,
  s: number,
  vp: Float64Array,
  wp: Float64Array,
  nb: number,
): void {
  const m = n - s;
  const end4 = s + (m - (m % 4));
  for (let i = s; i < end4; i += 4) {
    for (let c = i; c < end4; c += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0; p < nb; p++) {
        const o = p * n;
        const vi0 = vp[o + i],
          vi1 = vp[o + i + 1],
          vi2 = vp[o + i + 2],
          vi3 = vp[o + i + 3];
        const wi0 = wp[o + i],
          wi1 = wp[o + i + 1],
          wi2 = wp[o + i + 2],
          wi3 = wp[o + i + 3];
        const vc0 = vp[o + c],
          vc1 = vp[o + c + 1],
          vc2 = vp[o + c + 2],
          vc3 = vp[o + c + 3];
        const wc0 = wp[o + c],
          wc1 = wp[o + c + 1],
          wc2 = wp[o + c + 2],
          wc3 = wp[o + c + 3];
        c00 += vi0 * wc0 + wi0 * vc0;
        c01 += vi0 * wc1 + wi0 * vc1;
        c02 += vi0 * wc2 + wi0 * vc2;
        c03 += vi0 * wc3 + wi0 * vc3;
        c10 += vi1 * wc0 + wi1 * vc0;
        c11 += vi1 * wc1 + wi1 * vc1;
        c12 += vi1 * wc2 + wi1 * vc2;
        c13 += vi1 * wc3 + wi1 * vc3;
        c20 += vi2 * wc0 + wi2 * vc0;
        c21 += vi2 * wc1 + wi2 * vc1;
        c22 += vi2 * wc2 + wi2 * vc2;
        c23 += vi2 * wc3 + wi2 * vc3;
        c30 += vi3 * wc0 + wi3 * vc0;
        c31 += vi3 * wc1 + wi3 * vc1;
        c32 += vi3 * wc2 + wi3 * vc2;
        c33 += vi3 * wc3 + wi3 * vc3;
      }
      let r = i * n + c;
      A[r] -= c00;
      A[r + 1] -= c01;
      A[r + 2] -= c02;
      A[r + 3] -= c03;
      r += n;
      A[r] -= c10;
      A[r + 1] -= c11;
      A[r + 2] -= c12;
      A[r + 3] -= c13;
      r += n;
      A[r] -= c20;
      A[r + 1] -= c21;
      A[r + 2] -= c22;
      A[r + 3] -= c23;
      r += n;
      A[r] -= c30;
      A[r + 1] -= c31;
      A[r + 2] -= c32;
      A[r + 3] -= c33;
    }
  }
  // leftovers: columns ≥ end4 for every row, and rows ≥ end4
  for (let i = s; i < n; i++) {
    for (let c = Math.max(i, end4); c < n; c++) {
      let acc = 0;
      for (let p = 0; p < nb; p++) {
        const o = p * n;
        acc += vp[o + i] * wp[o + c] + wp[o + i] * vp[o + c];
      }
      A[i * n + c] -= acc;
    }
  }
}
