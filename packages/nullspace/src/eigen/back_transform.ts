import type { Tridiagonal } from './tridiagonalize.js';

const NB = 32;

/**
 * Applies Q = H₀·H₁·…·H_{n−2} of a tridiagonal reduction to k vectors: Z ← Q·Z.
 *
 * **Details**
 * Blocked with the compact WY form (LAPACK DLARFT/DLARFB): reflectors are taken 32 at a time,
 * I − V·T·Vᵀ with T upper triangular, and applied from the last block to the first as
 * Z ← Z − V·(T·(Vᵀ·Z)). Cost ≈ 2n²k flops. Blocks whose τ are all 0 (the identity, as after the
 * reduction's early stop on a rank-deficient matrix) are skipped.
 *
 * @param tri - the reduction (its reflectors and τ)
 * @param z - vectors, shape [n, k], row-major; overwritten with Q·Z
 * @param k - number of columns of z
 * @category Eigen
 */
export function applyQ(tri: Tridiagonal, z: Float64Array, k: number): void {
  const { n, reflectors: R, tau } = tri;
  const nref = n - 1;
  if (nref <= 0 || k === 0) return;
  const vp = new Float64Array(NB * n);
  const T = new Float64Array(NB * NB);
  const W = new Float64Array(NB * k);
  const tmp = new Float64Array(NB);
  const lastStart = Math.floor((nref - 1) / NB) * NB;
  for (let b0 = lastStart; b0 >= 0; b0 -= NB) {
    const nb = Math.min(NB, nref - b0);
    if (identityBlock(tau, b0, nb)) continue;
    buildReflectorBlock(R, tau, n, b0, nb, vp, T, tmp, NB);
    // W = Vᵀ·Z  (nb × k)
    W.fill(0, 0, nb * k);
    const start = b0 + 1;
    for (let i = start; i < n; i++) {
      const zi = i * k;
      for (let p = 0; p < nb; p++) {
        const v = vp[p * n + i];
        if (v === 0) continue;
        const wo = p * k;
        for (let c = 0; c < k; c++) W[wo + c] += v * z[zi + c];
      }
    }
    // W ← T·W (upper triangular, in place, ascending rows)
    for (let p = 0; p < nb; p++) {
      const wo = p * k;
      const tpp = T[p * NB + p];
      for (let c = 0; c < k; c++) W[wo + c] *= tpp;
      for (let q = p + 1; q < nb; q++) {
        const tpq = T[p * NB + q];
        if (tpq === 0) continue;
        const qo = q * k;
        for (let c = 0; c < k; c++) W[wo + c] += tpq * W[qo + c];
      }
    }
    // Z ← Z − V·W
    for (let i = start; i < n; i++) {
      const zi = i * k;
      for (let p = 0; p < nb; p++) {
        const v = vp[p * n + i];
        if (v === 0) continue;
        const wo = p * k;
        for (let c = 0; c < k; c++) z[zi + c] -= v * W[wo + c];
      }
    }
  }
}

/**
 * Whether reflectors b0..b0+nb−1 are all the identity (τ = 0).
 *
 * @param tau - τ of each reflector, [n−1]
 * @param b0 - first reflector of the block
 * @param nb - reflectors in the block
 * @returns true when every τ of the block is 0
 * @internal
 */
export function identityBlock(tau: Float64Array, b0: number, nb: number): boolean {
  for (let p = 0; p < nb; p++) if (tau[b0 + p] !== 0) return false;
  return true;
}

/**
 * Builds one block of the compact WY form (LAPACK DLARFT, forward, columnwise) of a tridiagonal
 * reduction's reflectors b0..b0+nb−1: the V panel, p-major (v_{b0+p} is 1 at b0+p+1 and the stored
 * reflector after it, 0 before), and T upper triangular with T[p,p] = τ_p and
 * T[0:p, p] = −τ_p·T[0:p, 0:p]·(V[:, 0:p]ᵀ·v_p).
 *
 * @param R - reflectors, row-major [n, n] (row kk holds v_kk from column kk+2 on)
 * @param tau - τ of each reflector, [n−1]
 * @param n - matrix size
 * @param b0 - first reflector of the block
 * @param nb - reflectors in the block
 * @param vp - out: V panel, [ldT, n] p-major (overwritten)
 * @param T - out: T, [ldT, ldT] row-major (overwritten)
 * @param tmp - scratch, [ldT]
 * @param ldT - block capacity (row stride of T)
 * @internal
 */
export function buildReflectorBlock(
  R: Float64Array,
  tau: Float64Array,
  n: number,
  b0: number,
  nb: number,
  vp: Float64Array,
  T: Float64Array,
  tmp: Float64Array,
  ldT: number,
): void {
  packReflectorPanel(R, n, b0, nb, vp);
  T.fill(0);
  for (let p = 0; p < nb; p++) {
    const tp = tau[b0 + p];
    T[p * ldT + p] = tp;
    const po = p * n;
    for (let q = 0; q < p; q++) {
      const qo = q * n;
      let s = 0;
      for (let c = b0 + p + 1; c < n; c++) s += vp[qo + c] * vp[po + c];
      tmp[q] = -tp * s;
    }
    for (let q = 0; q < p; q++) {
      let s = 0;
      for (let r = q; r < p; r++) s += T[q * ldT + r] * tmp[r];
      T[q * ldT + p] = s;
    }
  }
}

/**
 * The V panel of reflectors b0..b0+nb−1, p-major: v_{b0+p} is 1 at b0+p+1, the stored reflector
 * after it, 0 before.
 *
 * @param R - reflectors, row-major [n, n] (row kk holds v_kk from column kk+2 on)
 * @param n - matrix size
 * @param b0 - first reflector of the block
 * @param nb - reflectors in the block
 * @param vp - out: V panel, [≥ nb, n] p-major (overwritten)
 * @internal
 */
export function packReflectorPanel(
  R: Float64Array,
  n: number,
  b0: number,
  nb: number,
  vp: Float64Array,
): void {
  vp.fill(0);
  for (let p = 0; p < nb; p++) {
    const kk = b0 + p;
    const row = kk * n;
    const o = p * n;
    vp[o + kk + 1] = 1;
    for (let c = kk + 2; c < n; c++) vp[o + c] = R[row + c];
  }
}
