/**
 * Cache-blocked uncentred Gram matrix XᵀX in float64 from float32 rows.
 *
 * @module
 */

import { eigenKernels, gramUpperWasm } from '../eigen/wasm/eigen_wasm.js';

const ROW_BLOCK = 128;

/**
 * Adds scale·XᵀX to a dim×dim float64 matrix (row-major, both triangles written).
 *
 * **Details**
 * X is rows×dim, row-major, float32 (or float64). Products and sums are float64. The rows are taken in
 * blocks of 128, each block transposed into a contiguous float64 panel (dim×128), and the upper
 * triangle is formed by a 4×4 register-blocked kernel of length-128 dot products, then mirrored.
 * Cost rows·dim²(+dim²) flops; memory one dim×128 panel plus one dim×dim float64 scratch.
 * Float32 features run on the wasm SIMD kernel (same blocking, f64x2 accumulators) where available;
 * `kernels: 'js'` forces the TypeScript kernel. Both sum each entry in row order within 128-row
 * blocks, so they agree to rounding.
 *
 * @param x - features, shape [rows, dim], row-major
 * @param rows - number of rows of x
 * @param dim - feature dimension
 * @param out - accumulator, shape [dim, dim], row-major; scale·XᵀX is added to it
 * @param scale - multiplier of XᵀX (e.g. 1/rows); default 1
 * @param kernels - 'wasm' (default where available, float32 input only) or 'js'
 * @example
 * const g = new Float64Array(4 * 4);
 * addGram(features, 10, 4, g, 1 / 10);
 * @category Covariance
 */
export function addGram(
  x: Float32Array | Float64Array,
  rows: number,
  dim: number,
  out: Float64Array,
  scale = 1,
  kernels: 'wasm' | 'js' = 'wasm',
): void {
  if (x.length < rows * dim) {
    throw new RangeError(
      `addGram: features hold ${x.length} values, expected rows×dim = ${rows}×${dim} = ${rows * dim}`,
    );
  }
  if (out.length !== dim * dim)
    throw new RangeError(`addGram: out has ${out.length} values, expected ${dim}×${dim}`);
  const wasm = kernels === 'wasm' && x instanceof Float32Array ? eigenKernels() : null;
  const g = wasm ? gramUpperWasm(wasm, x as Float32Array, rows, dim) : new Float64Array(dim * dim);
  const rb = ROW_BLOCK;
  const panel = new Float64Array(wasm ? 0 : dim * rb);
  for (let r0 = 0; !wasm && r0 < rows; r0 += rb) {
    const m = Math.min(rb, rows - r0);
    // transpose rows r0..r0+m into panel[d*rb + r]
    for (let r = 0; r < m; r++) {
      const src = (r0 + r) * dim;
      for (let d = 0; d < dim; d++) panel[d * rb + r] = x[src + d];
    }
    if (m < rb) for (let d = 0; d < dim; d++) panel.fill(0, d * rb + m, d * rb + rb);
    gramPanel(panel, dim, rb, m, g);
  }
  for (let i = 0; i < dim; i++) {
    const row = i * dim;
    out[row + i] += scale * g[row + i];
    for (let j = i + 1; j < dim; j++) {
      const v = scale * g[row + j];
      out[row + j] += v;
      out[j * dim + i] += v;
    }
  }
}

/** g[i,j] += Σ_r p[i,r]·p[j,r] for j ≥ i (upper triangle), over the first m columns of the panel. */
function gramPanel(p: Float64Array, dim: number, rb: number, m: number, g: Float64Array): void {
  const i4 = dim - (dim % 4);
  for (let i = 0; i < i4; i += 4) {
    const a0 = i * rb;
    const a1 = a0 + rb;
    const a2 = a1 + rb;
    const a3 = a2 + rb;
    // diagonal 4×4 block and the rest of rows i..i+3 in 4-column tiles
    for (let j = i; j < i4; j += 4) {
      const b0 = j * rb;
      const b1 = b0 + rb;
      const b2 = b1 + rb;
      const b3 = b2 + rb;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let r = 0; r < m; r++) {
        const x0 = p[a0 + r],
          x1 = p[a1 + r],
          x2 = p[a2 + r],
          x3 = p[a3 + r];
        const y0 = p[b0 + r],
          y1 = p[b1 + r],
          y2 = p[b2 + r],
          y3 = p[b3 + r];
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      let o = i * dim + j;
      g[o] += c00;
      g[o + 1] += c01;
      g[o + 2] += c02;
      g[o + 3] += c03;
      o += dim;
      g[o] += c10;
      g[o + 1] += c11;
      g[o + 2] += c12;
      g[o + 3] += c13;
      o += dim;
      g[o] += c20;
      g[o + 1] += c21;
      g[o + 2] += c22;
      g[o + 3] += c23;
      o += dim;
      g[o] += c30;
      g[o + 1] += c31;
      g[o + 2] += c32;
      g[o + 3] += c33;
    }
  }
  // leftovers: rows/cols beyond the last multiple of 4 (plain dots, upper triangle only)
  for (let i = 0; i < dim; i++) {
    const jStart = Math.max(i, i4);
    for (let j = jStart; j < dim; j++) {
      let acc = 0;
      const a = i * rb;
      const b = j * rb;
      for (let r = 0; r < m; r++) acc += p[a + r] * p[b + r];
      g[i * dim + j] += acc;
    }
  }
}
