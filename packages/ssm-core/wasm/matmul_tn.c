// Weight gradient of a linear layer for WebAssembly SIMD: out[o, i] = Σ_t G[t, o]·X[t, i]
// (out = Gᵀ·X) with G [T, O] and X [T, I] row-major as the layer's forward produced them, so no
// transposed copy is made. Tiles of 4 output rows × 8 columns are accumulated in registers over
// blocks of 128 rows of t (G and X blocks stay in L1); the ragged right and bottom edges take
// narrower tiles. out is overwritten.
#include "simd_math.h"

#define TB 128

// Accumulates rows t0..t1 of one tile (rows o..o+3, columns i..i+7) into out.
INLINE void tile_4x8(int O, int I, int t0, int t1, int o, int i, const float *G, const float *X, float *out) {
  v128_t a00 = LD(out + (o + 0) * I + i), a01 = LD(out + (o + 0) * I + i + 4);
  v128_t a10 = LD(out + (o + 1) * I + i), a11 = LD(out + (o + 1) * I + i + 4);
  v128_t a20 = LD(out + (o + 2) * I + i), a21 = LD(out + (o + 2) * I + i + 4);
  v128_t a30 = LD(out + (o + 3) * I + i), a31 = LD(out + (o + 3) * I + i + 4);
  for (int t = t0; t < t1; t++) {
    const float *xr = X + t * I + i;
    const float *gr = G + t * O + o;
    v128_t x0 = LD(xr), x1 = LD(xr + 4);
    v128_t g = wasm_f32x4_splat(gr[0]);
    a00 = ADD(a00, MUL(g, x0));
    a01 = ADD(a01, MUL(g, x1));
    g = wasm_f32x4_splat(gr[1]);
    a10 = ADD(a10, MUL(g, x0));
    a11 = ADD(a11, MUL(g, x1));
    g = wasm_f32x4_splat(gr[2]);
    a20 = ADD(a20, MUL(g, x0));
    a21 = ADD(a21, MUL(g, x1));
    g = wasm_f32x4_splat(gr[3]);
    a30 = ADD(a30, MUL(g, x0));
    a31 = ADD(a31, MUL(g, x1));
  }
  ST(out + (o + 0) * I + i, a00), ST(out + (o + 0) * I + i + 4, a01);
  ST(out + (o + 1) * I + i, a10), ST(out + (o + 1) * I + i + 4, a11);
  ST(out + (o + 2) * I + i, a20), ST(out + (o + 2) * I + i + 4, a21);
  ST(out + (o + 3) * I + i, a30), ST(out + (o + 3) * I + i + 4, a31);
}

// One output row o, columns i..i+3 (edge tiles).
INLINE void tile_1x4(int O, int I, int t0, int t1, int o, int i, const float *G, const float *X, float *out) {
  v128_t a = LD(out + o * I + i);
  for (int t = t0; t < t1; t++) a = ADD(a, MUL(wasm_f32x4_splat(G[t * O + o]), LD(X + t * I + i)));
  ST(out + o * I + i, a);
}

EXPORT("matmul_tn")
void matmul_tn(int T, int O, int I, const float *G, const float *X, float *out) {
  __builtin_memset(out, 0, sizeof(float) * O * I);
  const int O4 = O & ~3, I8 = I & ~7, I4 = I & ~3;
  for (int t0 = 0; t0 < T; t0 += TB) {
    const int t1 = t0 + TB < T ? t0 + TB : T;
    for (int o = 0; o < O4; o += 4)
      for (int i = 0; i < I8; i += 8) tile_4x8(O, I, t0, t1, o, i, G, X, out);
    for (int o = 0; o < O; o++) {
      const int i0 = o < O4 ? I8 : 0; // rows below the 4-row tiles take every column here
      for (int i = i0; i < I4; i += 4) tile_1x4(O, I, t0, t1, o, i, G, X, out);
      for (int i = I4 > i0 ? I4 : i0; i < I; i++) {
        float acc = out[o * I + i];
        for (int t = t0; t < t1; t++) acc += G[t * O + o] * X[t * I + i];
        out[o * I + i] = acc;
      }
    }
  }
}
