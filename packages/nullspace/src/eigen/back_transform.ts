import type { Tridiagonal } from './tridiagonalize.js';

const NB = 32;

/**
 * Applies Q = H₀·H₁·…·H_{n−2} of a tridiagonal reduction to k vectors: Z ← Q·Z.
 *
 * **Details**
 * Blocked with the compact WY form (LAPACK DLARFT/DLARFB): reflectors are taken 32 at a time,
 * I − V·T·Vᵀ with T upper triangular, and applied from the last block to the first as
 * Z ← Z − V·(T·(Vᵀ·Z)). Cost ≈ 2n²k flops.
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
    // V panel (p-major): v_{b0+p} lives at indices b0+p+1..n−1
    vp.fill(0);
    for (let p = 0; p < nb; p++) {
      const kk = b0 + p;
      const row = kk * n;
      const o = p * n;
      vp[o + kk + 1] = 1;
      for (let c = kk + 2; c < n; c++) vp[o + c] = R[row + c];
    }
    // T (forward, columnwise): T[p,p] = τ_p; T[0:p, p] = −τ_p·T[0:p,0:p]·(V[:,0:p]ᵀ v_p)
    T.fill(0);
    for (let p = 0; p < nb; p++) {
      const tp = tau[b0 + p];
      T[p * NB + p] = tp;
      if (p === 0) continue;
      const vpp = vp.subarray(p * n, p * n + n);
      for (let q = 0; q < p; q++) {
        const vq = vp.subarray(q * n, q * n + n);
        let s = 0;
        for (let c = b0 + p + 1; c < n; c++) s += vq[c] * vpp[c];
        tmp[q] = -tp * s;
      }
      for (let q = 0; q < p; q++) {
        let s = 0;
        for (let r = q; r < p; r++) s += T[q * NB + r] * tmp[r];
        T[q * NB + p] = s;
      }
    }
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
