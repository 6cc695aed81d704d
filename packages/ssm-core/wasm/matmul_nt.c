// Products of a linear layer for WebAssembly SIMD, without transposed copies:
//   matmul_nt: out[t, o] = Σ_i X[t, i]·W[o, i] (+ bias[o])   (forward, W [O, I] in PyTorch layout)
//   matmul_nn: out[t, o] = Σ_i X[t, i]·B[i, o]               (input gradient dy·W, B [I, O])
// For every block of 8 output columns the operand's 8 columns are packed into panel [I, 8] (zeros
// past O); then tiles of 4 rows × 8 columns accumulate in registers over i, and the ragged bottom
// rows take 1 × 8 tiles. out is overwritten; bias may be 0.
#include "simd_math.h"

// Columns o0..o0+7 of Wᵀ (rows of W [O, I]) into panel [I, 8].
INLINE void pack_panel(int O, int I, int o0, const float *W, float *panel) {
  for (int j = 0; j < 8; j++) {
    const int o = o0 + j;
    if (o < O) {
      const float *wr = W + o * I;
      for (int i = 0; i < I; i++) panel[i * 8 + j] = wr[i];
    } else {
      for (int i = 0; i < I; i++) panel[i * 8 + j] = 0.0f;
    }
  }
}

// Columns o0..o0+7 of B [I, O] into panel [I, 8].
INLINE void pack_panel_nn(int O, int I, int o0, const float *B, float *panel) {
  const int n = O - o0 < 8 ? O - o0 : 8;
  for (int i = 0; i < I; i++) {
    const float *br = B + i * O + o0;
    float *pr = panel + i * 8;
    int j = 0;
    for (; j < n; j++) pr[j] = br[j];
    for (; j < 8; j++) pr[j] = 0.0f;
  }
}

INLINE void store8(float *dst, int n, v128_t a0, v128_t a1, const float *b) {
  if (b) {
    float bb[8];
    for (int j = 0; j < 8; j++) bb[j] = j < n ? b[j] : 0.0f;
    a0 = ADD(a0, LD(bb));
    a1 = ADD(a1, LD(bb + 4));
  }
  if (n == 8) {
    ST(dst, a0);
    ST(dst + 4, a1);
  } else {
    float t[8];
    ST(t, a0);
    ST(t + 4, a1);
    for (int j = 0; j < n; j++) dst[j] = t[j];
  }
}

INLINE void gemm_panels(int T, int O, int I, const float *X, const float *W, int nn, const float *bias, float *out,
                        float *panel) {
  const int T4 = T & ~3;
  for (int o0 = 0; o0 < O; o0 += 8) {
    const int n = O - o0 < 8 ? O - o0 : 8;
    if (nn)
      pack_panel_nn(O, I, o0, W, panel);
    else
      pack_panel(O, I, o0, W, panel);
    const float *b = bias ? bias + o0 : 0;
    for (int t = 0; t < T4; t += 4) {
      const float *x0 = X + t * I, *x1 = x0 + I, *x2 = x1 + I, *x3 = x2 + I;
      v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00;
      v128_t a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      for (int i = 0; i < I; i++) {
        const v128_t p0 = LD(panel + i * 8), p1 = LD(panel + i * 8 + 4);
        v128_t s = wasm_f32x4_splat(x0[i]);
        a00 = ADD(a00, MUL(s, p0));
        a01 = ADD(a01, MUL(s, p1));
        s = wasm_f32x4_splat(x1[i]);
        a10 = ADD(a10, MUL(s, p0));
        a11 = ADD(a11, MUL(s, p1));
        s = wasm_f32x4_splat(x2[i]);
        a20 = ADD(a20, MUL(s, p0));
        a21 = ADD(a21, MUL(s, p1));
        s = wasm_f32x4_splat(x3[i]);
        a30 = ADD(a30, MUL(s, p0));
        a31 = ADD(a31, MUL(s, p1));
      }
      store8(out + (t + 0) * O + o0, n, a00, a01, b);
      store8(out + (t + 1) * O + o0, n, a10, a11, b);
      store8(out + (t + 2) * O + o0, n, a20, a21, b);
      store8(out + (t + 3) * O + o0, n, a30, a31, b);
    }
    for (int t = T4; t < T; t++) {
      const float *x0 = X + t * I;
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
      for (int i = 0; i < I; i++) {
        const v128_t s = wasm_f32x4_splat(x0[i]);
        a0 = ADD(a0, MUL(s, LD(panel + i * 8)));
        a1 = ADD(a1, MUL(s, LD(panel + i * 8 + 4)));
      }
      store8(out + t * O + o0, n, a0, a1, b);
    }
  }
}

EXPORT("matmul_nt")
void matmul_nt(int T, int O, int I, const float *X, const float *W, const float *bias, float *out, float *panel) {
  gemm_panels(T, O, I, X, W, 0, bias, out, panel);
}

EXPORT("matmul_nn")
void matmul_nn(int T, int O, int I, const float *X, const float *B, float *out, float *panel) {
  gemm_panels(T, O, I, X, B, 1, 0, out, panel);
}
