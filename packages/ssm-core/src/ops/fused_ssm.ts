import * as tf from '@tensorflow/tfjs-core';
import '../scan/register_gradients.js';
import type { KernelCall } from '../scan/kernel_call.js';
import { registerWasmKernels, requireKernelCall, wasmKernelsActive } from './wasm_kernels.js';

/** tfjs kernel name of the fused state-space core's forward. @category Ops */
export const FUSED_SSM_KERNEL = 'MambaFusedSsm';
/** tfjs kernel name of its gradient. @category Ops */
export const FUSED_SSM_GRAD_KERNEL = 'MambaFusedSsmGrad';

/** Options of {@link fusedSsm} (the mixer's, spec §1.2). @category Ops */
export interface FusedSsmOptions {
  /** Sequences in the batch; rows = batch·seqLen. */
  batch: number;
  /** Tokens per sequence (positions 0..seqLen−1 of the rotation). */
  seqLen: number;
  /** Channels per group of the group RMS norm (divides dInner). */
  groupNormSize: number;
  /** Group RMS norm eps (official 1e-6). */
  eps: number;
  /** Δ = softplus(·)/deltaScale. */
  deltaScale: number;
  /** Rotation angle of token t, channel n: (t/ropeScale)·freq[n]. */
  ropeScale: number;
  /** Rotate B and C (spec §1.2 step 4). */
  useRope: boolean;
}

/** The tensors {@link fusedSsm} reads besides the activations. @category Ops */
export interface FusedSsmParams {
  /** dt_proj.weight [dInner, dtRank]. */
  dtProjWeight: tf.Tensor2D;
  /** dt_proj.bias [dInner]. */
  dtProjBias: tf.Tensor1D;
  /** A_log [dInner, dState]; A = −exp(A_log). */
  ALog: tf.Tensor2D;
  /** D [dInner] (skip). */
  D: tf.Tensor1D;
  /** freq [dState] (RoPE). */
  freq: tf.Tensor1D;
}

/** The kernels' attributes: the options as given. */
type Attrs = FusedSsmOptions;

/** Largest dtRank and dState the kernel's register arrays hold. */
const MAX_RANK = 64;
const MAX_STATE = 256;

/**
 * Whether {@link fusedSsm} can run these sizes here: the WebAssembly SIMD module loads, the active
 * backend is `cpu` or `wasm`, dInner and the group size are multiples of 4, dtRank ≤ 64,
 * dState ≤ 256 (and even with RoPE).
 *
 * @param dInner - channels
 * @param dtRank - rank of Δ's projection
 * @param dState - N
 * @param groupNormSize - channels per norm group
 * @param useRope - rotation on
 * @returns true when the fused kernel applies
 * @category Ops
 */
export function fusedSsmSupported(
  dInner: number,
  dtRank: number,
  dState: number,
  groupNormSize: number,
  useRope: boolean,
): boolean {
  return (
    wasmKernelsActive() &&
    dInner % 4 === 0 &&
    groupNormSize % 4 === 0 &&
    dInner % groupNormSize === 0 &&
    dtRank >= 1 &&
    dtRank <= MAX_RANK &&
    dState <= MAX_STATE &&
    (!useRope || dState % 2 === 0)
  );
}

/** Sizes shared by the forward and backward layouts. */
interface Dims {
  batch: number;
  L: number;
  D: number;
  R: number;
  N: number;
  Np: number;
  G: number;
  rows: number;
  W: number;
}

function dimsOf(
  x: tf.TensorInfo,
  xdbl: tf.TensorInfo,
  ALog: tf.TensorInfo,
  dtW: tf.TensorInfo,
  a: Attrs,
): Dims {
  const [rows, D] = x.shape;
  const R = dtW.shape[1];
  const N = ALog.shape[1];
  if (rows !== a.batch * a.seqLen) {
    throw new Error(
      `${FUSED_SSM_KERNEL}: x has ${rows} rows, expected batch·seqLen = ${a.batch}·${a.seqLen}`,
    );
  }
  if (xdbl.shape[0] !== rows || xdbl.shape[1] !== R + 2 * N) {
    throw new Error(`${FUSED_SSM_KERNEL}: xdbl is [${xdbl.shape}], expected [${rows}, ${R + 2 * N}]`);
  }
  return { batch: a.batch, L: a.seqLen, D, R, N, Np: (N + 3) & ~3, G: a.groupNormSize, rows, W: R + 2 * N };
}

/** Offsets of the inputs both directions read, and of the small rearranged copies. */
interface Placed {
  x: number;
  xdbl: number;
  z: number;
  WT: number;
  bias: number;
  Alog: number;
  Dsk: number;
  cosT: number;
  sinT: number;
}

/** Reserves the shared inputs (dt_proj transposed, A_log padded, rotation tables as scratch). */
function reserve(
  call: KernelCall,
  d: Dims,
  ins: Record<string, tf.TensorInfo>,
): Placed & { wSrc: number; aSrc: number; fSrc: number } {
  return {
    x: call.input(ins.x, 'x'),
    xdbl: call.input(ins.xdbl, 'xdbl'),
    z: call.input(ins.z, 'z'),
    bias: call.input(ins.dtBias, 'dtBias'),
    Dsk: call.input(ins.D, 'D'),
    wSrc: call.input(ins.dtWeight, 'dtWeight'),
    aSrc: call.input(ins.ALog, 'ALog'),
    fSrc: call.input(ins.freq, 'freq'),
    WT: call.scratch(d.R * d.D),
    Alog: d.N === d.Np ? call.input(ins.ALog, 'ALog') : call.scratch(d.D * d.Np),
    cosT: call.scratch(d.L * d.Np),
    sinT: call.scratch(d.L * d.Np),
  };
}

/** Fills the rearranged copies (after every allocation). */
function fill(
  heap: Float32Array,
  d: Dims,
  a: Attrs,
  p: Placed & { wSrc: number; aSrc: number; fSrc: number },
): void {
  const w = p.wSrc >> 2; // [D, R] → [R, D]
  const wt = p.WT >> 2;
  for (let i = 0; i < d.D; i++) for (let k = 0; k < d.R; k++) heap[wt + k * d.D + i] = heap[w + i * d.R + k];
  if (d.N !== d.Np) {
    const src = p.aSrc >> 2;
    const dst = p.Alog >> 2;
    heap.fill(0, dst, dst + d.D * d.Np);
    for (let i = 0; i < d.D; i++) heap.copyWithin(dst + i * d.Np, src + i * d.N, src + i * d.N + d.N);
  }
  // rotation tables in float32 steps, as the op path computes them: θ = fround(t/scale)·freq[n]
  const c0 = p.cosT >> 2;
  const s0 = p.sinT >> 2;
  const f = p.fSrc >> 2;
  heap.fill(0, c0, c0 + d.L * d.Np);
  heap.fill(0, s0, s0 + d.L * d.Np);
  if (a.useRope) {
    for (let t = 0; t < d.L; t++) {
      const pos = Math.fround(t / a.ropeScale);
      for (let n = 0; n < d.N; n++) {
        const th = Math.fround(pos * heap[f + n]);
        heap[c0 + t * d.Np + n] = Math.cos(th);
        heap[s0 + t * d.Np + n] = (n % 2 === 0 ? -1 : 1) * Math.fround(Math.sin(th));
      }
    }
  }
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const ins = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as Attrs;
  const d = dimsOf(ins.x, ins.xdbl, ins.ALog, ins.dtWeight, a);
  const call = requireKernelCall(backend, FUSED_SSM_KERNEL);
  const p = reserve(call, d, ins);
  const y = call.output([d.rows, d.D]);
  const delta = call.output([d.rows, d.D]);
  const A = call.scratch(2 * d.D * d.Np);
  const h = call.scratch(d.D * d.Np);
  const srow = call.scratch(d.D);
  const Bt = call.scratch(d.Np);
  const Ct = call.scratch(d.Np);
  fill(call.heap(), d, a, p);
  // biome-ignore format: the argument list mirrors the C signature
  call.ex.fused_ssm_forward(
    d.batch, d.L, d.D, d.R, d.N, d.Np, d.G, a.useRope ? 1 : 0, a.eps, a.deltaScale,
    p.x, p.xdbl, p.z, p.WT, p.bias, p.Alog, p.Dsk, p.cosT, p.sinT,
    y, delta, A, h, srow, Bt, Ct,
  );
  return call.finish();
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const ins = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as Attrs;
  const d = dimsOf(ins.x, ins.xdbl, ins.ALog, ins.dtWeight, a);
  const { rows, D, L, Np, R, W, N } = d;
  const call = requireKernelCall(backend, FUSED_SSM_GRAD_KERNEL);
  const p = reserve(call, d, ins);
  const dy = call.input(ins.dy, 'dy');
  const dx = call.output([rows, D]);
  const dxdbl = call.output([rows, W]);
  const dz = call.output([rows, D]);
  const dW = call.output([D, R]);
  const dbias = call.output([D]);
  const dALog = call.output([D, N]);
  const dDsk = call.output([D]);
  const dFreq = call.output([N]);
  const dWT = call.scratch(R * D);
  const dAlogP = N === Np ? dALog : call.scratch(D * Np);
  const dTheta = call.scratch(L * Np);
  const s = (floats: number) => call.scratch(floats);
  // A dl sg ss Bs Cs hs as gh ds ddt acc (the per-chunk ones sized for the whole of dInner: upper bounds)
  // biome-ignore format: the argument list mirrors the C signature
  const scratch = [s(2 * D * Np), s(L * D), s(L * D), s(L * D), s(L * Np), s(L * Np), s((L + 1) * D * Np),
    s(L * D * Np), s(D * Np), s(D), s(D), s(L * (2 * Np + R))];
  fill(call.heap(), d, a, p);
  // biome-ignore format: the argument list mirrors the C signature
  call.ex.fused_ssm_backward(
    d.batch, L, D, R, N, Np, d.G, a.useRope ? 1 : 0, a.eps, a.deltaScale,
    p.x, p.xdbl, p.z, p.WT, p.bias, p.Alog, p.Dsk, p.cosT, p.sinT, dy,
    dx, dxdbl, dz, dWT, dbias, dAlogP, dDsk, dTheta, ...scratch,
  );
  const heap = call.heap();
  for (let i = 0; i < D; i++)
    for (let k = 0; k < R; k++) heap[(dW >> 2) + i * R + k] = heap[(dWT >> 2) + k * D + i];
  if (N !== Np) {
    for (let i = 0; i < D; i++)
      heap.copyWithin((dALog >> 2) + i * N, (dAlogP >> 2) + i * Np, (dAlogP >> 2) + i * Np + N);
  }
  // dfreq[n] = Σ_t (t/scale)·dθ[t, n]
  for (let n = 0; n < N; n++) {
    let acc = 0;
    if (a.useRope)
      for (let t = 0; t < L; t++) acc += Math.fround(t / a.ropeScale) * heap[(dTheta >> 2) + t * Np + n];
    heap[(dFreq >> 2) + n] = acc;
  }
  return call.finish();
};

const INPUT_NAMES = ['x', 'xdbl', 'z', 'dtWeight', 'dtBias', 'ALog', 'D', 'freq'] as const;

function register(): void {
  registerWasmKernels(
    [
      { kernelName: FUSED_SSM_KERNEL, kernelFunc: forwardKernel },
      { kernelName: FUSED_SSM_GRAD_KERNEL, kernelFunc: backwardKernel },
    ],
    {
      kernelName: FUSED_SSM_KERNEL,
      inputsToSave: [...INPUT_NAMES],
      gradFunc: (dy, saved, attrs) => {
        const ins: Record<string, tf.Tensor> = {};
        INPUT_NAMES.forEach((n, i) => {
          ins[n] = saved[i];
        });
        // only y is differentiable; the Δ output is a tap (its incoming gradient is ignored)
        ins.dy = Array.isArray(dy) ? dy[0] : dy;
        const g = tf.engine().runKernel(FUSED_SSM_GRAD_KERNEL, ins, attrs as never) as tf.Tensor[];
        const out: Record<string, () => tf.Tensor> = {};
        INPUT_NAMES.forEach((n, i) => {
          out[n] = () => g[i];
        });
        return out;
      },
    },
  );
}

/**
 * The De-focus mixer's state-space core in one WebAssembly SIMD kernel (forward and backward):
 * Δ projection and softplus, RoPE of B and C, the selective scan, group RMS norm, D skip and the
 * SiLU gate (spec §1.2 steps 4–8).
 *
 * **Details**
 * With r = xdbl[:, :R], b = xdbl[:, R:R+N], c = xdbl[:, R+N:]:
 * Δ = softplus(r·dt_projᵀ + dt_bias)/deltaScale, B = rot(b), C = rot(c) (rot_j = v_j·cos θ_j ∓
 * v_{j^1}·sin θ_j, θ = (t/ropeScale)·freq), s = scan(x, Δ, −exp(A_log), B, C),
 * y = (groupRMS(s) + D·x)·z·σ(z). Replaces about 30 tfjs ops per direction; the backward
 * recomputes the states (one reverse scan) and returns gradients for every input, including
 * dt_proj, D and freq. Only `y` is differentiable: `delta` is handed out for the null-space taps.
 * Equal to the op-by-op path up to float32 rounding (tests compare both in values and
 * gradients). Check {@link fusedSsmSupported} first.
 *
 * @param x - SSM input after conv + SiLU, [rows, dInner], rows = batch·seqLen
 * @param xdbl - x_proj output [rows, dtRank + 2·dState] (r | b | c, before RoPE)
 * @param z - gate input [rows, dInner]
 * @param params - dt_proj weight/bias, A_log, D, freq
 * @param options - batch, seqLen, group size, eps, scales, RoPE switch
 * @returns y [rows, dInner] (input of out_proj) and Δ [rows, dInner] (after softplus)
 * @example
 * const { y, delta } = fusedSsm(x2, xdbl, z, p, { batch, seqLen, groupNormSize: 32, eps: 1e-6,
 *   deltaScale: 1, ropeScale: 1, useRope: true });
 * @category Ops
 */
export function fusedSsm(
  x: tf.Tensor2D,
  xdbl: tf.Tensor2D,
  z: tf.Tensor2D,
  params: FusedSsmParams,
  options: FusedSsmOptions,
): { y: tf.Tensor2D; delta: tf.Tensor2D } {
  register();
  const [, dInner] = x.shape;
  const [dtRows, dtRank] = params.dtProjWeight.shape;
  const n = params.ALog.shape[1];
  if (!fusedSsmSupported(dInner, dtRank, n, options.groupNormSize, options.useRope)) {
    throw new Error(
      `fusedSsm: not available for dInner ${dInner}, dtRank ${dtRank}, dState ${n}, group ${options.groupNormSize} on backend "${tf.getBackend()}" (see fusedSsmSupported)`,
    );
  }
  if (dtRows !== dInner || params.ALog.shape[0] !== dInner || params.D.shape[0] !== dInner) {
    throw new Error(
      `fusedSsm: dt_proj.weight [${params.dtProjWeight.shape}], A_log [${params.ALog.shape}], D [${params.D.shape}] do not match dInner ${dInner}`,
    );
  }
  if (z.shape[0] !== x.shape[0] || z.shape[1] !== dInner || params.freq.shape[0] !== n) {
    throw new Error(
      `fusedSsm: z [${z.shape}] or freq [${params.freq.shape}] do not match x [${x.shape}], dState ${n}`,
    );
  }
  const attrs: Attrs = { ...options };
  const [y, delta] = tf.engine().runKernel(
    FUSED_SSM_KERNEL,
    {
      x,
      xdbl,
      z,
      dtWeight: params.dtProjWeight,
      dtBias: params.dtProjBias,
      ALog: params.ALog,
      D: params.D,
      freq: params.freq,
    },
    attrs as never,
  ) as tf.Tensor2D[];
  return { y, delta };
}
