/*
 * Hot kernels of @mamba-cl/nullspace's symmetric eigensolver, compiled to wasm32 with SIMD128
 * (build: ./build.sh). No libc: JS owns the linear memory layout and passes byte offsets.
 * This is a C port of src/eigen/tridiagonalize.ts (same algorithm; the symmetric product is summed
 * in two fixed row parts, so results agree with the TypeScript kernels to rounding) and
 * src/eigen/back_transform.ts, plus the GEMM of the divide-and-conquer merges.
 */
#include <wasm_simd128.h>

#define NB 32

typedef double f64;

static inline f64 fabs_(f64 x) { return x < 0 ? -x : x; }

static inline void gemm_core(const f64 *A, int lda, const f64 *B, int ldb, f64 *C, int ldc, int m, int n, int k,
                             f64 *Ap, int sub);

/*
 * y[s..n) = the contribution of rows [i0, i1) of the upper triangle of A[s..n, s..n] (row-major) to
 * A v (y zeroed first). Four rows at a time share the loads and stores of v and y and keep four
 * independent dot-product chains (the remainder rows go two and one at a time). The reduction splits the rows in two fixed parts (equal area,
 * the cut an even number of rows from s) and adds the two partial vectors, so a helper thread can
 * take one part and the bits do not depend on the thread count.
 */
__attribute__((export_name("symv_rows")))
void symv_rows(const f64 *A, int n, int s, const f64 *v, f64 *y, int i0, int i1) {
  for (int c = s; c < n; c++) y[c] = 0;
  int i = i0;
  /* four rows at a time: four independent dot-product chains, one y update per column pair */
  for (; i + 3 < i1; i += 4) {
    const f64 *r0 = A + (long)i * n;
    const f64 *r1 = r0 + n;
    const f64 *r2 = r1 + n;
    const f64 *r3 = r2 + n;
    const f64 v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
    /* 4x4 diagonal block, upper triangle read */
    f64 acc0 = r0[i] * v0 + r0[i + 1] * v1 + r0[i + 2] * v2 + r0[i + 3] * v3;
    f64 acc1 = r0[i + 1] * v0 + r1[i + 1] * v1 + r1[i + 2] * v2 + r1[i + 3] * v3;
    f64 acc2 = r0[i + 2] * v0 + r1[i + 2] * v1 + r2[i + 2] * v2 + r2[i + 3] * v3;
    f64 acc3 = r0[i + 3] * v0 + r1[i + 3] * v1 + r2[i + 3] * v2 + r3[i + 3] * v3;
    int c = i + 4;
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, s2 = s0, s3 = s0;
    const v128_t vv0 = wasm_f64x2_splat(v0), vv1 = wasm_f64x2_splat(v1);
    const v128_t vv2 = wasm_f64x2_splat(v2), vv3 = wasm_f64x2_splat(v3);
    for (; c + 1 < n; c += 2) {
      const v128_t a0 = wasm_v128_load(r0 + c);
      const v128_t a1 = wasm_v128_load(r1 + c);
      const v128_t a2 = wasm_v128_load(r2 + c);
      const v128_t a3 = wasm_v128_load(r3 + c);
      const v128_t x = wasm_v128_load(v + c);
      s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(a0, x));
      s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(a1, x));
      s2 = wasm_f64x2_add(s2, wasm_f64x2_mul(a2, x));
      s3 = wasm_f64x2_add(s3, wasm_f64x2_mul(a3, x));
      const v128_t lo = wasm_f64x2_add(wasm_f64x2_mul(a0, vv0), wasm_f64x2_mul(a1, vv1));
      const v128_t hi = wasm_f64x2_add(wasm_f64x2_mul(a2, vv2), wasm_f64x2_mul(a3, vv3));
      wasm_v128_store(y + c, wasm_f64x2_add(wasm_v128_load(y + c), wasm_f64x2_add(lo, hi)));
    }
    acc0 += wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
    acc1 += wasm_f64x2_extract_lane(s1, 0) + wasm_f64x2_extract_lane(s1, 1);
    acc2 += wasm_f64x2_extract_lane(s2, 0) + wasm_f64x2_extract_lane(s2, 1);
    acc3 += wasm_f64x2_extract_lane(s3, 0) + wasm_f64x2_extract_lane(s3, 1);
    for (; c < n; c++) {
      acc0 += r0[c] * v[c];
      acc1 += r1[c] * v[c];
      acc2 += r2[c] * v[c];
      acc3 += r3[c] * v[c];
      y[c] += (r0[c] * v0 + r1[c] * v1) + (r2[c] * v2 + r3[c] * v3);
    }
    y[i] += acc0;
    y[i + 1] += acc1;
    y[i + 2] += acc2;
    y[i + 3] += acc3;
  }
  for (; i + 1 < i1; i += 2) {
    const f64 *r0 = A + (long)i * n;
    const f64 *r1 = r0 + n;
    const f64 v0 = v[i], v1 = v[i + 1];
    /* 2x2 diagonal block: A[i,i], A[i,i+1], A[i+1,i+1] */
    f64 acc0 = r0[i] * v0 + r0[i + 1] * v1;
    f64 acc1 = r0[i + 1] * v0 + r1[i + 1] * v1;
    int c = i + 2;
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0;
    const v128_t vv0 = wasm_f64x2_splat(v0), vv1 = wasm_f64x2_splat(v1);
    for (; c + 1 < n; c += 2) {
      const v128_t a0 = wasm_v128_load(r0 + c);
      const v128_t a1 = wasm_v128_load(r1 + c);
      const v128_t x = wasm_v128_load(v + c);
      s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(a0, x));
      s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(a1, x));
      const v128_t yy = wasm_v128_load(y + c);
      wasm_v128_store(y + c, wasm_f64x2_add(yy, wasm_f64x2_add(wasm_f64x2_mul(a0, vv0), wasm_f64x2_mul(a1, vv1))));
    }
    acc0 += wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
    acc1 += wasm_f64x2_extract_lane(s1, 0) + wasm_f64x2_extract_lane(s1, 1);
    for (; c < n; c++) {
      acc0 += r0[c] * v[c];
      acc1 += r1[c] * v[c];
      y[c] += r0[c] * v0 + r1[c] * v1;
    }
    y[i] += acc0;
    y[i + 1] += acc1;
  }
  for (; i < i1; i++) {
    const f64 *r = A + (long)i * n;
    f64 acc = r[i] * v[i];
    for (int c = i + 1; c < n; c++) {
      acc += r[c] * v[c];
      y[c] += r[c] * v[i];
    }
    y[i] += acc;
  }
}

/*
 * Packs the panel's V and W (p-major nb x n) for rank2k_rows: columns [s, end4) in groups of 4,
 * vpk[(g nb + p) 4 + r] = vp[p n + s + 4g + r], so each tile reads contiguous memory (the p-major
 * rows are n apart, which maps them all onto a few cache sets).
 */
__attribute__((export_name("pack_panel")))
void pack_panel(const f64 *vp, const f64 *wp, int n, int nb, int s, f64 *vpk, f64 *wpk) {
  const int g4 = (n - s) >> 2;
  for (int g = 0; g < g4; g++)
    for (int p = 0; p < nb; p++)
      for (int r = 0; r < 4; r++) {
        const long o = ((long)g * nb + p) * 4 + r;
        vpk[o] = vp[(long)p * n + s + 4 * g + r];
        wpk[o] = wp[(long)p * n + s + 4 * g + r];
      }
}

/*
 * A[i, c] -= sum_p V[p,i] W[p,c] + W[p,i] V[p,c], s <= i <= c < n (upper triangle): the 4x4 tiles of
 * rows [i0, i1) (i0, i1 = s + multiples of 4, at most end4 = s + 4*floor((n-s)/4)), then, when tail
 * is set, the entries outside the tiles. The tiles read vpk/wpk (pack_panel), the tail vp/wp. Every entry is computed the same way whatever the split,
 * so threads that take row ranges give the bits of one call.
 */
__attribute__((export_name("rank2k_rows")))
void rank2k_rows(f64 *A, int n, int s, const f64 *vp, const f64 *wp, int nb, int i0, int i1, int tail,
                 const f64 *vpk, const f64 *wpk) {
  const int m = n - s;
  const int end4 = s + (m - (m % 4));
  for (int i = i0; i < i1; i += 4) {
    for (int c = i; c < end4; c += 4) {
      v128_t a00 = wasm_f64x2_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      const f64 *Vc = vpk + (long)((c - s) >> 2) * nb * 4, *Wc = wpk + (long)((c - s) >> 2) * nb * 4;
      const f64 *Vi = vpk + (long)((i - s) >> 2) * nb * 4, *Wi = wpk + (long)((i - s) >> 2) * nb * 4;
      for (int p = 0; p < nb; p++, Vc += 4, Wc += 4, Vi += 4, Wi += 4) {
        const v128_t vc0 = wasm_v128_load(Vc), vc1 = wasm_v128_load(Vc + 2);
        const v128_t wc0 = wasm_v128_load(Wc), wc1 = wasm_v128_load(Wc + 2);
        v128_t vi, wi;
        vi = wasm_f64x2_splat(Vi[0]); wi = wasm_f64x2_splat(Wi[0]);
        a00 = wasm_f64x2_add(a00, wasm_f64x2_add(wasm_f64x2_mul(vi, wc0), wasm_f64x2_mul(wi, vc0)));
        a01 = wasm_f64x2_add(a01, wasm_f64x2_add(wasm_f64x2_mul(vi, wc1), wasm_f64x2_mul(wi, vc1)));
        vi = wasm_f64x2_splat(Vi[1]); wi = wasm_f64x2_splat(Wi[1]);
        a10 = wasm_f64x2_add(a10, wasm_f64x2_add(wasm_f64x2_mul(vi, wc0), wasm_f64x2_mul(wi, vc0)));
        a11 = wasm_f64x2_add(a11, wasm_f64x2_add(wasm_f64x2_mul(vi, wc1), wasm_f64x2_mul(wi, vc1)));
        vi = wasm_f64x2_splat(Vi[2]); wi = wasm_f64x2_splat(Wi[2]);
        a20 = wasm_f64x2_add(a20, wasm_f64x2_add(wasm_f64x2_mul(vi, wc0), wasm_f64x2_mul(wi, vc0)));
        a21 = wasm_f64x2_add(a21, wasm_f64x2_add(wasm_f64x2_mul(vi, wc1), wasm_f64x2_mul(wi, vc1)));
        vi = wasm_f64x2_splat(Vi[3]); wi = wasm_f64x2_splat(Wi[3]);
        a30 = wasm_f64x2_add(a30, wasm_f64x2_add(wasm_f64x2_mul(vi, wc0), wasm_f64x2_mul(wi, vc0)));
        a31 = wasm_f64x2_add(a31, wasm_f64x2_add(wasm_f64x2_mul(vi, wc1), wasm_f64x2_mul(wi, vc1)));
      }
      f64 *r = A + (long)i * n + c;
      wasm_v128_store(r, wasm_f64x2_sub(wasm_v128_load(r), a00));
      wasm_v128_store(r + 2, wasm_f64x2_sub(wasm_v128_load(r + 2), a01));
      r += n;
      wasm_v128_store(r, wasm_f64x2_sub(wasm_v128_load(r), a10));
      wasm_v128_store(r + 2, wasm_f64x2_sub(wasm_v128_load(r + 2), a11));
      r += n;
      wasm_v128_store(r, wasm_f64x2_sub(wasm_v128_load(r), a20));
      wasm_v128_store(r + 2, wasm_f64x2_sub(wasm_v128_load(r + 2), a21));
      r += n;
      wasm_v128_store(r, wasm_f64x2_sub(wasm_v128_load(r), a30));
      wasm_v128_store(r + 2, wasm_f64x2_sub(wasm_v128_load(r + 2), a31));
    }
  }
  if (!tail) return;
  for (int i = s; i < n; i++) {
    for (int c = (i > end4 ? i : end4); c < n; c++) {
      f64 acc = 0;
      for (int p = 0; p < nb; p++) acc += vp[(long)p * n + i] * wp[(long)p * n + c] + wp[(long)p * n + i] * vp[(long)p * n + c];
      A[(long)i * n + c] -= acc;
    }
  }
}

/*
 * The blocked Householder tridiagonalisation (DSYTRD/DLATRD-like), one column of a panel at a time
 * so that the symmetric matrix-vector product can be split across threads. For panel k0 (columns
 * k0..k0+NB-1) and each j: panel_column brings row k = k0 + j up to date with the panel's V and W
 * (on the stale trailing matrix), writes d[k], forms the reflector (e[k], tau[k]; v_k left in row
 * k, columns k+1..n-1, and in vp row j) and returns 1 when the product is needed, 0 when the
 * reflector is the identity, 2 past the last column. Then y0 = A22 v by symv_rows over the two row
 * parts (y0 and y1), and panel_w sums them and forms w_j. After the panel the trailing upper
 * triangle gets A -= V W^T + W V^T by rank2k_rows. Scratch: vp, wp (NB*n each), y0, y1 (n each).
 */
__attribute__((export_name("panel_column")))
int panel_column(f64 *A, int n, int k0, int j, f64 *d, f64 *e, f64 *tau, f64 *vp, f64 *wp) {
  if (j == 0)
    for (long i = 0; i < (long)NB * n; i++) { vp[i] = 0; wp[i] = 0; }
  const int k = k0 + j;
  f64 *rk = A + (long)k * n;
  for (int q = 0; q < j; q++) {
    const f64 *vq = vp + (long)q * n, *wq = wp + (long)q * n;
    const f64 vk = vq[k], wk = wq[k];
    if (vk == 0 && wk == 0) continue;
    for (int c = k; c < n; c++) rk[c] -= vk * wq[c] + wk * vq[c];
  }
  d[k] = rk[k];
  if (k >= n - 1) return 2;
  const f64 alpha = rk[k + 1];
  f64 ss = 0;
  for (int c = k + 2; c < n; c++) ss += rk[c] * rk[c];
  f64 *vrow = vp + (long)j * n;
  if (ss == 0) {
    e[k] = alpha;
    tau[k] = 0;
    rk[k + 1] = 1;
    return 0;
  }
  const f64 norm = __builtin_sqrt(alpha * alpha + ss);
  const f64 beta = alpha >= 0 ? -norm : norm;
  const f64 t = (beta - alpha) / beta;
  const f64 scal = 1 / (alpha - beta);
  e[k] = beta;
  tau[k] = t;
  rk[k + 1] = 1;
  for (int c = k + 2; c < n; c++) rk[c] *= scal;
  for (int c = k + 1; c < n; c++) vrow[c] = rk[c];
  return 1;
}

__attribute__((export_name("panel_w")))
void panel_w(int n, int k0, int j, const f64 *tau, const f64 *vp, f64 *wp, f64 *y, const f64 *y1) {
  const int k = k0 + j;
  const int s = k + 1;
  const f64 t = tau[k];
  const f64 *vrow = vp + (long)j * n;
  for (int c = s; c < n; c++) y[c] += y1[c];
  for (int q = 0; q < j; q++) {
    const f64 *vq = vp + (long)q * n, *wq = wp + (long)q * n;
    f64 wv = 0, vv = 0;
    for (int c = s; c < n; c++) { wv += wq[c] * vrow[c]; vv += vq[c] * vrow[c]; }
    for (int c = s; c < n; c++) y[c] -= vq[c] * wv + wq[c] * vv;
  }
  f64 pv = 0;
  for (int c = s; c < n; c++) { y[c] *= t; pv += y[c] * vrow[c]; }
  const f64 half = 0.5 * t * pv;
  f64 *wrow = wp + (long)j * n;
  for (int c = s; c < n; c++) wrow[c] = y[c] - half * vrow[c];
}

/*
 * The compact WY factor of one block of nb reflectors (LAPACK DLARFT, forward, columnwise) from its
 * V panel (vp, p-major nb x n: v_{b0+p} is 1 at b0+p+1 and zero before): vt = V transposed (rows
 * b0+1..n-1, nb per row), T upper triangular (ld NB) with T[p,p] = tau_p and
 * T[0:p, p] = -tau_p T[0:p, 0:p] (V[:, 0:p]^T v_p). G: NB x NB scratch for the Gram V V^T, summed
 * over rows in ascending order from b0+1 (the zeros before b0+p+1 add exactly nothing), so T has the
 * bits of src/eigen/back_transform.ts's buildReflectorBlock.
 */
__attribute__((export_name("reflector_t")))
void reflector_t(const f64 *vp, const f64 *tau, f64 *T, f64 *vt, f64 *G, int n, int nb, int b0) {
  for (int i = b0 + 1; i < n; i++)
    for (int p = 0; p < nb; p++) vt[(long)i * nb + p] = vp[(long)p * n + i];
  for (int i = 0; i < NB * NB; i++) G[i] = 0;
  /* G[q NB + p] += vt[i, q] vt[i, p] for q < p, two p at a time */
  for (int i = b0 + 1; i < n; i++) {
    const f64 *r = vt + (long)i * nb;
    for (int q = 0; q < nb - 1; q++) {
      const f64 x = r[q];
      f64 *g = G + q * NB;
      int p = q + 1;
      const v128_t xs = wasm_f64x2_splat(x);
      for (; p + 1 < nb; p += 2)
        wasm_v128_store(g + p, wasm_f64x2_add(wasm_v128_load(g + p), wasm_f64x2_mul(xs, wasm_v128_load(r + p))));
      for (; p < nb; p++) g[p] += x * r[p];
    }
  }
  for (int i = 0; i < NB * NB; i++) T[i] = 0;
  f64 tmp[NB];
  for (int p = 0; p < nb; p++) {
    const f64 tp = tau[p];
    T[p * NB + p] = tp;
    for (int q = 0; q < p; q++) tmp[q] = -tp * G[q * NB + p];
    for (int q = 0; q < p; q++) {
      f64 s = 0;
      for (int r = q; r < p; r++) s += T[q * NB + r] * tmp[r];
      T[q * NB + p] = s;
    }
  }
}

/*
 * Z <- Z - V (T (V^T Z)) for one block of nb reflectors, as two products on gemm_core. V: the panel
 * p-major (vp, nb x n) and transposed (vt, n x nb row-major); T nb x NB upper triangular; Z row-major
 * n x k with row stride ldz, rows start..n-1 touched. Read column-major, row-major Z is Zc (k x n,
 * ld ldz), so W^T = Zc V^T (k x nb, ld k, in W), W^T <- W^T T^T, and Zc -= W^T V. Ap: MC*KC
 * scratch. Columns are independent and every entry is summed the same way whatever the split, so
 * threads that take column ranges give the bits of one call.
 */
__attribute__((export_name("apply_block")))
void apply_block(const f64 *vp, const f64 *vt, const f64 *T, f64 *z, f64 *W, f64 *Ap, int n, int k, int ldz, int nb,
                 int start) {
  const int len = n - start;
  if (len <= 0 || k <= 0) return;
  f64 *zs = z + (long)start * ldz;
  /* W^T[c, p] = sum_i Z[i, c] V[p, i] */
  gemm_core(zs, ldz, vp + start, n, W, k, k, nb, len, Ap, 0);
  /* W <- T W: column p of W^T becomes sum_{q >= p} T[p, q] column q (ascending p, in place) */
  for (int p = 0; p < nb; p++) {
    f64 *wp_ = W + (long)p * k;
    const f64 tpp = T[p * NB + p];
    for (int c = 0; c < k; c++) wp_[c] *= tpp;
    for (int q = p + 1; q < nb; q++) {
      const f64 tpq = T[p * NB + q];
      if (tpq == 0) continue;
      const f64 *wq = W + (long)q * k;
      for (int c = 0; c < k; c++) wp_[c] += tpq * wq[c];
    }
  }
  /* Zc[:, i] -= W^T V[:, i] */
  gemm_core(W, k, vt + (long)start * nb, nb, zs, ldz, k, len, nb, Ap, 1);
}

/*
 * G[i, j] += sum_r X[r, i] X[r, j] for j >= i (upper triangle of the dim x dim float64 G), X
 * row-major rows x dim float32. Rows in blocks of 128 (the block stays in cache while 4x4 tiles of G
 * are formed with f64x2 accumulators).
 */
__attribute__((export_name("gram_upper")))
void gram_upper(const float *X, int rows, int dim, f64 *G) {
  const int d4 = dim - (dim % 4);
  for (int r0 = 0; r0 < rows; r0 += 128) {
    const int r1 = (rows - r0 < 128) ? rows : r0 + 128;
    for (int i = 0; i < d4; i += 4) {
      for (int j = i; j < d4; j += 4) {
        v128_t a00 = wasm_f64x2_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int r = r0; r < r1; r++) {
          const float *x = X + (long)r * dim;
          const v128_t xj0 = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(x + j));
          const v128_t xj1 = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(x + j + 2));
          v128_t xi;
          xi = wasm_f64x2_splat((f64)x[i]);
          a00 = wasm_f64x2_add(a00, wasm_f64x2_mul(xi, xj0)); a01 = wasm_f64x2_add(a01, wasm_f64x2_mul(xi, xj1));
          xi = wasm_f64x2_splat((f64)x[i + 1]);
          a10 = wasm_f64x2_add(a10, wasm_f64x2_mul(xi, xj0)); a11 = wasm_f64x2_add(a11, wasm_f64x2_mul(xi, xj1));
          xi = wasm_f64x2_splat((f64)x[i + 2]);
          a20 = wasm_f64x2_add(a20, wasm_f64x2_mul(xi, xj0)); a21 = wasm_f64x2_add(a21, wasm_f64x2_mul(xi, xj1));
          xi = wasm_f64x2_splat((f64)x[i + 3]);
          a30 = wasm_f64x2_add(a30, wasm_f64x2_mul(xi, xj0)); a31 = wasm_f64x2_add(a31, wasm_f64x2_mul(xi, xj1));
        }
        f64 *g = G + (long)i * dim + j;
        wasm_v128_store(g, wasm_f64x2_add(wasm_v128_load(g), a00));
        wasm_v128_store(g + 2, wasm_f64x2_add(wasm_v128_load(g + 2), a01));
        g += dim;
        wasm_v128_store(g, wasm_f64x2_add(wasm_v128_load(g), a10));
        wasm_v128_store(g + 2, wasm_f64x2_add(wasm_v128_load(g + 2), a11));
        g += dim;
        wasm_v128_store(g, wasm_f64x2_add(wasm_v128_load(g), a20));
        wasm_v128_store(g + 2, wasm_f64x2_add(wasm_v128_load(g + 2), a21));
        g += dim;
        wasm_v128_store(g, wasm_f64x2_add(wasm_v128_load(g), a30));
        wasm_v128_store(g + 2, wasm_f64x2_add(wasm_v128_load(g + 2), a31));
      }
    }
    for (int i = 0; i < dim; i++) {
      for (int j = (i > d4 ? i : d4); j < dim; j++) {
        f64 acc = 0;
        for (int r = r0; r < r1; r++) acc += (f64)X[(long)r * dim + i] * (f64)X[(long)r * dim + j];
        G[(long)i * dim + j] += acc;
      }
    }
  }
}

/*
 * C = A B, column-major: A m x k (ld m), B k x n (ld ldb), C m x n (ld ldc), C overwritten. Used by the
 * divide-and-conquer merges (Q U). Blocked over k (KC) and rows (MC) so a block of A stays in
 * cache while every column pair of B streams past; 8 rows x 2 columns of C in f64x2 registers.
 * Each C entry sums over p in ascending blocks of KC (the same order for any column split). Ap:
 * scratch of MC*KC doubles (one per thread), the A block packed so the inner loop reads contiguously.
 */
#define KC 128
#define MC 128

/*
 * The blocked product behind gemm_nn and apply_block: with sub == 0, C = A B (C overwritten); with
 * sub != 0, C -= A B. Column-major: A m x k (ld lda), B k x n (ld ldb), C m x n (ld ldc). Each C entry
 * sums its products in ascending p, KC at a time (C = ((0 + block 0) + block 1) + ..., or
 * C = (C - block 0) - block 1 ...), the same in the SIMD and the scalar paths, so the bits do not
 * depend on how rows or columns are split across calls.
 */
static inline void gemm_core(const f64 *A, int lda, const f64 *B, int ldb, f64 *C, int ldc, int m, int n, int k,
                             f64 *Ap, int sub) {
  if (!sub)
    for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) C[(long)j * ldc + i] = 0;
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int p1 = (k - p0 < KC) ? k : p0 + KC;
    for (int i0 = 0; i0 < m; i0 += MC) {
      const int i1 = (m - i0 < MC) ? m : i0 + MC;
      const int i8 = i0 + ((i1 - i0) & ~7);
      const int kb = p1 - p0;
      /* pack the 8-row chunks of this block contiguously: Ap[((i - i0)/8 kb + p - p0) 8 + r] */
      for (int i = i0; i < i8; i += 8)
        for (int p = p0; p < p1; p++) {
          const f64 *src = A + (long)p * lda + i;
          f64 *dst = Ap + ((long)((i - i0) >> 3) * kb + (p - p0)) * 8;
          for (int r = 0; r < 8; r++) dst[r] = src[r];
        }
      int j = 0;
      for (; j + 1 < n; j += 2) {
        const f64 *b0 = B + (long)j * ldb, *b1 = b0 + ldb;
        f64 *c0 = C + (long)j * ldc, *c1 = c0 + ldc;
        int i = i0;
        for (; i < i8; i += 8) {
          v128_t x00, x01, x02, x03, x10, x11, x12, x13;
          if (sub) {
            x00 = x01 = x02 = x03 = x10 = x11 = x12 = x13 = wasm_f64x2_splat(0);
          } else {
            x00 = wasm_v128_load(c0 + i); x01 = wasm_v128_load(c0 + i + 2); x02 = wasm_v128_load(c0 + i + 4); x03 = wasm_v128_load(c0 + i + 6);
            x10 = wasm_v128_load(c1 + i); x11 = wasm_v128_load(c1 + i + 2); x12 = wasm_v128_load(c1 + i + 4); x13 = wasm_v128_load(c1 + i + 6);
          }
          const f64 *a = Ap + (long)((i - i0) >> 3) * kb * 8;
          for (int p = p0; p < p1; p++, a += 8) {
            const v128_t a0 = wasm_v128_load(a), a1 = wasm_v128_load(a + 2), a2 = wasm_v128_load(a + 4), a3 = wasm_v128_load(a + 6);
            const v128_t s0 = wasm_f64x2_splat(b0[p]), s1 = wasm_f64x2_splat(b1[p]);
            x00 = wasm_f64x2_add(x00, wasm_f64x2_mul(a0, s0));
            x01 = wasm_f64x2_add(x01, wasm_f64x2_mul(a1, s0));
            x02 = wasm_f64x2_add(x02, wasm_f64x2_mul(a2, s0));
            x03 = wasm_f64x2_add(x03, wasm_f64x2_mul(a3, s0));
            x10 = wasm_f64x2_add(x10, wasm_f64x2_mul(a0, s1));
            x11 = wasm_f64x2_add(x11, wasm_f64x2_mul(a1, s1));
            x12 = wasm_f64x2_add(x12, wasm_f64x2_mul(a2, s1));
            x13 = wasm_f64x2_add(x13, wasm_f64x2_mul(a3, s1));
          }
          if (sub) {
            x00 = wasm_f64x2_sub(wasm_v128_load(c0 + i), x00); x01 = wasm_f64x2_sub(wasm_v128_load(c0 + i + 2), x01);
            x02 = wasm_f64x2_sub(wasm_v128_load(c0 + i + 4), x02); x03 = wasm_f64x2_sub(wasm_v128_load(c0 + i + 6), x03);
            x10 = wasm_f64x2_sub(wasm_v128_load(c1 + i), x10); x11 = wasm_f64x2_sub(wasm_v128_load(c1 + i + 2), x11);
            x12 = wasm_f64x2_sub(wasm_v128_load(c1 + i + 4), x12); x13 = wasm_f64x2_sub(wasm_v128_load(c1 + i + 6), x13);
          }
          wasm_v128_store(c0 + i, x00); wasm_v128_store(c0 + i + 2, x01); wasm_v128_store(c0 + i + 4, x02); wasm_v128_store(c0 + i + 6, x03);
          wasm_v128_store(c1 + i, x10); wasm_v128_store(c1 + i + 2, x11); wasm_v128_store(c1 + i + 4, x12); wasm_v128_store(c1 + i + 6, x13);
        }
        for (; i < i1; i++) {
          f64 s0 = sub ? 0 : c0[i], s1 = sub ? 0 : c1[i];
          for (int p = p0; p < p1; p++) { s0 += A[(long)p * lda + i] * b0[p]; s1 += A[(long)p * lda + i] * b1[p]; }
          if (sub) { c0[i] -= s0; c1[i] -= s1; } else { c0[i] = s0; c1[i] = s1; }
        }
      }
      for (; j < n; j++) {
        const f64 *b0 = B + (long)j * ldb;
        f64 *c0 = C + (long)j * ldc;
        for (int i = i0; i < i1; i++) {
          f64 s0 = sub ? 0 : c0[i];
          for (int p = p0; p < p1; p++) s0 += A[(long)p * lda + i] * b0[p];
          if (sub) c0[i] -= s0; else c0[i] = s0;
        }
      }
    }
  }
}

/*
 * C = A B, column-major: A m x k (ld m), B k x n (ld ldb), C m x n (ld ldc), C overwritten. Used by the
 * divide-and-conquer merges (Q U). Blocked over k (KC) and rows (MC) so a block of A stays in
 * cache while every column pair of B streams past; 8 rows x 2 columns of C in f64x2 registers.
 * Ap: scratch of MC*KC doubles (one per thread), the A block packed so the inner loop reads contiguously.
 */
__attribute__((export_name("gemm_nn")))
void gemm_nn(const f64 *A, const f64 *B, f64 *C, int m, int n, int k, int ldb, int ldc, f64 *Ap) {
  gemm_core(A, m, B, ldb, C, ldc, m, n, k, Ap, 0);
}

/*
 * The secular equation of a divide-and-conquer merge: a C port of src/eigen/secular_equation.ts,
 * operation for operation (so the bits are those of the TypeScript), split into index ranges that
 * threads can take: secular_roots (roots j0..j1-1), secular_weights (the Gu-Eisenstat weights
 * i0..i1-1) and secular_normalize (vectors j0..j1-1). Each entry is computed the same way in any split.
 */
#define SECULAR_MAX_ITER 60
static const f64 EPS_ = 2.220446049250313e-16;

static f64 solve_two_pole(f64 c, f64 s, f64 S, f64 a, f64 b, int right) {
  const f64 A = c * (a + b) + s + S;
  const f64 B = c * a * b + s * b + S * a;
  if (c == 0) return B / A;
  const f64 disc = __builtin_sqrt(fabs_(A * A - 4 * B * c));
  f64 r1, r2;
  if (A >= 0) {
    r1 = (A + disc) / (2 * c);
    r2 = (2 * B) / (A + disc);
  } else {
    r1 = (A - disc) / (2 * c);
    r2 = (2 * B) / (A - disc);
  }
  if (right) {
    const int ok1 = r1 > b, ok2 = r2 > b;
    if (ok1 && ok2) return r1 < r2 ? r1 : r2;
    return ok1 ? r1 : ok2 ? r2 : __builtin_nan("");
  }
  if (r1 > a && r1 < b) return r1;
  if (r2 > a && r2 < b) return r2;
  return __builtin_nan("");
}

__attribute__((export_name("secular_roots")))
void secular_roots(const f64 *dl, const f64 *z, const f64 *rhop, f64 *lambda, f64 *delta, int K, int j0, int j1) {
  const f64 rho = *rhop;
  if (K == 1) {
    lambda[0] = dl[0] + rho * z[0] * z[0];
    delta[0] = -rho * z[0] * z[0];
    return;
  }
  f64 zsq = 0;
  for (int i = 0; i < K; i++) zsq += z[i] * z[i];
  const f64 rhoinv = 1 / rho;
  for (int j = j0; j < j1; j++) {
    f64 *dlt = delta + (long)j * K;
    const int last = j == K - 1;
    int org, ip;
    f64 lo, hi;
    if (last) {
      org = K - 1;
      lo = 0;
      hi = rho * zsq;
      ip = K - 2;
    } else {
      const f64 del = dl[j + 1] - dl[j];
      const f64 mid = 0.5 * del;
      f64 f = rhoinv;
      for (int i = 0; i < K; i++) f += (z[i] * z[i]) / (dl[i] - dl[j] - mid);
      if (f > 0) {
        org = j;
        lo = 0;
        hi = mid;
      } else {
        org = j + 1;
        lo = -mid;
        hi = 0;
      }
      ip = j;
    }
    const int iq = ip + 1;
    const f64 sig = dl[org];
    for (int i = 0; i < K; i++) dlt[i] = dl[i] - sig;
    f64 tau;
    {
      const f64 t0 = last ? hi : 0.5 * (lo + hi);
      f64 c = rhoinv;
      for (int i = 0; i < K; i++) if (i != ip && i != iq) c += (z[i] * z[i]) / (dlt[i] - t0);
      tau = solve_two_pole(c, z[ip] * z[ip], z[iq] * z[iq], dlt[ip], dlt[iq], last);
      if (!(tau > lo && tau < hi) && !(last && tau == hi)) tau = last ? 0.5 * hi : 0.5 * (lo + hi);
    }
    for (int it = 0; it < SECULAR_MAX_ITER; it++) {
      f64 psi = 0, dpsi = 0, phi = 0, dphi = 0;
      for (int i = 0; i <= ip; i++) {
        const f64 t = z[i] / (dlt[i] - tau);
        psi += z[i] * t;
        dpsi += t * t;
      }
      for (int i = ip + 1; i < K; i++) {
        const f64 t = z[i] / (dlt[i] - tau);
        phi += z[i] * t;
        dphi += t * t;
      }
      const f64 f = rhoinv + psi + phi;
      const f64 erretm = 8 * (fabs_(phi) + fabs_(psi)) + 2 * rhoinv + 3 * fabs_(tau) * (dpsi + dphi);
      if (fabs_(f) <= EPS_ * erretm) break;
      if (f > 0) hi = tau;
      else lo = tau;
      const f64 alo = fabs_(lo), ahi = fabs_(hi);
      if (hi - lo <= 2 * EPS_ * (alo > ahi ? alo : ahi)) break;
      const f64 a = dlt[ip] - tau;
      const f64 b = dlt[iq] - tau;
      const f64 s = a * a * dpsi;
      const f64 S = b * b * dphi;
      const f64 c = f - a * dpsi - b * dphi;
      f64 eta = solve_two_pole(c, s, S, a, b, last);
      f64 next = tau + eta;
      if (!(next > lo && next < hi)) {
        eta = -f / (dpsi + dphi);
        next = tau + eta;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      }
      tau = next;
    }
    lambda[j] = sig + tau;
    for (int i = 0; i < K; i++) dlt[i] -= tau;
  }
}

__attribute__((export_name("secular_weights")))
void secular_weights(const f64 *dl, const f64 *z, const f64 *delta, f64 *w, int K, int i0, int i1) {
  for (int i = i0; i < i1; i++) w[i] = delta[(long)i * K + i];
  for (int j = 0; j < K; j++) {
    const f64 *dj_row = delta + (long)j * K;
    const f64 dj = dl[j];
    const int a1 = j < i1 ? j : i1;
    for (int i = i0; i < a1; i++) w[i] *= dj_row[i] / (dl[i] - dj);
    for (int i = (j + 1 > i0 ? j + 1 : i0); i < i1; i++) w[i] *= dj_row[i] / (dl[i] - dj);
  }
  for (int i = i0; i < i1; i++) {
    const f64 r = __builtin_sqrt(fabs_(w[i]));
    w[i] = z[i] >= 0 ? r : -r;
  }
}

__attribute__((export_name("secular_normalize")))
void secular_normalize(f64 *delta, const f64 *w, int K, int j0, int j1) {
  for (int j = j0; j < j1; j++) {
    f64 *o = delta + (long)j * K;
    f64 nrm = 0;
    for (int i = 0; i < K; i++) {
      const f64 u = w[i] / o[i];
      o[i] = u;
      nrm += u * u;
    }
    const f64 inv = 1 / __builtin_sqrt(nrm);
    for (int i = 0; i < K; i++) o[i] *= inv;
  }
}
