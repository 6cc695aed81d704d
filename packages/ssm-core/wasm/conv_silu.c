// Causal depthwise conv1d + bias + SiLU of the De-focus mixer (spec §1.2 step 2) for WebAssembly
// SIMD, forward and backward, vectorised over channels:
//   c_t = bias + Σ_j w_j ⊙ x_{t−(K−1)+j}   (x_{<0} = 0),   y_t = c_t ⊙ σ(c_t)
// Layout (row-major float32): x, y, dy, dx : [batch, L, C] (C a multiple of 4);
// wT, dwT : [K, C] (the weight [C, 1, K] transposed); bias, dbias : [C].
// The backward recomputes c from x; dwT and dbias are sums over the batch.
#include "simd_math.h"


INLINE v128_t conv_at(int L, int C, int K, int t, int c, const float *xb, const float *wT, const float *bias) {
  v128_t acc = LD(bias + c);
  for (int j = 0; j < K; j++) {
    const int s = t - (K - 1) + j;
    if (s >= 0) acc = ADD(acc, MUL(LD(wT + j * C + c), LD(xb + s * C + c)));
  }
  return acc;
}

EXPORT("conv_silu_forward")
void conv_silu_forward(int batch, int L, int C, int K, const float *x, const float *wT, const float *bias, float *y) {
  for (int b = 0; b < batch; b++) {
    const float *xb = x + b * L * C;
    float *yb = y + b * L * C;
    for (int t = 0; t < L; t++)
      for (int c = 0; c < C; c += 4) {
        v128_t v = conv_at(L, C, K, t, c, xb, wT, bias);
        ST(yb + t * C + c, MUL(v, sigmoid4(v)));
      }
  }
}

// g: scratch [L, C] (dL/dc of one batch element).
EXPORT("conv_silu_backward")
void conv_silu_backward(int batch, int L, int C, int K, const float *x, const float *wT, const float *bias,
                        const float *dy, float *dx, float *dwT, float *dbias, float *g) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  __builtin_memset(dwT, 0, sizeof(float) * K * C);
  __builtin_memset(dbias, 0, sizeof(float) * C);
  for (int b = 0; b < batch; b++) {
    const float *xb = x + b * L * C;
    const float *gyb = dy + b * L * C;
    float *dxb = dx + b * L * C;
    // dL/dc = dy ⊙ σ(c) ⊙ (1 + c ⊙ (1 − σ(c)))
    for (int t = 0; t < L; t++)
      for (int c = 0; c < C; c += 4) {
        v128_t v = conv_at(L, C, K, t, c, xb, wT, bias);
        v128_t sg = sigmoid4(v);
        v128_t gv = MUL(LD(gyb + t * C + c), MUL(sg, ADD(one, MUL(v, wasm_f32x4_sub(one, sg)))));
        ST(g + t * C + c, gv);
        ST(dbias + c, ADD(LD(dbias + c), gv));
      }
    // dx_s = Σ_j w_j ⊙ g_{s+(K−1)−j};  dw_j += Σ_t g_t ⊙ x_{t−(K−1)+j}
    for (int s = 0; s < L; s++)
      for (int c = 0; c < C; c += 4) {
        v128_t acc = wasm_f32x4_splat(0.0f);
        for (int j = 0; j < K; j++) {
          const int t = s + (K - 1) - j;
          if (t < L) {
            acc = ADD(acc, MUL(LD(wT + j * C + c), LD(g + t * C + c)));
            ST(dwT + j * C + c, ADD(LD(dwT + j * C + c), MUL(LD(g + t * C + c), LD(xb + s * C + c))));
          }
        }
        ST(dxb + s * C + c, acc);
      }
  }
}
