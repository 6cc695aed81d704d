/**
 * Gram matrices of the five null-space feature groups of one block and one batch (spec §3.2).
 *
 * @module
 */
import { addGram } from '@mamba-cl/nullspace';
import { matMulNN, matMulNT, WASM_KERNEL_BACKENDS } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { BackboneTap } from '../backbone/backbone.js';

/**
 * Which Gram a feature source produces: `x` serves W_δ and W_C (identical matrices), `B` W_B,
 * `A` A_log, `out` out_proj.
 *
 * @category Strategies
 */
export type GramSource = 'x' | 'B' | 'A' | 'out';

/**
 * How the W_B Gram Σ_i M_iᵀM_i is computed: `'lowrank'` through X_iᵀ(Δ_iΔ_iᵀ)X_i (default, fast),
 * or `'explicit'` by forming every M_i = Δ_iᵀX_i as the official code does. Equal up to float32
 * rounding.
 *
 * @category Strategies
 */
export type BGramMethod = 'lowrank' | 'explicit';

/**
 * Which products form the Grams: `'exact'` (default) multiplies and sums in float64 on
 * `@mamba-cl/nullspace`'s blocked kernel (`addGram`), the reference; `'matmul'` takes each batch's
 * XᵀX in float32 products through the fastest matmul of the backend (ssm-core's WebAssembly SIMD
 * `matMulNT` on the transposed features on cpu/wasm, `tf.matMul` on a GPU backend; only the
 * 512-feature panel pairs on and above the diagonal), as the official code does in PyTorch fp32,
 * and hands it on as float64 (batches are still summed in float64 by the accumulator). The two agree
 * to float32 rounding: entry-wise within 1e-5·maxᵢ Gᵢᵢ on the tested inputs (the products of one
 * batch are summed in float32 over b·L rows, in row order).
 *
 * @category Strategies
 */
export type GramKernel = 'exact' | 'matmul';

/**
 * One batch's Gram and the row count it must be divided by.
 *
 * @category Strategies
 */
export interface BatchGram {
  /** Σ rows rowᵀ·row, shape [D, D] row-major, float64. */
  readonly gram: Float64Array;
  /** b·L (x, A, out) or b·D (B). */
  readonly rows: number;
}

/**
 * Computes the per-batch Grams of one block from its taps (spec §3.2, pitfalls 3–4).
 *
 * **Details**
 * With b images, L tokens (CLS included) and D channels:
 * - `x`:   X = x reshaped [b·L, D];  XᵀX, rows b·L  (W_δ and W_C).
 * - `A`:   Δ reshaped [b·L, D] (one Δ_t per image and token); ΔᵀΔ, rows b·L.
 * - `out`: Y = y reshaped [b·L, D]; YᵀY, rows b·L.
 * - `B`:   M_i = Δ_iᵀ·X_i ∈ R^{D×D} per image (M_i[d, d'] = Σ_t Δ_t[d]·x_t[d'], one row per channel d);
 *          Σ_i M_iᵀ·M_i, rows b·D. Two ways, equal in exact arithmetic (`bGram`):
 *   - `'explicit'`: M is formed with tfjs, `chunk` images at a time, and its Gram taken — what the
 *     official code does; 2·D³ flops per image.
 *   - `'lowrank'` (default): M_iᵀM_i = X_iᵀ(Δ_iΔ_iᵀ)X_i, so with W_i = (Δ_iΔ_iᵀ)·X_i ∈ R^{L×D} the sum is
 *     the symmetric matrix XᵀW over the stacked b·L rows, taken as two Grams of b·L rows:
 *     XᵀW = [(αX + W/α)ᵀ(αX + W/α) − (αX − W/α)ᵀ(αX − W/α)] / 4 with α² = ‖W‖/‖X‖ balancing the two
 *     terms (no cancellation beyond float32 rounding of the inputs). 4·D²·L + 2·L²·D flops per image
 *     instead of 2·D³: ≈ 7× less at the paper's D = 2048, L = 145.
 * With `kernel: 'exact'` (default) the Gram products run in float64 on `@mamba-cl/nullspace`'s
 * blocked kernel (`addGram`); with `'matmul'` each is float32 `matMulNT` products on the transposed
 * features (see
 * {@link GramKernel}), and the low-rank W_B Gram is the symmetric part of one product XᵀW instead of
 * two Grams (half the flops). The caller divides by `rows` (each batch by its own row count):
 * `CovarianceAccumulator.addGram(gram, rows, images)`.
 *
 * @param tap - x, delta, y of the block, each [b, L, D]
 * @param sources - which Grams to compute
 * @param chunk - images per chunk for the explicit B Gram (default 8)
 * @param bGram - `'lowrank'` (default) or `'explicit'`, see Details
 * @param kernel - `'exact'` (default, float64) or `'matmul'` (float32 products), see {@link GramKernel}
 * @returns the Grams by source
 * @example
 * const g = batchGrams(taps[0], ['x', 'B', 'A', 'out']);
 * accX.addGram(g.get('x').gram, g.get('x').rows, b);
 * @category Strategies
 */
export function batchGrams(
  tap: BackboneTap,
  sources: readonly GramSource[],
  chunk = 8,
  bGram: BGramMethod = 'lowrank',
  kernel: GramKernel = 'exact',
): Map<GramSource, BatchGram> {
  const [b, L, D] = tap.x.shape;
  const out = new Map<GramSource, BatchGram>();
  const rowGram = (t: tf.Tensor3D): Float64Array => {
    if (kernel === 'matmul') return matmulGram(t, b * L, D);
    const g = new Float64Array(D * D);
    addGram(t.dataSync() as Float32Array, b * L, D, g, 1);
    return g;
  };
  for (const s of sources) {
    if (s === 'x') out.set('x', { gram: rowGram(tap.x), rows: b * L });
    else if (s === 'A') out.set('A', { gram: rowGram(tap.delta), rows: b * L });
    else if (s === 'out') out.set('out', { gram: rowGram(tap.y), rows: b * L });
    else if (bGram === 'lowrank')
      out.set('B', { gram: kernel === 'matmul' ? lowRankBGramMatmul(tap) : lowRankBGram(tap), rows: b * D });
    else {
      const g = new Float64Array(D * D);
      for (let i = 0; i < b; i += chunk) {
        const n = Math.min(chunk, b - i);
        const M = tf.tidy(() => {
          const dl = tf.transpose(tf.slice(tap.delta, [i, 0, 0], [n, L, D]), [0, 2, 1]); // [n, D, L]
          const xx = tf.slice(tap.x, [i, 0, 0], [n, L, D]);
          return tf.matMul(dl, xx); // [n, D, D]: M[i] = Δ_iᵀ X_i, row d = Σ_t Δ_t[d]·x_t
        });
        if (kernel === 'matmul') {
          const m = matmulGram(M, n * D, D);
          for (let k = 0; k < g.length; k++) g[k] += m[k];
        } else addGram(M.dataSync() as Float32Array, n * D, D, g, 1);
        M.dispose();
      }
      out.set('B', { gram: g, rows: b * D });
    }
  }
  return out;
}

/**
 * Σ_i X_iᵀ(Δ_iΔ_iᵀ)X_i over the images of one tap, as two Grams of b·L rows (see {@link batchGrams}).
 *
 * @param tap - x and delta, each [b, L, D]
 * @returns the D×D Gram, row-major, float64
 */
function lowRankBGram(tap: BackboneTap): Float64Array {
  const [b, L, D] = tap.x.shape;
  const g = new Float64Array(D * D);
  const [plus, minus] = tf.tidy(() => {
    const dT = tf.transpose(tap.delta, [0, 2, 1]); // [b, D, L]
    const G = tf.matMul(tap.delta, dT); // [b, L, L]: G_i = Δ_iΔ_iᵀ
    const W = tf.matMul(G, tap.x); // [b, L, D]: W_i = G_i·X_i
    const nx = tf.norm(tap.x).dataSync()[0];
    const nw = tf.norm(W).dataSync()[0];
    const alpha = nx > 0 && nw > 0 ? Math.sqrt(nw / nx) : 1;
    const ax = tf.mul(tap.x, alpha);
    const wa = tf.div(W, alpha);
    return [tf.add(ax, wa), tf.sub(ax, wa)];
  });
  addGram(plus.dataSync() as Float32Array, b * L, D, g, 0.25);
  addGram(minus.dataSync() as Float32Array, b * L, D, g, -0.25);
  tf.dispose([plus, minus]);
  return g;
}

/** Row panel width of the symmetric float32 products: only panel pairs i ≤ j are multiplied. */
const GRAM_PANEL = 512;

/**
 * Consecutive row blocks of a tensor read as [rows, cols]: block k is rows starts[k] ..
 * starts[k] + sizes[k] − 1, as an [sizes[k], cols] tensor.
 *
 * **Details**
 * On the CPU-memory backends (`cpu`, `wasm`) the values are read once and each block is a new
 * tensor from a subarray: tfjs-wasm's `slice` reads its whole input out of the heap on every call
 * (a copy of all rows for each block), which made the 20 per-image slices and the panel cuts of
 * one W_B Gram cost more than its products. Elsewhere (GPU backends) `tf.slice`.
 *
 * @param t - the tensor, rows·cols values (row-major)
 * @param cols - values per row
 * @param starts - first row of each block
 * @param sizes - rows of each block
 * @returns one tensor per block (the caller disposes them, e.g. inside `tf.tidy`)
 */
function rowBlocks(
  t: tf.Tensor,
  cols: number,
  starts: readonly number[],
  sizes: readonly number[],
): tf.Tensor2D[] {
  const rows = t.size / cols;
  const flat = tf.reshape(t, [rows, cols]) as tf.Tensor2D;
  if (!WASM_KERNEL_BACKENDS.includes(tf.getBackend())) {
    return starts.map((r, k) => tf.slice(flat, [r, 0], [sizes[k], cols]) as tf.Tensor2D);
  }
  const data = flat.dataSync() as Float32Array;
  return starts.map((r, k) => tf.tensor2d(data.subarray(r * cols, (r + sizes[k]) * cols), [sizes[k], cols]));
}

/**
 * TᵀT of a tensor read as [rows, D] in float32 `matMulNT` products on its transpose, returned as
 * float64.
 *
 * @param t - features, any shape with rows·D values (rows-major)
 * @param rows - row count
 * @param D - feature dimension
 * @returns the D×D Gram, row-major, float64, exactly symmetric
 */
function matmulGram(t: tf.Tensor, rows: number, D: number): Float64Array {
  let g: Float64Array = new Float64Array(0);
  tf.tidy(() => {
    const xt = tf.transpose(tf.reshape(t, [rows, D])) as tf.Tensor2D; // [D, rows]
    g = symmetricProductT(xt, xt, D);
  });
  return g;
}

/**
 * XᵀY for a product known to be symmetric (XᵀX, or Σ_i X_iᵀG_iX_i with symmetric G_i), from the
 * transposes Xᵀ and Yᵀ, in float32 `matMulNT` products, returned as float64.
 *
 * **Details**
 * The rows of Xᵀ and Yᵀ (the feature columns) are cut into panels of 512; only the panel pairs on
 * and above the diagonal are multiplied (Xᵀ_i·(Yᵀ_j)ᵀ = X_iᵀY_j, i ≤ j) and mirrored, and the
 * diagonal panels are symmetrised ((a + aᵀ)/2), so a D = 2048 product costs 10 products of 512²
 * instead of 16. The panels are row slices (contiguous), and `matMulNT` reduces along the
 * contiguous rows of both operands: on cpu/wasm its SIMD kernel runs these products about twice
 * as fast as `matMulTN` on column panels of X and Y (which reduces over the long, strided row
 * axis). The result is exactly symmetric and equals XᵀY to float32 rounding.
 *
 * @param xt - Xᵀ, [D, rows]
 * @param yt - Yᵀ, [D, rows]
 * @param D - feature dimension
 * @returns the D×D product XᵀY, row-major, float64
 */
function symmetricProductT(xt: tf.Tensor2D, yt: tf.Tensor2D, D: number): Float64Array {
  const rows = xt.shape[1];
  const g = new Float64Array(D * D);
  const starts: number[] = [];
  for (let c = 0; c < D; c += GRAM_PANEL) starts.push(c);
  const sizes = starts.map((c) => Math.min(GRAM_PANEL, D - c));
  const cut = (t: tf.Tensor2D) => (starts.length === 1 ? [t] : rowBlocks(t, rows, starts, sizes));
  tf.tidy(() => {
    const xp = cut(xt);
    const yp = xt === yt ? xp : cut(yt);
    for (let pi = 0; pi < starts.length; pi++) {
      for (let pj = pi; pj < starts.length; pj++) {
        const prod = matMulNT(xp[pi], yp[pj]);
        const a = prod.dataSync() as Float32Array;
        const [wi, wj] = prod.shape;
        prod.dispose();
        const r0 = starts[pi];
        const c0 = starts[pj];
        for (let r = 0; r < wi; r++) {
          if (pi === pj) {
            g[(r0 + r) * D + r0 + r] = a[r * wj + r];
            for (let c = r + 1; c < wj; c++) {
              const v = 0.5 * (a[r * wj + c] + a[c * wj + r]);
              g[(r0 + r) * D + r0 + c] = v;
              g[(r0 + c) * D + r0 + r] = v;
            }
          } else {
            for (let c = 0; c < wj; c++) {
              const v = a[r * wj + c];
              g[(r0 + r) * D + c0 + c] = v;
              g[(c0 + c) * D + r0 + r] = v;
            }
          }
        }
      }
    }
  });
  return g;
}

/**
 * The low-rank W_B Gram Σ_i X_iᵀ(Δ_iΔ_iᵀ)X_i as the symmetric product XᵀW, W_i = (Δ_iΔ_iᵀ)·X_i
 * over the stacked b·L rows (kernel `'matmul'` of {@link batchGrams}; panel pairs i ≤ j only).
 *
 * **Details**
 * Per image G_i = Δ_i·Δ_iᵀ (`matMulNT`, [L, D]·[L, D]ᵀ) and W_i = G_i·X_i (`matMulNN`,
 * [L, L]·[L, D]; the `matMulTN` form used before, reducing over only L = 145 rows, ran at a third of
 * the speed), then the D×D product from Xᵀ and Wᵀ as {@link symmetricProductT} — the same kernel and
 * layout as the XᵀX Gram. The per-image products are 4·L²·D flops against 2·L·D² for the image's share of the
 * D×D product (14 % more at L = 145, D = 2048).
 *
 * @param tap - x and delta, each [b, L, D]
 * @returns the D×D Gram, row-major, float64, exactly symmetric
 */
function lowRankBGramMatmul(tap: BackboneTap): Float64Array {
  const [b, L, D] = tap.x.shape;
  let g: Float64Array = new Float64Array(0);
  tf.tidy(() => {
    // Per image on ssm-core's kernels (tfjs-wasm's batched matMul is several times slower here).
    const starts = Array.from({ length: b }, (_, i) => i * L);
    const sizes = starts.map(() => L);
    const ds = rowBlocks(tap.delta, D, starts, sizes); // Δ_i [L, D]
    const xs = rowBlocks(tap.x, D, starts, sizes); // X_i [L, D]
    const parts: tf.Tensor2D[] = [];
    for (let i = 0; i < b; i++) {
      parts.push(
        tf.tidy(() => {
          const G = matMulNT(ds[i], ds[i]); // [L, L]: G_i = Δ_iΔ_iᵀ (symmetric)
          return matMulNN(G, xs[i]); // [L, D]: W_i = G_i·X_i
        }),
      );
      tf.dispose([ds[i], xs[i]]);
    }
    const wt = tf.transpose(tf.concat(parts, 0)) as tf.Tensor2D; // [D, b·L]
    const xt = tf.transpose(tf.reshape(tap.x, [b * L, D])) as tf.Tensor2D; // [D, b·L]
    g = symmetricProductT(xt, wt, D);
  });
  return g;
}
