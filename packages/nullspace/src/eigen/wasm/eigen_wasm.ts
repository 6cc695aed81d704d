import { identityBlock, packReflectorPanel } from '../back_transform.js';
import {
  finishNegligibleTail,
  frobeniusUpper,
  TAIL_TOLERANCE,
  tailIsNegligible,
} from '../negligible_tail.js';
import type { Tridiagonal } from '../tridiagonalize.js';
import { EIGEN_KERNELS_WASM_BASE64 } from './eigen_kernels_wasm.js';
import {
  type EigenPool,
  eigenPool,
  OP_APPLY_BLOCK,
  OP_GEMM,
  OP_RANK2K,
  OP_SECULAR_NORMALIZE,
  OP_SECULAR_ROOTS,
  OP_SECULAR_WEIGHTS,
  OP_SYMV,
} from './eigen_pool.js';

/** Panel width; must equal NB in wasm/eigen_kernels.c. */
const NB = 32;
/** Row and depth blocks of gemm_nn; must equal MC and KC in wasm/eigen_kernels.c. */
const GEMM_MC = 128;
const GEMM_KC = 128;
/** First byte past the module's own stack and data (its initial memory). */
const HEAP_BASE = 1114112;

/** The few WebAssembly globals used here (this package compiles without the DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** Below this order the kernels run on the calling thread only (thread hand-offs would dominate). */
const MIN_PARALLEL_N = 256;

/** The exported functions of wasm/eigen_kernels.c. @internal */
export interface Kernels {
  memory: WasmMemory;
  /** The compiled module (helper threads instantiate it on the same memory). */
  module: object;
  panel_column: (
    A: number,
    n: number,
    k0: number,
    j: number,
    d: number,
    e: number,
    tau: number,
    vp: number,
    wp: number,
  ) => number;
  symv_rows: (A: number, n: number, s: number, v: number, y: number, i0: number, i1: number) => void;
  panel_w: (
    n: number,
    k0: number,
    j: number,
    tau: number,
    vp: number,
    wp: number,
    y: number,
    y1: number,
  ) => void;
  rank2k_rows: (
    A: number,
    n: number,
    s: number,
    vp: number,
    wp: number,
    nb: number,
    i0: number,
    i1: number,
    tail: number,
    vpk: number,
    wpk: number,
  ) => void;
  pack_panel: (vp: number, wp: number, n: number, nb: number, s: number, vpk: number, wpk: number) => void;
  apply_block: (
    vp: number,
    vt: number,
    T: number,
    z: number,
    W: number,
    ap: number,
    n: number,
    k: number,
    ldz: number,
    nb: number,
    start: number,
  ) => void;
  reflector_t: (
    vp: number,
    tau: number,
    T: number,
    vt: number,
    G: number,
    n: number,
    nb: number,
    b0: number,
  ) => void;
  secular_roots: (
    dl: number,
    z: number,
    rho: number,
    lambda: number,
    delta: number,
    K: number,
    j0: number,
    j1: number,
  ) => void;
  secular_weights: (
    dl: number,
    z: number,
    delta: number,
    w: number,
    K: number,
    i0: number,
    i1: number,
  ) => void;
  secular_normalize: (delta: number, w: number, K: number, j0: number, j1: number) => void;
  gram_upper: (X: number, rows: number, dim: number, G: number) => void;
  gemm_nn: (
    A: number,
    B: number,
    C: number,
    m: number,
    n: number,
    k: number,
    ldb: number,
    ldc: number,
    ap: number,
  ) => void;
}

let kernels: Kernels | null | undefined;
let loadError: string | undefined;

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  const bin = (globalThis as unknown as { atob: (s: string) => string }).atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The wasm SIMD kernels, compiled synchronously on first use on a shared memory (so helper threads
 * can run them too); `null` where WebAssembly SIMD or shared memory is unavailable (or synchronous
 * compilation is refused, as on a browser main thread), in which case callers use the TypeScript
 * kernels.
 *
 * @internal
 */
export function eigenKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const wa = (globalThis as unknown as { WebAssembly?: WasmGlobal }).WebAssembly;
    if (!wa) throw new Error('WebAssembly is not available');
    const module = new wa.Module(decodeBase64(EIGEN_KERNELS_WASM_BASE64));
    const memory = new wa.Memory({ initial: HEAP_BASE / 65536, maximum: 65536, shared: true });
    const inst = new wa.Instance(module, { env: { memory } });
    kernels = { ...(inst.exports as object), memory, module } as Kernels;
  } catch (e) {
    loadError = (e as Error).message;
    kernels = null;
  }
  return kernels;
}

/** Why the wasm kernels are unavailable, if they are. @internal */
export function eigenKernelsError(): string | undefined {
  eigenKernels();
  return loadError;
}

/** Grows the module memory to hold `bytes` past HEAP_BASE; returns a fresh Float64Array view. */
function ensure(k: Kernels, bytes: number): Float64Array {
  const need = HEAP_BASE + bytes;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  return new Float64Array(k.memory.buffer);
}

/** The helper threads for an order-n problem on `threads` threads, or null (single-threaded). */
function helpers(k: Kernels, n: number, threads: number): EigenPool | null {
  if (threads <= 1 || n < MIN_PARALLEL_N) return null;
  return eigenPool(k.module, k.memory, threads);
}

/**
 * Splits [0, total) into `parts` ranges of about equal size whose inner boundaries are multiples
 * of `align` (so SIMD pairing, and therefore every bit of the result, is the same as in one call).
 */
function splitEven(total: number, parts: number, align: number): number[] {
  const cuts = [0];
  for (let p = 1; p < parts; p++) {
    const c = Math.floor((total * p) / parts / align) * align;
    cuts.push(Math.max(cuts[cuts.length - 1], Math.min(c, total)));
  }
  cuts.push(total);
  return cuts;
}

/** {@link tridiagonalize} on the wasm kernels (same algorithm and results up to rounding). @internal */
export function tridiagonalizeWasm(k: Kernels, a: Float64Array, n: number, threads = 1): Tridiagonal {
  const nn = n * n;
  // layout (float64 indices from HEAP_BASE/8): A | d | e | tau | vp | wp | y | y1 | vpk | wpk
  const base = HEAP_BASE / 8;
  const oA = base;
  const od = oA + nn;
  const oe = od + n;
  const ot = oe + n;
  const ov = ot + n;
  const ow = ov + NB * n;
  const oy = ow + NB * n;
  const oy1 = oy + n + (n % 2);
  const ovk = oy1 + n + (n % 2);
  const owk = ovk + NB * n;
  const total = owk + NB * n - base;
  const mem = ensure(k, total * 8);
  mem.set(a.subarray(0, nn), oA);
  // one call per panel: V8 tiers short calls up to optimised code early (see eigen_kernels.c)
  const pool = helpers(k, n, threads);
  const tol = TAIL_TOLERANCE * frobeniusUpper(a, n);
  for (let k0 = 0; k0 < n; k0 += NB) {
    const nb = Math.min(NB, n - k0);
    for (let j = 0; j < nb; j++) {
      const status = k.panel_column(oA * 8, n, k0, j, od * 8, oe * 8, ot * 8, ov * 8, ow * 8);
      if (status === 2) break;
      if (status === 0) continue;
      // y = A22·v in two fixed row parts of equal area (the second on a helper when there is one)
      const s = k0 + j + 1;
      const cut = Math.min(n, s + 2 * Math.round((n - s) * (1 - Math.SQRT1_2) * 0.5));
      const vrow = (ov + j * n) * 8;
      if (pool) pool.start(0, OP_SYMV, [oA * 8, n, s, vrow, oy1 * 8, cut, n]);
      else k.symv_rows(oA * 8, n, s, vrow, oy1 * 8, cut, n);
      k.symv_rows(oA * 8, n, s, vrow, oy * 8, s, cut);
      pool?.wait(0);
      k.panel_w(n, k0, j, ot * 8, ov * 8, ow * 8, oy * 8, oy1 * 8);
    }
    const s = k0 + NB;
    if (s >= n) continue;
    // trailing rank-2nb update of the upper triangle: rows of equal area per thread (tiles of 4)
    const m = n - s;
    const end4 = s + (m - (m % 4));
    k.pack_panel(ov * 8, ow * 8, n, nb, s, ovk * 8, owk * 8);
    if (!pool) {
      k.rank2k_rows(oA * 8, n, s, ov * 8, ow * 8, nb, s, end4, 1, ovk * 8, owk * 8);
      if (stopAtNegligibleTail(k, n, s, oA, od, oe, ot, tol)) break;
      continue;
    }
    const parts = pool.size + 1;
    const cuts = [s];
    for (let p = 1; p < parts; p++) {
      // rows [s, r) hold the fraction p/parts of the triangle's area
      const r = end4 - Math.sqrt(1 - p / parts) * (end4 - s);
      cuts.push(Math.min(end4, Math.max(cuts[p - 1], s + Math.round((r - s) / 4) * 4)));
    }
    cuts.push(end4);
    for (let h = 0; h < pool.size; h++)
      pool.start(h, OP_RANK2K, [
        oA * 8,
        n,
        s,
        ov * 8,
        ow * 8,
        nb,
        cuts[h + 1],
        cuts[h + 2],
        0,
        ovk * 8,
        owk * 8,
      ]);
    k.rank2k_rows(oA * 8, n, s, ov * 8, ow * 8, nb, cuts[0], cuts[1], 1, ovk * 8, owk * 8);
    for (let h = 0; h < pool.size; h++) pool.wait(h);
    if (stopAtNegligibleTail(k, n, s, oA, od, oe, ot, tol)) break;
  }
  const m = new Float64Array(k.memory.buffer);
  return {
    n,
    d: m.slice(od, od + n),
    e: m.slice(oe, oe + Math.max(n - 1, 0)),
    tau: m.slice(ot, ot + Math.max(n - 1, 0)),
    reflectors: m.slice(oA, oA + nn),
  };
}

/**
 * The early stop of {@link tridiagonalize} in the module's memory (float64 indices oA, od, oe, ot):
 * true, with rows s..n−1 made the identity part, when the trailing block is negligible.
 */
function stopAtNegligibleTail(
  k: Kernels,
  n: number,
  s: number,
  oA: number,
  od: number,
  oe: number,
  ot: number,
  tol: number,
): boolean {
  const m = new Float64Array(k.memory.buffer);
  if (!tailIsNegligible(m, n, s, m[oe + s - 1], tol, oA)) return false;
  const last = Math.max(n - 1, 0);
  finishNegligibleTail(
    m,
    n,
    s,
    m.subarray(od, od + n),
    m.subarray(oe, oe + last),
    m.subarray(ot, ot + last),
    oA,
  );
  return true;
}

/** {@link applyQ} on the wasm kernels: Z ← Q·Z, z row-major [n, k]. @internal */
export function applyQWasm(kern: Kernels, tri: Tridiagonal, z: Float64Array, k: number, threads = 1): void {
  const { n, reflectors: R, tau } = tri;
  const nref = n - 1;
  if (nref <= 0 || k === 0) return;
  const pool = k >= 16 ? helpers(kern, n, threads) : null;
  const parts = pool ? pool.size + 1 : 1;
  // Z is held with its rows padded to kp = a multiple of 8 columns (zeros), so that every column
  // runs in the kernel's 8-wide SIMD path; columns per thread are multiples of 8 (each entry is
  // summed the same way in any split, so the bits do not depend on the thread count)
  const kp = Math.ceil(k / 8) * 8;
  const cuts = splitEven(kp, parts, 8);
  const base = HEAP_BASE / 8;
  // layout: V p-major | V transposed | T | τ of the block | Gram scratch | Z | per thread: W (NB × its
  // columns) and a packing scratch
  const ov = base;
  const ovt = ov + NB * n;
  const oT = ovt + NB * n;
  const otau = oT + NB * NB;
  const oG = otau + NB;
  const oz = oG + NB * NB;
  const oW = oz + n * kp;
  const oS = oW + NB * kp;
  const total = oS + parts * GEMM_MC * GEMM_KC - base;
  let mem = ensure(kern, total * 8);
  if (kp === k) mem.set(z.subarray(0, n * k), oz);
  else {
    mem.fill(0, oz, oz + n * kp);
    for (let i = 0; i < n; i++) mem.set(z.subarray(i * k, i * k + k), oz + i * kp);
  }
  const lastStart = Math.floor((nref - 1) / NB) * NB;
  for (let b0 = lastStart; b0 >= 0; b0 -= NB) {
    const nb = Math.min(NB, nref - b0);
    if (identityBlock(tau, b0, nb)) continue;
    mem = new Float64Array(kern.memory.buffer);
    packReflectorPanel(R, n, b0, nb, mem.subarray(ov, ov + NB * n));
    mem.set(tau.subarray(b0, b0 + nb), otau);
    kern.reflector_t(ov * 8, otau * 8, oT * 8, ovt * 8, oG * 8, n, nb, b0);
    const args = (h: number) => {
      const c0 = cuts[h];
      const sc = (oS + h * GEMM_MC * GEMM_KC) * 8;
      return [
        ov * 8,
        ovt * 8,
        oT * 8,
        (oz + c0) * 8,
        (oW + NB * c0) * 8,
        sc,
        n,
        cuts[h + 1] - c0,
        kp,
        nb,
        b0 + 1,
      ];
    };
    for (let h = 1; h < parts; h++) pool?.start(h - 1, OP_APPLY_BLOCK, args(h));
    const a0 = args(0);
    kern.apply_block(a0[0], a0[1], a0[2], a0[3], a0[4], a0[5], a0[6], a0[7], a0[8], a0[9], a0[10]);
    for (let h = 1; h < parts; h++) pool?.wait(h - 1);
  }
  mem = new Float64Array(kern.memory.buffer);
  if (kp === k) z.set(mem.subarray(oz, oz + n * k));
  else for (let i = 0; i < n; i++) z.set(mem.subarray(oz + i * kp, oz + i * kp + k), i * k);
}

/** Upper triangle of XᵀX (float64) for float32 X [rows, dim] on the wasm kernels, as a fresh array. @internal */
export function gramUpperWasm(k: Kernels, x: Float32Array, rows: number, dim: number): Float64Array {
  const gBytes = dim * dim * 8;
  const xBytes = Math.ceil((rows * dim * 4) / 16) * 16;
  ensure(k, gBytes + xBytes);
  const g = new Float64Array(k.memory.buffer, HEAP_BASE, dim * dim);
  g.fill(0);
  new Float32Array(k.memory.buffer, HEAP_BASE + gBytes, rows * dim).set(x.subarray(0, rows * dim));
  for (let r0 = 0; r0 < rows; r0 += 128) {
    k.gram_upper(HEAP_BASE + gBytes + r0 * dim * 4, Math.min(128, rows - r0), dim, HEAP_BASE);
  }
  return new Float64Array(k.memory.buffer, HEAP_BASE, dim * dim).slice();
}

/**
 * {@link Gemm} on the wasm kernels: C[m×n] = A[m×k]·B[k×n], column-major with offsets and leading
 * dimensions (operands are copied into the module's memory compactly, ≈(mk + kn + mn) moves
 * against 2mnk flops).
 *
 * @internal
 */
export function gemmWasm(
  kern: Kernels,
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
  threads = 1,
): void {
  if (m === 0 || n === 0) return;
  const base = HEAP_BASE / 8;
  const oA = base;
  const oB = oA + m * k + ((m * k) % 2);
  const oC = oB + k * n + ((k * n) % 2);
  // one packing scratch of GEMM_MC·GEMM_KC per thread after C
  const oS = oC + m * n + ((m * n) % 2);
  const mem = ensure(kern, (oS + threads * GEMM_MC * GEMM_KC - base) * 8);
  for (let p = 0; p < k; p++) mem.set(a.subarray(aOff + p * lda, aOff + p * lda + m), oA + p * m);
  for (let j = 0; j < n; j++) mem.set(b.subarray(bOff + j * ldb, bOff + j * ldb + k), oB + j * k);
  const pool = m * n * k >= 64 ** 3 ? helpers(kern, MIN_PARALLEL_N, threads) : null;
  const parts = pool ? pool.size + 1 : 1;
  const cuts = splitEven(n, parts, 2);
  for (let h = 1; h < parts; h++) {
    const j0 = cuts[h];
    const sh = (oS + h * GEMM_MC * GEMM_KC) * 8;
    pool?.start(h - 1, OP_GEMM, [
      oA * 8,
      (oB + j0 * k) * 8,
      (oC + j0 * m) * 8,
      m,
      cuts[h + 1] - j0,
      k,
      k,
      m,
      sh,
    ]);
  }
  kern.gemm_nn(oA * 8, oB * 8, oC * 8, m, cuts[1], k, k, m, oS * 8);
  for (let h = 1; h < parts; h++) pool?.wait(h - 1);
  const out = new Float64Array(kern.memory.buffer);
  for (let j = 0; j < n; j++) c.set(out.subarray(oC + j * m, oC + j * m + m), cOff + j * ldc);
}

/** Below this many poles a merge's secular equation runs on the calling thread only. */
const MIN_PARALLEL_SECULAR = 128;

/**
 * {@link secularRoots} then {@link secularVectors} on the wasm kernels (a C port with the same bits),
 * the roots, weights and vectors split across `threads` threads.
 *
 * @param kern - the kernels
 * @param dl - poles, strictly increasing, length K
 * @param z - weights, length K
 * @param rho - ρ > 0
 * @param lambda - out: the K roots, ascending
 * @param u - out: K×K, vector j (unit norm) at [j·K, (j+1)·K)
 * @param threads - threads in all
 * @internal
 */
export function secularWasm(
  kern: Kernels,
  dl: Float64Array,
  z: Float64Array,
  rho: number,
  lambda: Float64Array,
  u: Float64Array,
  threads = 1,
): void {
  const K = dl.length;
  if (K === 1) {
    lambda[0] = dl[0] + rho * z[0] * z[0];
    u[0] = 1;
    return;
  }
  // layout: dl | z | ρ | λ | w | delta (K×K)
  const base = HEAP_BASE / 8;
  const odl = base;
  const oz = odl + K;
  const orho = oz + K;
  const olam = orho + 1;
  const ow = olam + K;
  const od = ow + K;
  let mem = ensure(kern, (od + K * K - base) * 8);
  mem.set(dl, odl);
  mem.set(z, oz);
  mem[orho] = rho;
  const pool = K >= MIN_PARALLEL_SECULAR ? helpers(kern, MIN_PARALLEL_N, threads) : null;
  const parts = pool ? pool.size + 1 : 1;
  const cuts = splitEven(K, parts, 1);
  // each step on the helpers' parts and the caller's, the same arguments for both
  const run = (op: number, call: (args: number[]) => void, args: (from: number, to: number) => number[]) => {
    for (let h = 1; h < parts; h++) pool?.start(h - 1, op, args(cuts[h], cuts[h + 1]));
    call(args(cuts[0], cuts[1]));
    for (let h = 1; h < parts; h++) pool?.wait(h - 1);
  };
  type Args<F extends keyof Kernels> = Kernels[F] extends (...a: infer P) => void ? P : never;
  run(
    OP_SECULAR_ROOTS,
    (x) => kern.secular_roots(...(x as Args<'secular_roots'>)),
    (a, b) => [odl * 8, oz * 8, orho * 8, olam * 8, od * 8, K, a, b],
  );
  run(
    OP_SECULAR_WEIGHTS,
    (x) => kern.secular_weights(...(x as Args<'secular_weights'>)),
    (a, b) => [odl * 8, oz * 8, od * 8, ow * 8, K, a, b],
  );
  run(
    OP_SECULAR_NORMALIZE,
    (x) => kern.secular_normalize(...(x as Args<'secular_normalize'>)),
    (a, b) => [od * 8, ow * 8, K, a, b],
  );
  mem = new Float64Array(kern.memory.buffer);
  lambda.set(mem.subarray(olam, olam + K));
  u.set(mem.subarray(od, od + K * K));
}
