/**
 * All eigenvalues and eigenvectors of a symmetric tridiagonal matrix by divide and conquer
 * (Cuppen's method as in LAPACK's DSTEDC/DLAED0–DLAED3).
 *
 * @module
 */
import { secularRoots, secularVectors } from './secular_equation.js';

const EPS = 2.220446049250313e-16;
/** Blocks up to this order are solved by QL directly (LAPACK's SMLSIZ is 25). */
const LEAF = 32;

/**
 * C[m×n] = A[m×k]·B[k×n], all column-major with leading dimensions and offsets (C overwritten).
 *
 * @internal
 */
export type Gemm = (
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  ldb: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
) => void;

/** The plain TypeScript {@link Gemm} (4 columns of C per pass over A). @internal */
export const gemmJs: Gemm = (m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc) => {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const c0 = cOff + j * ldc;
    const c1 = c0 + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    c.fill(0, c0, c0 + m);
    c.fill(0, c1, c1 + m);
    c.fill(0, c2, c2 + m);
    c.fill(0, c3, c3 + m);
    const b0 = bOff + j * ldb;
    for (let p = 0; p < k; p++) {
      const x0 = b[b0 + p];
      const x1 = b[b0 + ldb + p];
      const x2 = b[b0 + 2 * ldb + p];
      const x3 = b[b0 + 3 * ldb + p];
      const ao = aOff + p * lda;
      for (let i = 0; i < m; i++) {
        const v = a[ao + i];
        c[c0 + i] += v * x0;
        c[c1 + i] += v * x1;
        c[c2 + i] += v * x2;
        c[c3 + i] += v * x3;
      }
    }
  }
  for (; j < n; j++) {
    const c0 = cOff + j * ldc;
    c.fill(0, c0, c0 + m);
    for (let p = 0; p < k; p++) {
      const x = b[bOff + j * ldb + p];
      const ao = aOff + p * lda;
      for (let i = 0; i < m; i++) c[c0 + i] += a[ao + i] * x;
    }
  }
};

/**
 * Roots λ (ascending) and unit eigenvectors u (K×K, vector j at [j·K, (j+1)·K)) of D + ρ·z·zᵀ for
 * poles dl (strictly increasing) and weights z (none zero): {@link secularRoots} then
 * {@link secularVectors}.
 *
 * @internal
 */
export type Secular = (
  dl: Float64Array,
  z: Float64Array,
  rho: number,
  lambda: Float64Array,
  u: Float64Array,
  scratch: Float64Array,
) => void;

/** The plain TypeScript {@link Secular}. @internal */
export const secularJs: Secular = (dl, z, rho, lambda, u, scratch) => {
  secularRoots(dl, z, rho, lambda, u);
  secularVectors(dl, z, u, scratch);
};

/** Result of {@link tridiagonalEigenDC}. */
export interface TridiagonalEigenDC {
  /** Eigenvalues, ascending, length n. */
  readonly values: Float64Array;
  /** Eigenvectors, column-major n×n: vector j (↔ values[j]) at [j·n, (j+1)·n). */
  readonly vectors: Float64Array;
}

/**
 * All eigenpairs of a symmetric tridiagonal matrix by divide and conquer.
 *
 * **Details**
 * T is first split into independent blocks at its off-diagonal zeros (the reduction's early
 * stop leaves a diagonal tail of 1×1 blocks), each solved alone and the eigenpairs interleaved in
 * ascending order. Each block is scaled to unit max-norm and split recursively at its middle
 * off-diagonal e:
 * T = diag(T₁, T₂) + |e|·u·uᵀ with u = (…, 1 | sign e, …) (DLAED0). Blocks of order ≤ 32 are solved
 * by implicit QL with vectors. A merge (DLAED1–3) forms D + ρ·z·zᵀ from the halves' eigenvalues
 * and the last/first rows of their vectors, then deflates — components with ρ|zᵢ| ≤ tol and
 * pairs of poles closer than tol (after a Givens rotation that zeroes one weight) are eigenpairs
 * already — with tol = 8ε·‖T‖ taken over the whole matrix (an absolute perturbation of the order
 * of the tridiagonal reduction's own rounding). Deflation is what makes clustered and
 * rank-deficient spectra cheap: only the K non-deflated poles enter the secular equation
 * ({@link secularRoots}) and the Gu–Eisenstat vector correction ({@link secularVectors}), and the
 * update Q·U costs about m·K² flops, the non-deflated columns grouped (top-only, mixed,
 * bottom-only) so that each half multiplies only what is non-zero. Accuracy: residual and
 * orthogonality O(ε·‖T‖) however clustered the eigenvalues.
 *
 * @param d - diagonal, length n (not modified)
 * @param e - off-diagonal, length n−1 (not modified)
 * @param gemm - matrix product for the merges (default plain TypeScript)
 * @param secular - secular-equation solver of the merges (default plain TypeScript)
 * @returns eigenvalues ascending and vectors column-major
 * @category Eigen
 */
export function tridiagonalEigenDC(
  d: Float64Array,
  e: Float64Array,
  gemm: Gemm = gemmJs,
  secular: Secular = secularJs,
): TridiagonalEigenDC {
  const n = d.length;
  const starts = [0];
  for (let i = 0; i + 1 < n; i++) if (e[i] === 0) starts.push(i + 1);
  if (starts.length === 1) return solveUnreduced(d, e, gemm, secular);
  starts.push(n);
  // independent blocks: solve each, then interleave their eigenpairs in ascending order
  const blockValues = new Float64Array(n);
  const blockVectors: (Float64Array | null)[] = [];
  const blockOf = new Int32Array(n);
  for (let b = 0; b + 1 < starts.length; b++) {
    const lo = starts[b];
    const hi = starts[b + 1];
    blockOf.fill(b, lo, hi);
    if (hi - lo === 1) {
      blockValues[lo] = d[lo];
      blockVectors.push(null);
      continue;
    }
    const r = solveUnreduced(d.subarray(lo, hi), e.subarray(lo, hi - 1), gemm, secular);
    blockValues.set(r.values, lo);
    blockVectors.push(r.vectors);
  }
  // ascending by value, ties by position (each block's own order is ascending already)
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => blockValues[x] - blockValues[y] || x - y,
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    const p = order[t];
    const b = blockOf[p];
    const lo = starts[b];
    const m = starts[b + 1] - lo;
    values[t] = blockValues[p];
    const v = blockVectors[b];
    if (v === null) vectors[t * n + p] = 1;
    else vectors.set(v.subarray((p - lo) * m, (p - lo + 1) * m), t * n + lo);
  }
  return { values, vectors };
}

/** {@link tridiagonalEigenDC} on one unreduced block (or one whose off-diagonal has no exact zero). */
function solveUnreduced(d: Float64Array, e: Float64Array, gemm: Gemm, secular: Secular): TridiagonalEigenDC {
  const n = d.length;
  const q = new Float64Array(n * n);
  const dd = Float64Array.from(d);
  const ee = new Float64Array(n);
  ee.set(e.subarray(0, Math.max(n - 1, 0)));
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(dd[i]), Math.abs(ee[i]));
  if (scale === 0 || n === 1) {
    for (let i = 0; i < n; i++) q[i * n + i] = 1;
    return { values: dd, vectors: q };
  }
  for (let i = 0; i < n; i++) {
    dd[i] /= scale;
    ee[i] /= scale;
  }
  let tnorm = 0;
  for (let i = 0; i < n; i++)
    tnorm = Math.max(tnorm, Math.abs(dd[i]) + Math.abs(ee[i]) + (i > 0 ? Math.abs(ee[i - 1]) : 0));
  const ws = new Workspace(n);
  const ctx: Ctx = { n, d: dd, e: ee, q, tol: 8 * EPS * tnorm, gemm, secular, ws };
  solveBlock(ctx, 0, n);
  for (let i = 0; i < n; i++) dd[i] *= scale;
  return { values: dd, vectors: q };
}

/** Scratch of the merges, sized once for the top level. */
class Workspace {
  readonly qw: Float64Array;
  readonly u: Float64Array;
  readonly ug: Float64Array;
  readonly a: Float64Array;
  readonly c: Float64Array;
  readonly vec: Float64Array[];
  readonly idx: Int32Array[];
  constructor(n: number) {
    this.qw = new Float64Array(n * n);
    this.u = new Float64Array(n * n);
    this.ug = new Float64Array(n * n);
    this.a = new Float64Array(n * n);
    this.c = new Float64Array(n * n);
    this.vec = Array.from({ length: 6 }, () => new Float64Array(n));
    this.idx = Array.from({ length: 5 }, () => new Int32Array(n));
  }
}

interface Ctx {
  readonly n: number;
  /** Diagonal, overwritten block by block with the blocks' eigenvalues (ascending). */
  readonly d: Float64Array;
  readonly e: Float64Array;
  /** Column-major n×n; block [lo, hi) holds its eigenvectors on the diagonal. */
  readonly q: Float64Array;
  readonly tol: number;
  readonly gemm: Gemm;
  readonly secular: Secular;
  readonly ws: Workspace;
}

function solveBlock(ctx: Ctx, lo: number, hi: number): void {
  const m = hi - lo;
  if (m <= LEAF) {
    leafQL(ctx, lo, hi);
    return;
  }
  const mid = lo + (m >> 1);
  const off = ctx.e[mid - 1];
  const beta = Math.abs(off);
  ctx.d[mid - 1] -= beta;
  ctx.d[mid] -= beta;
  solveBlock(ctx, lo, mid);
  solveBlock(ctx, mid, hi);
  merge(ctx, lo, mid, hi, beta, off < 0 ? -1 : 1);
}

/** Implicit QL with vectors on block [lo, hi) (tql2), then sorted ascending. */
function leafQL(ctx: Ctx, lo: number, hi: number): void {
  const { n, q } = ctx;
  const m = hi - lo;
  const dd = ctx.d.subarray(lo, hi);
  const ee = new Float64Array(m);
  for (let i = 0; i < m - 1; i++) ee[i] = ctx.e[lo + i];
  for (let i = 0; i < m; i++) q[(lo + i) * n + lo + i] = 1;
  // column c of the block: q[(lo + c)·n + lo + r]
  const col = (c: number) => (lo + c) * n + lo;
  let tnorm = 0;
  for (let i = 0; i < m; i++)
    tnorm = Math.max(tnorm, Math.abs(dd[i]) + Math.abs(ee[i]) + (i > 0 ? Math.abs(ee[i - 1]) : 0));
  const floor = 0.5 * EPS * tnorm;
  for (let l = 0; l < m; l++) {
    let iter = 0;
    for (;;) {
      let mm = l;
      for (; mm < m - 1; mm++) {
        const s = Math.abs(dd[mm]) + Math.abs(dd[mm + 1]);
        if (Math.abs(ee[mm]) <= EPS * s || Math.abs(ee[mm]) <= floor) break;
      }
      if (mm === l) break;
      if (++iter > 100)
        throw new Error(`tridiagonalEigenDC: QL did not converge in a leaf at index ${lo + l}`);
      let g = (dd[l + 1] - dd[l]) / (2 * ee[l]);
      let r = Math.hypot(g, 1);
      g = dd[mm] - dd[l] + ee[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = mm - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * ee[i];
        const b = c * ee[i];
        r = Math.hypot(f, g);
        ee[i + 1] = r;
        if (r === 0) {
          dd[i + 1] -= p;
          ee[mm] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = dd[i + 1] - p;
        r = (dd[i] - g) * s + 2 * c * b;
        p = s * r;
        dd[i + 1] = g + p;
        g = c * r - b;
        const c0 = col(i);
        const c1 = col(i + 1);
        for (let k = 0; k < m; k++) {
          const fk = q[c1 + k];
          const zk = q[c0 + k];
          q[c1 + k] = s * zk + c * fk;
          q[c0 + k] = c * zk - s * fk;
        }
      }
      if (underflow) continue;
      dd[l] -= p;
      ee[l] = g;
      ee[mm] = 0;
    }
  }
  // selection sort ascending (m ≤ LEAF), swapping vectors
  for (let i = 0; i < m - 1; i++) {
    let k = i;
    for (let j = i + 1; j < m; j++) if (dd[j] < dd[k]) k = j;
    if (k === i) continue;
    const t = dd[i];
    dd[i] = dd[k];
    dd[k] = t;
    const ci = col(i);
    const ck = col(k);
    for (let r = 0; r < m; r++) {
      const x = q[ci + r];
      q[ci + r] = q[ck + r];
      q[ck + r] = x;
    }
  }
}

/** Merges the solved blocks [lo, mid) and [mid, hi) coupled by β·u·uᵀ (DLAED1–3). */
function merge(ctx: Ctx, lo: number, mid: number, hi: number, beta: number, sgn: number): void {
  const { n, q, d, tol, ws } = ctx;
  const m = hi - lo;
  const n1 = mid - lo;
  const n2 = hi - mid;
  const [zz, dv, dl, zl, lam, wtmp] = ws.vec;
  const [order, type, nd, dfl, pos] = ws.idx;
  // the block's vectors, column-major m×m (ld m); z = (last row of Q₁, sign·first row of Q₂)/√2
  const qw = ws.qw;
  const r2 = Math.SQRT1_2;
  for (let c = 0; c < m; c++) {
    const src = (lo + c) * n + lo;
    const dst = c * m;
    if (c < n1) {
      for (let r = 0; r < n1; r++) qw[dst + r] = q[src + r];
      qw.fill(0, dst + n1, dst + m);
      zz[c] = q[src + n1 - 1] * r2;
      type[c] = 1;
    } else {
      qw.fill(0, dst, dst + n1);
      for (let r = n1; r < m; r++) qw[dst + r] = q[src + r];
      zz[c] = sgn * q[src + n1] * r2;
      type[c] = 3;
    }
    dv[c] = d[lo + c];
  }
  const rho = 2 * beta;
  // sort the poles ascending (the halves are sorted: merge them)
  {
    let i = 0;
    let j = n1;
    let k = 0;
    while (i < n1 && j < m) order[k++] = dv[i] <= dv[j] ? i++ : j++;
    while (i < n1) order[k++] = i++;
    while (j < m) order[k++] = j++;
  }
  // deflation (DLAED2)
  let K = 0;
  let nDfl = 0;
  let pj = -1;
  for (let t = 0; t < m; t++) {
    const c = order[t];
    if (rho * Math.abs(zz[c]) <= tol) {
      dfl[nDfl++] = c;
      continue;
    }
    if (pj < 0) {
      pj = c;
      continue;
    }
    const s0 = zz[pj];
    const c0 = zz[c];
    const h = Math.hypot(c0, s0);
    const gap = dv[c] - dv[pj];
    const cs = c0 / h;
    const sn = -s0 / h;
    if (Math.abs(gap * cs * sn) <= tol) {
      // rotate (pj, c) so that z[pj] = 0: pj is deflated, c carries the weight
      zz[c] = h;
      zz[pj] = 0;
      if (type[c] !== type[pj]) type[c] = 2;
      const op = pj * m;
      const oc = c * m;
      for (let r = 0; r < m; r++) {
        const x = qw[op + r];
        const y = qw[oc + r];
        qw[op + r] = cs * x + sn * y;
        qw[oc + r] = cs * y - sn * x;
      }
      const dp = dv[pj] * cs * cs + dv[c] * sn * sn;
      dv[c] = dv[pj] * sn * sn + dv[c] * cs * cs;
      dv[pj] = dp;
      dfl[nDfl++] = pj;
      pj = c;
    } else {
      nd[K++] = pj;
      pj = c;
    }
  }
  if (pj >= 0) nd[K++] = pj;
  // the secular equation on the K remaining poles
  const dlK = dl.subarray(0, K);
  const zlK = zl.subarray(0, K);
  for (let i = 0; i < K; i++) {
    dlK[i] = dv[nd[i]];
    zlK[i] = zz[nd[i]];
  }
  const u = ws.u.subarray(0, K * K);
  const lamK = lam.subarray(0, K);
  if (K > 0) ctx.secular(dlK, zlK, rho, lamK, u, wtmp);
  // group the non-deflated columns: top-only, mixed, bottom-only (DLAED2's column types)
  let k1 = 0;
  let k2 = 0;
  for (let i = 0; i < K; i++) {
    const t = type[nd[i]];
    if (t === 1) k1++;
    else if (t === 2) k2++;
  }
  const k3 = K - k1 - k2;
  {
    let p1 = 0;
    let p2 = k1;
    let p3 = k1 + k2;
    for (let i = 0; i < K; i++) {
      const t = type[nd[i]];
      pos[i] = t === 1 ? p1++ : t === 2 ? p2++ : p3++;
    }
  }
  // ug: U with rows permuted into group order, column-major K×K
  const ug = ws.ug;
  for (let j = 0; j < K; j++) {
    const o = j * K;
    for (let i = 0; i < K; i++) ug[o + pos[i]] = u[o + i];
  }
  // a: [Q_top of groups 1,2 (n1 × (k1+k2)) | Q_bottom of groups 2,3 (n2 × (k2+k3))]
  const a = ws.a;
  const aBot = n1 * (k1 + k2);
  for (let i = 0; i < K; i++) {
    const src = nd[i] * m;
    const g = pos[i];
    if (g < k1 + k2) a.set(qw.subarray(src, src + n1), g * n1);
    if (g >= k1) a.set(qw.subarray(src + n1, src + m), aBot + (g - k1) * n2);
  }
  // c (m×K, ld m): top rows = A_top·U[0:k1+k2, :], bottom rows = A_bot·U[k1:K, :]
  const cm = ws.c;
  if (K > 0) {
    if (k1 + k2 > 0) ctx.gemm(n1, K, k1 + k2, a, 0, n1, ug, 0, K, cm, 0, m);
    else for (let j = 0; j < K; j++) cm.fill(0, j * m, j * m + n1);
    if (k2 + k3 > 0) ctx.gemm(n2, K, k2 + k3, a, aBot, n2, ug, k1, K, cm, n1, m);
    else for (let j = 0; j < K; j++) cm.fill(0, j * m + n1, j * m + m);
  }
  // write back ascending: K roots (ascending) merged with the deflated poles (sorted)
  const dvals = wtmp;
  const dsorted = Int32Array.from(dfl.subarray(0, nDfl)).sort((x, y) => dv[x] - dv[y]);
  let i = 0;
  let j = 0;
  for (let t = 0; t < m; t++) {
    const takeRoot = i < K && (j >= nDfl || lamK[i] <= dv[dsorted[j]]);
    const dst = (lo + t) * n + lo;
    if (takeRoot) {
      dvals[t] = lamK[i];
      q.set(cm.subarray(i * m, i * m + m), dst);
      i++;
    } else {
      const c = dsorted[j++];
      dvals[t] = dv[c];
      q.set(qw.subarray(c * m, c * m + m), dst);
    }
  }
  for (let t = 0; t < m; t++) d[lo + t] = dvals[t];
  void n2;
}
