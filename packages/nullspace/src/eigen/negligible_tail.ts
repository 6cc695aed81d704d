/**
 * The early stop of the tridiagonal reduction on numerically rank-deficient matrices: once the
 * trailing matrix left after a panel is at rounding level, the rest of it is taken as diagonal.
 *
 * @module
 */

const EPS = 2.220446049250313e-16;

/**
 * How small the trailing matrix must be, relative to ‖A‖_F, for the reduction to stop: 8ε, the
 * divide-and-conquer deflation tolerance.
 *
 * @internal
 */
export const TAIL_TOLERANCE = 8 * EPS;

/**
 * ‖A‖_F of a symmetric matrix from its upper triangle (row-major at `offset` in `a`, order n).
 *
 * @param a - holds the matrix, row-major [n, n] from `offset`
 * @param n - order
 * @param offset - index of A[0, 0] in `a`
 * @returns the Frobenius norm
 * @internal
 */
export function frobeniusUpper(a: Float64Array, n: number, offset = 0): number {
  return Math.sqrt(tailSquares(a, n, 0, offset, Number.POSITIVE_INFINITY));
}

/**
 * Whether the trailing matrix A[s:, s:] (upper triangle up to date, row-major at `offset`) and its
 * coupling e[s−1] to the reduced part are together below `tol` in Frobenius norm:
 * √(‖A[s:, s:]‖²_F + 2·e[s−1]²) ≤ tol. Then the reduction may stop at s: setting that block's
 * off-diagonal part and e[s−1] to zero perturbs A by at most tol (a backward error of the same
 * order as the deflations of divide and conquer, which use the same tolerance), and T ends in a
 * diagonal block whose eigenvectors are unit vectors. The O((n−s)²) sum is only formed when
 * |e[s−1]| ≤ tol, so full-rank matrices pay one comparison per panel.
 *
 * @param a - holds the matrix being reduced, row-major [n, n] from `offset`
 * @param n - order
 * @param s - first row of the trailing block, 1 ≤ s < n
 * @param coupling - e[s−1]
 * @param tol - absolute tolerance (TAIL_TOLERANCE·‖A‖_F)
 * @param offset - index of A[0, 0] in `a`
 * @returns true when the trailing block is negligible
 * @internal
 */
export function tailIsNegligible(
  a: Float64Array,
  n: number,
  s: number,
  coupling: number,
  tol: number,
  offset = 0,
): boolean {
  const c2 = 2 * coupling * coupling;
  const t2 = tol * tol;
  if (c2 > t2) return false;
  return c2 + tailSquares(a, n, s, offset, t2 - c2) <= t2;
}

/**
 * Makes rows s..n−1 of a reduction the identity part: d[i] = A[i, i], e[s−1..] = 0, τ[s..] = 0,
 * and row i's reflector v_i = e_{i+1} (stored as 1 right of the diagonal, zeros after).
 *
 * @param a - the matrix being reduced (its reflector rows), row-major [n, n] from `offset`
 * @param n - order
 * @param s - first row of the negligible block
 * @param d - diagonal, length n
 * @param e - off-diagonal, length n−1
 * @param tau - reflector scalars, length n−1
 * @param offset - index of A[0, 0] in `a`
 * @internal
 */
export function finishNegligibleTail(
  a: Float64Array,
  n: number,
  s: number,
  d: Float64Array,
  e: Float64Array,
  tau: Float64Array,
  offset = 0,
): void {
  e[s - 1] = 0;
  for (let i = s; i < n; i++) {
    const r = offset + i * n;
    d[i] = a[r + i];
    if (i < n - 1) {
      e[i] = 0;
      tau[i] = 0;
      a[r + i + 1] = 1;
      a.fill(0, r + i + 2, r + n);
    }
  }
}

/** Σ over the upper triangle of A[s:, s:] of the squares (off-diagonal ones twice); stops once past `limit`. */
function tailSquares(a: Float64Array, n: number, s: number, offset: number, limit: number): number {
  let sum = 0;
  for (let i = s; i < n; i++) {
    const r = offset + i * n;
    let row = 0;
    for (let c = i + 1; c < n; c++) row += a[r + c] * a[r + c];
    sum += a[r + i] * a[r + i] + 2 * row;
    if (sum > limit) return sum;
  }
  return sum;
}
