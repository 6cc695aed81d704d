// The selective scan's reverse step for one channel, shared by selective_scan.c and fused_ssm.c.
#ifndef MAMBA_CL_SCAN_STEP_H
#define MAMBA_CL_SCAN_STEP_H
#include "simd_math.h"

// Channel d at token t, vectorised over K groups of 4 states. With g = gh + dy·C (gh carries
// a_{t+1}·dL/dh_{t+1}): dC += dy·h_t, dB += g·Δ·x, dA += g·h_{t−1}·a·Δ, then gh ← g·a. Returns
// Σ g·B in *gb and Σ g·h_{t−1}·a·A in *gdt, so that dx = Δ·gb and dΔ = gdt + x·gb.
//   Ad, dAd, ghd : this channel's A, dA accumulator and carried gradient [Np]
//   at, hprev, hcur : this channel's decays a_t, states h_{t−1} and h_t [Np]
//   Bv, Cv : B_t and C_t; dBacc, dCacc : this token's dB, dC sums over channels (K vectors each)
INLINE void scan_reverse_channel(const int K, float dts, float xs, float dy, const float *Ad, const float *at,
                                 const float *hprev, const float *hcur, float *dAd, float *ghd, const v128_t *Bv,
                                 const v128_t *Cv, v128_t *dBacc, v128_t *dCacc, float *gb, float *gdt) {
  const v128_t dtv = wasm_f32x4_splat(dts);
  const v128_t dtx = wasm_f32x4_splat(dts * xs);
  const v128_t dyv = wasm_f32x4_splat(dy);
  v128_t sumGB = wasm_f32x4_splat(0.0f), sumDdt = sumGB;
  for (int k = 0; k < K; k++) {
    v128_t Av = LD(Ad + 4 * k);
    v128_t a = LD(at + 4 * k);
    v128_t hp = LD(hprev + 4 * k);
    v128_t g = ADD(LD(ghd + 4 * k), MUL(dyv, Cv[k]));
    dCacc[k] = ADD(dCacc[k], MUL(dyv, LD(hcur + 4 * k)));
    dBacc[k] = ADD(dBacc[k], MUL(g, dtx));
    sumGB = ADD(sumGB, MUL(g, Bv[k]));
    v128_t gha = MUL(MUL(g, hp), a);
    sumDdt = ADD(sumDdt, MUL(gha, Av));
    ST(dAd + 4 * k, ADD(LD(dAd + 4 * k), MUL(gha, dtv)));
    ST(ghd + 4 * k, MUL(g, a));
  }
  *gb = hsum(sumGB);
  *gdt = hsum(sumDdt);
}

#endif
