// RMSNorm over the last axis (the pre-norm of every Mamba block) for WebAssembly SIMD:
//   y = x ⊙ inv ⊙ w,  inv = 1/sqrt(mean(x²) + eps)   per row of F features (F a multiple of 4)
// and its backward: with x̂ = x·inv and ĝ = dy ⊙ w,
//   dx = inv·(ĝ − x̂·mean(ĝ ⊙ x̂)),  dw = Σ_rows dy ⊙ x̂  (overwritten).
#include "simd_math.h"

INLINE float row_inv(const float *x, int F, float eps) {
  v128_t acc = wasm_f32x4_splat(0.0f);
  for (int f = 0; f < F; f += 4) {
    v128_t v = LD(x + f);
    acc = ADD(acc, MUL(v, v));
  }
  return 1.0f / __builtin_sqrtf(hsum(acc) / (float)F + eps);
}

EXPORT("rms_norm_forward")
void rms_norm_forward(int rows, int F, float eps, const float *x, const float *w, float *y) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * F;
    float *yr = y + r * F;
    const v128_t inv = wasm_f32x4_splat(row_inv(xr, F, eps));
    for (int f = 0; f < F; f += 4) ST(yr + f, MUL(MUL(LD(xr + f), inv), LD(w + f)));
  }
}

EXPORT("rms_norm_backward")
void rms_norm_backward(int rows, int F, float eps, const float *x, const float *w, const float *dy, float *dx,
                       float *dw) {
  __builtin_memset(dw, 0, sizeof(float) * F);
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * F;
    const float *gr = dy + r * F;
    float *dxr = dx + r * F;
    const float invs = row_inv(xr, F, eps);
    const v128_t inv = wasm_f32x4_splat(invs);
    v128_t dot = wasm_f32x4_splat(0.0f);
    for (int f = 0; f < F; f += 4) {
      v128_t xh = MUL(LD(xr + f), inv);
      v128_t g = LD(gr + f);
      dot = ADD(dot, MUL(MUL(g, LD(w + f)), xh));
      ST(dw + f, ADD(LD(dw + f), MUL(g, xh)));
    }
    const v128_t m = wasm_f32x4_splat(hsum(dot) / (float)F);
    for (int f = 0; f < F; f += 4) {
      v128_t xh = MUL(LD(xr + f), inv);
      v128_t gh = MUL(LD(gr + f), LD(w + f));
      ST(dxr + f, MUL(inv, wasm_f32x4_sub(gh, MUL(xh, m))));
    }
  }
}
