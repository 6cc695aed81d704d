// Shared WebAssembly SIMD helpers of the ssm-core C kernels.
#ifndef MAMBA_CL_SIMD_MATH_H
#define MAMBA_CL_SIMD_MATH_H
#include <wasm_simd128.h>

// Range reduction of 2^t for t already clamped to [−127, 128]: adding 1.5·2^23 rounds to nearest, so
// the low mantissa bits of the returned kb hold k = round(t); *f = t − k lies in [−0.5, 0.5].
static inline v128_t pow2_split(v128_t t, v128_t *f) {
  v128_t kb = wasm_f32x4_add(t, wasm_f32x4_splat(12582912.0f));
  *f = wasm_f32x4_sub(t, wasm_f32x4_sub(kb, wasm_f32x4_splat(12582912.0f)));
  return kb;
}

// p·2^k for the kb of pow2_split: 2^k through the exponent field k + 127 (bits of kb are 0x4B400000 + k).
static inline v128_t pow2_scale(v128_t p, v128_t kb) {
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(kb, wasm_i32x4_splat(127 - 0x4B400000)), 23);
  return wasm_f32x4_mul(p, e);
}

// exp of 4 floats as 2^(x·log2 e): t = x·log2 e clamped to [−127, 128], k = nearest(t), f = t − k in
// [−0.5, 0.5], 2^f by its degree-6 Taylor polynomial (truncation error 1.2e-7), 2^k through the
// exponent bits. Relative error ≈ 1e-7 + |t|·6e-8 (rounding of x·log2 e); t ≤ −127 gives 0 and
// t ≥ 128 gives +inf, as expf underflows and overflows.
static inline v128_t exp4(v128_t x) {
  v128_t t = wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f));
  // pmax/pmin map to single x86 instructions (NaN still propagates: it fails both compares)
  t = wasm_f32x4_pmax(t, wasm_f32x4_splat(-127.0f));
  t = wasm_f32x4_pmin(t, wasm_f32x4_splat(128.0f));
  v128_t f;
  v128_t kb = pow2_split(t, &f);
  v128_t p = wasm_f32x4_splat(1.5403530393381608e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(1.3333558146428443e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(9.6181291076284772e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(5.5504108664821580e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(2.4022650695910071e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(6.9314718055994531e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(1.0f));
  return pow2_scale(p, kb);
}

// 2^t of 4 floats for t <= 0 (a decay exp(Δ·A) = 2^(Δ·A·log2 e) with Δ >= 0, A < 0): t clamped
// below at −127 (then 0), the same range reduction as exp4, 2^f by a degree-5 polynomial fitted for
// minimax relative error (7.5e-8; 2.3e-7 with float32 evaluation). Three operations fewer than exp4
// (no log2 e product, no upper clamp, one degree less).
static inline v128_t exp2_nonpos4(v128_t t) {
  t = wasm_f32x4_pmax(t, wasm_f32x4_splat(-127.0f));
  v128_t f;
  v128_t kb = pow2_split(t, &f);
  v128_t p = wasm_f32x4_splat(1.327640376985073e-3f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(9.6755251288414e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(5.550713464617729e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(2.4022120237350464e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(6.931469440460205e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), wasm_f32x4_splat(1.0f));
  return pow2_scale(p, kb);
}

// σ(z) of 4 floats (exp4 saturates: σ → 0 below z ≈ −88, → 1 above).
static inline v128_t sigmoid4(v128_t z) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_neg(z))));
}

static inline float hsum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store(p, v)
#define MUL wasm_f32x4_mul
#define ADD wasm_f32x4_add

#define INLINE static inline __attribute__((always_inline))
#define EXPORT(name) __attribute__((export_name(name)))

// log(1 + u) of 4 floats for u in [0, 1]: with s = u / (2 + u) in [0, 1/3], log(1 + u) = 2·atanh(s)
// = 2s·(1 + s²/3 + s⁴/5 + … + s¹²/13); the first omitted term is below 1.3e-8 relative. No 1 + u
// is formed, so small u keeps full relative precision.
static inline v128_t log1p4(v128_t u) {
  v128_t s = wasm_f32x4_div(u, ADD(u, wasm_f32x4_splat(2.0f)));
  v128_t s2 = MUL(s, s);
  v128_t p = wasm_f32x4_splat(1.0f / 13.0f);
  p = ADD(MUL(p, s2), wasm_f32x4_splat(1.0f / 11.0f));
  p = ADD(MUL(p, s2), wasm_f32x4_splat(1.0f / 9.0f));
  p = ADD(MUL(p, s2), wasm_f32x4_splat(1.0f / 7.0f));
  p = ADD(MUL(p, s2), wasm_f32x4_splat(1.0f / 5.0f));
  p = ADD(MUL(p, s2), wasm_f32x4_splat(1.0f / 3.0f));
  p = ADD(MUL(p, s2), wasm_f32x4_splat(1.0f));
  return MUL(ADD(s, s), p);
}

#endif
