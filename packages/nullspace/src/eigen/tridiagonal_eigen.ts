/**
 * Eigenvalues and selected eigenvectors of a symmetric tridiagonal matrix.
 *
 * @module
 */

const EPS = 2.220446049250313e-16;

/** √(a² + b²) without destructive overflow (Math.hypot is much slower in V8). */
function pythag(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * All eigenvalues of a symmetric tridiagonal matrix by implicit QL with Wilkinson shifts.
 *
 * **Details**
 * The classic tql1 iteration (no vectors, O(n²)): absolute accuracy O(ε·‖T‖). Returned unsorted
 * in the order QL leaves them.
 *
 * @param d - diagonal, length n (not modified)
 * @param e - off-diagonal, length n−1 (not modified)
 * @returns the n eigenvalues
 * @category Eigen
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  const dd = Float64Array.from(d);
  const ee = new Float64Array(n);
  ee.set(e.subarray(0, Math.max(n - 1, 0)));
  // absolute floor of the deflation test: ε·‖T‖ (the accuracy QL delivers anyway)
  let tnorm = 0;
  for (let i = 0; i < n; i++)
    tnorm = Math.max(tnorm, Math.abs(dd[i]) + Math.abs(ee[i]) + (i > 0 ? Math.abs(ee[i - 1]) : 0));
  const floor = 0.5 * EPS * tnorm;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const s = Math.abs(dd[m]) + Math.abs(dd[m + 1]);
        if (Math.abs(ee[m]) <= EPS * s || Math.abs(ee[m]) <= floor) break;
      }
      if (m === l) break;
      if (++iter > 100) throw new Error(`tridiagonalEigenvalues: QL did not converge at index ${l} (n=${n})`);
      let g = (dd[l + 1] - dd[l]) / (2 * ee[l]);
      let r = pythag(g, 1);
      g = dd[m] - dd[l] + ee[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * ee[i];
        const b = c * ee[i];
        r = pythag(f, g);
        ee[i + 1] = r;
        if (r === 0) {
          dd[i + 1] -= p;
          ee[m] = 0;
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
      }
      if (underflow) continue;
      dd[l] -= p;
      ee[l] = g;
      ee[m] = 0;
    }
  }
  return dd;
}

/** LU factors of T − λI with partial pivoting (as LAPACK DLAGTF). */
interface TridiagonalLu {
  u0: Float64Array;
  u1: Float64Array;
  u2: Float64Array;
  mult: Float64Array;
  swap: Uint8Array;
}

function factor(d: Float64Array, e: Float64Array, lambda: number, pivMin: number, lu: TridiagonalLu): void {
  const n = d.length;
  const { u0, u1, u2, mult, swap } = lu;
  let a = d[0] - lambda;
  let b = n > 1 ? e[0] : 0;
  for (let k = 0; k < n - 1; k++) {
    const ek = e[k];
    const dk1 = d[k + 1] - lambda;
    const ek1 = k + 1 < n - 1 ? e[k + 1] : 0;
    if (Math.abs(a) >= Math.abs(ek)) {
      swap[k] = 0;
      const piv = Math.abs(a) < pivMin ? (a >= 0 ? pivMin : -pivMin) : a;
      u0[k] = piv;
      u1[k] = b;
      u2[k] = 0;
      const mk = ek / piv;
      mult[k] = mk;
      a = dk1 - mk * b;
      b = ek1;
    } else {
      swap[k] = 1;
      u0[k] = ek;
      u1[k] = dk1;
      u2[k] = ek1;
      const mk = a / ek;
      mult[k] = mk;
      a = b - mk * dk1;
      b = -mk * ek1;
    }
  }
  u0[n - 1] = Math.abs(a) < pivMin ? (a >= 0 ? pivMin : -pivMin) : a;
}

function solve(lu: TridiagonalLu, y: Float64Array): void {
  const { u0, u1, u2, mult, swap } = lu;
  const n = y.length;
  for (let k = 0; k < n - 1; k++) {
    if (swap[k]) {
      const t = y[k];
      y[k] = y[k + 1];
      y[k + 1] = t - mult[k] * y[k];
    } else {
      y[k + 1] -= mult[k] * y[k];
    }
  }
  y[n - 1] /= u0[n - 1];
  if (n > 1) y[n - 2] = (y[n - 2] - u1[n - 2] * y[n - 1]) / u0[n - 2];
  for (let k = n - 3; k >= 0; k--) y[k] = (y[k] - u1[k] * y[k + 1] - u2[k] * y[k + 2]) / u0[k];
}

/**
 * Eigenvectors of a symmetric tridiagonal matrix for given eigenvalues, by inverse iteration.
 *
 * **Details**
 * As LAPACK's DSTEIN: for each eigenvalue λ (sorted descending), T − λI is factored with partial
 * pivoting (tiny pivots replaced by ε·‖T‖), a seeded start vector is refined by inverse iteration,
 * and eigenvalues closer than 10⁻³·‖T‖₁ to their neighbour form clusters within which each new
 * vector is re-orthogonalised (modified Gram–Schmidt) against the cluster's earlier vectors at
 * every iteration. Equal eigenvalues are nudged apart by a few ulps so the factorisations differ.
 * Cost O(n·k) plus O(n·c²) per cluster of size c.
 *
 * @param d - diagonal, length n
 * @param e - off-diagonal, length n−1
 * @param lambdas - eigenvalues, sorted descending, length k
 * @returns the eigenvectors, column-major n×k as k contiguous vectors (vector j at [j·n, (j+1)·n))
 * @category Eigen
 */
export function tridiagonalEigenvectors(
  d: Float64Array,
  e: Float64Array,
  lambdas: Float64Array,
): Float64Array {
  const n = d.length;
  const k = lambdas.length;
  const z = new Float64Array(n * k);
  if (n === 1) {
    z.fill(1);
    return z;
  }
  let tnorm = 0;
  for (let i = 0; i < n; i++) {
    const row = Math.abs(d[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    tnorm = Math.max(tnorm, row);
  }
  if (tnorm === 0) tnorm = 1;
  const pivMin = EPS * tnorm;
  const ortol = 1e-3 * tnorm;
  const lu: TridiagonalLu = {
    u0: new Float64Array(n),
    u1: new Float64Array(n),
    u2: new Float64Array(n),
    mult: new Float64Array(n),
    swap: new Uint8Array(n),
  };
  let seed = 0x9e3779b9;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const x = new Float64Array(n);
  let clusterStart = 0;
  let prevLambda = Number.POSITIVE_INFINITY;
  let prevUsed = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) {
    let lambda = lambdas[j];
    if (j > 0 && prevLambda - lambda > ortol) clusterStart = j;
    prevLambda = lambda;
    // separate equal/near-equal eigenvalues so the factorisations differ (descending order)
    const minSep = 10 * EPS * Math.max(Math.abs(lambda), pivMin);
    if (j > clusterStart && prevUsed - lambda < minSep) lambda = prevUsed - minSep;
    prevUsed = lambda;
    factor(d, e, lambda, pivMin, lu);
    for (let i = 0; i < n; i++) x[i] = rand();
    let converged = 0;
    for (let it = 0; it < 10; it++) {
      let bn = 0;
      for (let i = 0; i < n; i++) bn += x[i] * x[i];
      bn = Math.sqrt(bn);
      if (bn === 0) {
        for (let i = 0; i < n; i++) x[i] = rand();
        continue;
      }
      for (let i = 0; i < n; i++) x[i] /= bn;
      solve(lu, x);
      // re-orthogonalise within the cluster (twice is enough)
      for (let pass = 0; pass < 2; pass++) {
        for (let q = clusterStart; q < j; q++) {
          const zq = z.subarray(q * n, q * n + n);
          let dot = 0;
          for (let i = 0; i < n; i++) dot += zq[i] * x[i];
          for (let i = 0; i < n; i++) x[i] -= dot * zq[i];
        }
      }
      let xn = 0;
      for (let i = 0; i < n; i++) xn += x[i] * x[i];
      xn = Math.sqrt(xn);
      // residual of x/‖x‖ is about ‖b‖/‖x‖ = 1/‖x‖
      if (xn * EPS * tnorm * Math.sqrt(n) >= 1e-3) converged++;
      if (converged >= 2) break;
    }
    let xn = 0;
    for (let i = 0; i < n; i++) xn += x[i] * x[i];
    xn = Math.sqrt(xn);
    const zj = z.subarray(j * n, j * n + n);
    // sign convention: largest-magnitude component positive
    let big = 0;
    for (let i = 1; i < n; i++) if (Math.abs(x[i]) > Math.abs(x[big])) big = i;
    const sgn = x[big] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) zj[i] = (sgn * x[i]) / xn;
  }
  return z;
}
