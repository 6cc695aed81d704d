// Selective-scan core loops (forward and backward) for WebAssembly SIMD (wasm32 + simd128).
//
// Built by packages/ssm-core/scripts/build_scan_wasm.sh into selective_scan.wasm and embedded
// (base64) in src/scan/scan_wasm_binary.ts. No libc: the module has its own linear memory; the
// JS side (src/scan/scan_core_wasm.ts) lays out the arrays from heap_base() upwards.
//
// Layout (row-major float32; Np = dState rounded up to a multiple of 4, padded with zeros):
//   x, dt, y, dy, dx, ddt : [batch, L, D]
//   A, dA                 : [D, Np]       (padding lanes: A = 0)
//   Bm, Cm, dB, dC        : [batch, L, Np] (padding lanes: 0, so padded states stay 0)
// Recurrence (spec §1.2 step 7): h_t[d,n] = exp(dt_t[d]*A[d,n])*h_{t-1}[d,n] + dt_t[d]*B_t[n]*x_t[d],
//   y_t[d] = sum_n C_t[n]*h_t[d,n], h_{-1} = 0. Vectorised over n in 4-lane groups, for each d.
#include "scan_step.h"

#define MAX_K 64 /* Np <= 256 */

extern unsigned char __heap_base;

EXPORT("heap_base") unsigned heap_base(void) { return (unsigned)&__heap_base; }



// Forward over all batch elements. h: scratch [D, Np]. K = Np / 4 is a compile-time constant in
// the specialised copies (K = 4, i.e. dState 13..16, the Mamba default), so B, C stay in registers.
INLINE void forward_body(int batch, int L, int D, const int K, const float *x, const float *dt, const float *A,
                         const float *Bm, const float *Cm, float *y, float *h) {
  const int Np = K << 2;
  v128_t Bv[MAX_K], Cv[MAX_K];
  for (int b = 0; b < batch; b++) {
    for (int i = 0; i < D * Np; i += 4) ST(h + i, wasm_f32x4_splat(0.0f));
    for (int t = 0; t < L; t++) {
      const int row = (b * L + t) * D;
      const float *Bt = Bm + (b * L + t) * Np;
      const float *Ct = Cm + (b * L + t) * Np;
      for (int k = 0; k < K; k++) {
        Bv[k] = LD(Bt + 4 * k);
        Cv[k] = LD(Ct + 4 * k);
      }
      for (int d = 0; d < D; d++) {
        const float dts = dt[row + d];
        const v128_t dtv = wasm_f32x4_splat(dts);
        const v128_t dtx = wasm_f32x4_splat(dts * x[row + d]);
        const float *Ad = A + d * Np;
        float *hd = h + d * Np;
        v128_t acc = wasm_f32x4_splat(0.0f);
        for (int k = 0; k < K; k++) {
          v128_t a = exp4(MUL(dtv, LD(Ad + 4 * k)));
          v128_t hv = ADD(MUL(a, LD(hd + 4 * k)), MUL(dtx, Bv[k]));
          ST(hd + 4 * k, hv);
          acc = ADD(acc, MUL(Cv[k], hv));
        }
        y[row + d] = hsum(acc);
      }
    }
  }
}

EXPORT("scan_forward")
void scan_forward(int batch, int L, int D, int Np, const float *x, const float *dt, const float *A,
                  const float *Bm, const float *Cm, float *y, float *h) {
  const int K = Np >> 2;
  if (K == 4)
    forward_body(batch, L, D, 4, x, dt, A, Bm, Cm, y, h);
  else if (K == 2)
    forward_body(batch, L, D, 2, x, dt, A, Bm, Cm, y, h);
  else if (K == 1)
    forward_body(batch, L, D, 1, x, dt, A, Bm, Cm, y, h);
  else
    forward_body(batch, L, D, K, x, dt, A, Bm, Cm, y, h);
}

// Backward. hs: scratch [L + 1, D, Np]: slot 0 is h_{-1} = 0, slot t + 1 holds h_t of one batch
// element; as: scratch [L, D, Np], the decays exp(dt·A) of that element (computed once, reused by
// the reverse scan); gh: scratch [D, Np]. Outputs dx, ddt [batch, L, D]; dA [D, Np]; dB, dC [batch, L, Np];
// all overwritten.
INLINE void backward_body(int batch, int L, int D, const int K, const float *x, const float *dt, const float *A,
                          const float *Bm, const float *Cm, const float *dy, float *dx, float *ddt, float *dA,
                          float *dB, float *dC, float *hs, float *as, float *gh) {
  const int Np = K << 2;
  const int DN = D * Np;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t Bv[MAX_K], Cv[MAX_K], dBacc[MAX_K], dCacc[MAX_K];
  for (int i = 0; i < DN; i += 4) ST(dA + i, zero);
  for (int i = 0; i < DN; i += 4) ST(hs + i, zero);
  for (int b = 0; b < batch; b++) {
    // forward states of batch element b
    for (int t = 0; t < L; t++) {
      const int row = (b * L + t) * D;
      const float *Bt = Bm + (b * L + t) * Np;
      for (int k = 0; k < K; k++) Bv[k] = LD(Bt + 4 * k);
      float *cur = hs + (t + 1) * DN;
      const float *prev = cur - DN;
      for (int d = 0; d < D; d++) {
        const float dts = dt[row + d];
        const v128_t dtv = wasm_f32x4_splat(dts);
        const v128_t dtx = wasm_f32x4_splat(dts * x[row + d]);
        const float *Ad = A + d * Np;
        for (int k = 0; k < K; k++) {
          v128_t hp = LD(prev + d * Np + 4 * k);
          v128_t a = exp4(MUL(dtv, LD(Ad + 4 * k)));
          ST(as + t * DN + d * Np + 4 * k, a);
          ST(cur + d * Np + 4 * k, ADD(MUL(a, hp), MUL(dtx, Bv[k])));
        }
      }
    }
    // reverse scan; gh carries a_{t+1} * dL/dh_{t+1}
    for (int i = 0; i < DN; i += 4) ST(gh + i, zero);
    for (int t = L - 1; t >= 0; t--) {
      const int row = (b * L + t) * D;
      const int srow = (b * L + t) * Np;
      for (int k = 0; k < K; k++) {
        Bv[k] = LD(Bm + srow + 4 * k);
        Cv[k] = LD(Cm + srow + 4 * k);
        dBacc[k] = zero;
        dCacc[k] = zero;
      }
      const float *cur = hs + (t + 1) * DN;
      const float *prev = cur - DN;
      for (int d = 0; d < D; d++) {
        const float dts = dt[row + d];
        const float xs = x[row + d];
        float gb, gdt;
        scan_reverse_channel(K, dts, xs, dy[row + d], A + d * Np, as + t * DN + d * Np, prev + d * Np,
                             cur + d * Np, dA + d * Np, gh + d * Np, Bv, Cv, dBacc, dCacc, &gb, &gdt);
        dx[row + d] = dts * gb;
        ddt[row + d] = gdt + xs * gb;
      }
      for (int k = 0; k < K; k++) {
        ST(dB + srow + 4 * k, dBacc[k]);
        ST(dC + srow + 4 * k, dCacc[k]);
      }
    }
  }
}

EXPORT("scan_backward")
void scan_backward(int batch, int L, int D, int Np, const float *x, const float *dt, const float *A,
                   const float *Bm, const float *Cm, const float *dy, float *dx, float *ddt, float *dA,
                   float *dB, float *dC, float *hs, float *as, float *gh) {
  const int K = Np >> 2;
  if (K == 4)
    backward_body(batch, L, D, 4, x, dt, A, Bm, Cm, dy, dx, ddt, dA, dB, dC, hs, as, gh);
  else if (K == 2)
    backward_body(batch, L, D, 2, x, dt, A, Bm, Cm, dy, dx, ddt, dA, dB, dC, hs, as, gh);
  else if (K == 1)
    backward_body(batch, L, D, 1, x, dt, A, Bm, Cm, dy, dx, ddt, dA, dB, dC, hs, as, gh);
  else
    backward_body(batch, L, D, K, x, dt, A, Bm, Cm, dy, dx, ddt, dA, dB, dC, hs, as, gh);
}
