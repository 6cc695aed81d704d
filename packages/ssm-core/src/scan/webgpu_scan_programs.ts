/**
 * WGSL programs of the selective scan on tfjs's `webgpu` backend (the shapes tfjs-backend-webgpu
 * 4.22 compiles with `backend.runWebGPUProgram`). Plain objects: this file imports no backend
 * package.
 *
 * **Details**
 * One invocation owns one state h[b, d, n]; a workgroup holds `CPW` channels × N states of one
 * batch row (`CPW·N ≤ 128` lanes), and walks the sequence in chunks of T steps. Per chunk the
 * workgroup loads x, Δ (and dy) [T, CPW] and B, C [T, N] into workgroup memory, every lane runs its
 * recurrence h_t = exp(Δ_t·A)·h_{t−1} + Δ_t·B_t·x_t over the chunk (spec §1.2), and the sums over
 * n (y, dx, dΔ) or over the workgroup's channels (dB, dC) are reduced in workgroup memory.
 *
 * The backward program first runs forward over the whole sequence keeping the state at every chunk
 * start in a private array (⌈L/T⌉ floats per lane), then visits the chunks in reverse: it recomputes
 * the chunk's states from its start state (T floats per lane) and runs the reverse recurrence
 * g_t = dy_t·C_t + exp(Δ_{t+1}·A)·g_{t+1} over them. Nothing is stored by the forward kernel.
 *
 * @internal
 */

/** What tfjs-backend-webgpu's `runWebGPUProgram` reads from a program (its `WebGPUProgram`). */
export interface WebGpuProgramLike {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode: () => string;
}

/** Chunk length (steps per workgroup-memory load) of the forward program. */
export const WEBGPU_SCAN_FORWARD_CHUNK = 16;
/** Chunk length of the backward program (its lanes keep T states and T partial sums in registers). */
export const WEBGPU_SCAN_BACKWARD_CHUNK = 8;
/** Most lanes (channels × states) per workgroup. */
const MAX_LANES = 128;
/** Largest dState the programs accept (one workgroup must hold all N states of a channel). */
export const WEBGPU_SCAN_MAX_STATE = MAX_LANES;

/** Channels per workgroup for dState N. */
export function channelsPerWorkgroup(dState: number): number {
  return Math.max(1, Math.floor(MAX_LANES / dState));
}

/** The WGSL shared by both scan programs: sizes, workgroup memory, lane coordinates. */
function prelude(dState: number, chunk: number, withDy: boolean): string {
  const cpw = channelsPerWorkgroup(dState);
  const lanes = cpw * dState;
  return `
const N : i32 = ${dState};
const T : i32 = ${chunk};
const CPW : i32 = ${cpw};
const WG : i32 = ${lanes};
var<workgroup> sx : array<f32, ${chunk * cpw}>;
var<workgroup> sd : array<f32, ${chunk * cpw}>;
${withDy ? `var<workgroup> sdy : array<f32, ${chunk * cpw}>;` : ''}
var<workgroup> sb : array<f32, ${chunk * dState}>;
var<workgroup> sc : array<f32, ${chunk * dState}>;
var<workgroup> red1 : array<f32, ${chunk * lanes}>;
${withDy ? `var<workgroup> red2 : array<f32, ${chunk * lanes}>;` : ''}
`;
}

/**
 * WGSL that loads steps t0..t0+T−1 of x, Δ (and dy) for the workgroup's channels and of B, C into
 * workgroup memory (zeros past the end of the sequence or of the channels), then a barrier.
 */
function loadChunk(withDy: boolean): string {
  return `
    for (var i = lane; i < T * CPW; i += WG) {
      let tt = t0 + i / CPW;
      let dd = d0 + i % CPW;
      var xv = 0.0;
      var dv = 0.0;
      var gv = 0.0;
      if (tt < L && dd < D) {
        let k = (b * L + tt) * D + dd;
        xv = x[k];
        dv = delta[k];
        ${withDy ? 'gv = dy[k];' : ''}
      }
      sx[i] = xv;
      sd[i] = dv;
      ${withDy ? 'sdy[i] = gv;' : ''}
    }
    for (var i = lane; i < T * N; i += WG) {
      let tt = t0 + i / N;
      var bv = 0.0;
      var cv = 0.0;
      if (tt < L) {
        let k = (b * L + tt) * N + i % N;
        bv = B[k];
        cv = C[k];
      }
      sb[i] = bv;
      sc[i] = cv;
    }
    workgroupBarrier();`;
}

/**
 * The forward program: y [batch, seqLen, dInner] from x, delta (the final Δ), A, B, C.
 *
 * @param shape - [batch, seqLen, dInner, dState]
 * @returns the program
 */
export function scanForwardProgram(shape: readonly [number, number, number, number]): WebGpuProgramLike {
  const [batch, seqLen, dInner, dState] = shape;
  const cpw = channelsPerWorkgroup(dState);
  const chunk = WEBGPU_SCAN_FORWARD_CHUNK;
  return {
    variableNames: ['x', 'delta', 'A', 'B', 'C'],
    outputShape: [batch, seqLen, dInner],
    shaderKey: `mambaScanForward_${dState}_${chunk}`,
    dispatchLayout: { x: [0, 1, 2] },
    dispatch: [Math.ceil(dInner / cpw), batch, 1],
    workgroupSize: [cpw * dState, 1, 1],
    getUserCode: () => `
${prelude(dState, chunk, false)}
fn main(index : i32) {
  let lane = i32(localIndex);
  let b = i32(workgroupId.y);
  let d0 = i32(workgroupId.x) * CPW;
  let L = uniforms.xShape.y;
  let D = uniforms.xShape.z;
  let cl = lane / N;
  let n = lane - cl * N;
  let d = d0 + cl;
  var a = 0.0;
  if (d < D) { a = A[d * N + n]; }
  var h = 0.0;
  for (var t0 = 0; t0 < L; t0 += T) {
    ${loadChunk(false)}
    for (var i = 0; i < T; i++) {
      // h_t = exp(Δ_t·A)·h_{t−1} + Δ_t·B_t·x_t  (spec §1.2); padded steps have Δ = 0: h unchanged
      let dt = sd[i * CPW + cl];
      h = exp(dt * a) * h + dt * sx[i * CPW + cl] * sb[i * N + n];
      red1[i * WG + lane] = sc[i * N + n] * h;
    }
    workgroupBarrier();
    // y_t[d] = Σ_n C_t[n]·h_t[d,n]
    for (var i = lane; i < T * CPW; i += WG) {
      let ti = i / CPW;
      let c = i % CPW;
      let tt = t0 + ti;
      let dd = d0 + c;
      if (tt < L && dd < D) {
        var s = 0.0;
        for (var k = 0; k < N; k++) { s += red1[ti * WG + c * N + k]; }
        result[(b * L + tt) * D + dd] = s;
      }
    }
    workgroupBarrier();
  }
}
`,
  };
}

/**
 * Layout of the backward program's packed output for `rows` batch rows: dx, dΔ [rows, L, D], the
 * per-row dA [rows, D, N], and per-workgroup partial sums of dB, dC [rows, nWG, L, N].
 */
export interface ScanBackwardLayout {
  readonly rows: number;
  /** Channel workgroups (partial sums of dB, dC per row and step). */
  readonly groups: number;
  readonly dxAt: number;
  readonly ddeltaAt: number;
  readonly dAAt: number;
  readonly dBAt: number;
  readonly dCAt: number;
  /** Floats in all. */
  readonly total: number;
}

/**
 * The packed-output layout of {@link scanBackwardProgram}.
 *
 * @param rows - batch rows in one run
 * @param seqLen - L
 * @param dInner - D
 * @param dState - N
 * @returns offsets in floats
 */
export function scanBackwardLayout(
  rows: number,
  seqLen: number,
  dInner: number,
  dState: number,
): ScanBackwardLayout {
  const groups = Math.ceil(dInner / channelsPerWorkgroup(dState));
  const seq = rows * seqLen * dInner;
  const partial = rows * groups * seqLen * dState;
  const dAAt = 2 * seq;
  const dBAt = dAAt + rows * dInner * dState;
  const dCAt = dBAt + partial;
  return { rows, groups, dxAt: 0, ddeltaAt: seq, dAAt, dBAt, dCAt, total: dCAt + partial };
}

/**
 * The backward program for batch rows b0..b0+rows−1 (uniforms `b0`, then the row count is the
 * dispatch's y): one packed output laid out as {@link scanBackwardLayout}.
 *
 * @param shape - [batch, seqLen, dInner, dState] of the whole problem
 * @param rows - batch rows in this run
 * @returns the program
 */
export function scanBackwardProgram(
  shape: readonly [number, number, number, number],
  rows: number,
): WebGpuProgramLike {
  const [, seqLen, dInner, dState] = shape;
  const cpw = channelsPerWorkgroup(dState);
  const chunk = WEBGPU_SCAN_BACKWARD_CHUNK;
  const chunks = Math.ceil(seqLen / chunk);
  const lay = scanBackwardLayout(rows, seqLen, dInner, dState);
  return {
    variableNames: ['x', 'delta', 'A', 'B', 'C', 'dy'],
    outputShape: [lay.total],
    shaderKey: `mambaScanBackward_${dState}_${chunk}_${chunks}`,
    dispatchLayout: { x: [0] },
    dispatch: [lay.groups, rows, 1],
    workgroupSize: [cpw * dState, 1, 1],
    uniforms: 'b0 : i32, rows : i32,',
    getUserCode: () => `
${prelude(dState, chunk, true)}
const NC : i32 = ${chunks};
fn main(index : i32) {
  let lane = i32(localIndex);
  let bl = i32(workgroupId.y);
  let b = uniforms.b0 + bl;
  let rows = uniforms.rows;
  let grp = i32(workgroupId.x);
  let groups = i32(numWorkgroups.x);
  let d0 = grp * CPW;
  let L = uniforms.xShape.y;
  let D = uniforms.xShape.z;
  let cl = lane / N;
  let n = lane - cl * N;
  let d = d0 + cl;
  let live = d < D;
  let seq = rows * L * D;
  let dAAt = 2 * seq;
  let dBAt = dAAt + rows * D * N;
  let dCAt = dBAt + rows * groups * L * N;
  var a = 0.0;
  if (live) { a = A[d * N + n]; }
  // forward over the sequence: the state before each chunk
  var hb : array<f32, NC>;
  var h = 0.0;
  for (var c = 0; c < NC; c++) {
    hb[c] = h;
    if (live) {
      for (var i = 0; i < T; i++) {
        let tt = c * T + i;
        if (tt < L) {
          let k = (b * L + tt) * D + d;
          let dt = delta[k];
          h = exp(dt * a) * h + dt * x[k] * B[(b * L + tt) * N + n];
        }
      }
    }
  }
  // reverse over the chunks; gh = exp(Δ_{t+1}·A)·g_{t+1} carried backwards
  var gh = 0.0;
  var dAacc = 0.0;
  var hs : array<f32, T>;
  var p3 : array<f32, T>;
  var p4 : array<f32, T>;
  for (var c = NC - 1; c >= 0; c--) {
    let t0 = c * T;
    workgroupBarrier();
    ${loadChunk(true)}
    var hc = hb[c];
    for (var i = 0; i < T; i++) {
      let dt = sd[i * CPW + cl];
      hc = exp(dt * a) * hc + dt * sx[i * CPW + cl] * sb[i * N + n];
      hs[i] = hc;
    }
    for (var i = T - 1; i >= 0; i--) {
      let dt = sd[i * CPW + cl];
      let xv = sx[i * CPW + cl];
      let dyv = sdy[i * CPW + cl];
      let ea = exp(dt * a);
      var hp = hb[c];
      if (i > 0) { hp = hs[i - 1]; }
      // g = ∂L/∂h_t = dy_t·C_t + gh
      let g = gh + dyv * sc[i * N + n];
      p4[i] = dyv * hs[i];
      p3[i] = g * dt * xv;
      red1[i * WG + lane] = g * sb[i * N + n];
      let gha = g * hp * ea;
      red2[i * WG + lane] = gha * a;
      dAacc += gha * dt;
      gh = g * ea;
    }
    workgroupBarrier();
    // dx = Δ·Σ_n g·B;  dΔ = Σ_n g·h_{t−1}·a·A + x·Σ_n g·B
    for (var i = lane; i < T * CPW; i += WG) {
      let ti = i / CPW;
      let cc = i % CPW;
      let tt = t0 + ti;
      let dd = d0 + cc;
      if (tt < L && dd < D) {
        var s1 = 0.0;
        var s2 = 0.0;
        for (var k = 0; k < N; k++) {
          s1 += red1[ti * WG + cc * N + k];
          s2 += red2[ti * WG + cc * N + k];
        }
        let o = (bl * L + tt) * D + dd;
        result[o] = sd[i] * s1;
        result[seq + o] = s2 + sx[i] * s1;
      }
    }
    workgroupBarrier();
    for (var i = 0; i < T; i++) {
      red1[i * WG + lane] = p3[i];
      red2[i * WG + lane] = p4[i];
    }
    workgroupBarrier();
    // partial dB_t[n] = Σ_d g·Δ·x and dC_t[n] = Σ_d dy·h over this workgroup's channels
    for (var i = lane; i < T * N; i += WG) {
      let ti = i / N;
      let nn = i % N;
      let tt = t0 + ti;
      if (tt < L) {
        var s3 = 0.0;
        var s4 = 0.0;
        for (var k = 0; k < CPW; k++) {
          s3 += red1[ti * WG + k * N + nn];
          s4 += red2[ti * WG + k * N + nn];
        }
        let o = ((bl * groups + grp) * L + tt) * N + nn;
        result[dBAt + o] = s3;
        result[dCAt + o] = s4;
      }
    }
  }
  if (live) { result[dAAt + (bl * D + d) * N + n] = dAacc; }
}
`,
  };
}

/**
 * A strided sum that copies one region of the packed output into a result tensor:
 * out[dst + o·inner + r] (+)= Σ_{k<K} packed[src + (o·K + k)·inner + r] for o < outer, r < inner.
 * Uniforms `src, outer, K, inner, dst, accumulate` (accumulate 1 adds to what is there).
 *
 * @param outputShape - shape of the result tensor it writes into
 * @param count - elements written, outer·inner
 * @returns the program
 */
export function scanGatherProgram(outputShape: number[], count: number): WebGpuProgramLike {
  const wg = 64;
  return {
    variableNames: ['packed'],
    outputShape,
    shaderKey: 'mambaScanGather',
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(count / wg), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: 'src : i32, outer : i32, K : i32, inner : i32, dst : i32, accumulate : i32,',
    getUserCode: () => `
fn main(index : i32) {
  let inner = uniforms.inner;
  if (index >= uniforms.outer * inner) { return; }
  let o = index / inner;
  let r = index - o * inner;
  var s = 0.0;
  for (var k = 0; k < uniforms.K; k++) { s += packed[uniforms.src + (o * uniforms.K + k) * inner + r]; }
  let at = uniforms.dst + index;
  if (uniforms.accumulate == 1) { s += result[at]; }
  result[at] = s;
}
`,
  };
}
