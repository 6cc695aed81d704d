import * as tf from '@tensorflow/tfjs-core';
import type { SelectiveScanInputs } from './scan_types.js';

/** @internal Seeded uniform generator in [0, 1) (mulberry32); tests and benchmarks only. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @internal Shape and options of {@link randomScanArrays}. */
export interface RandomScanSpec {
  readonly batch: number;
  readonly seqLen: number;
  readonly dInner: number;
  readonly dState: number;
  readonly seed: number;
  readonly withD?: boolean;
  readonly withZ?: boolean;
  readonly withBias?: boolean;
  readonly softplus?: boolean;
  /** Δ is drawn in [0.01, 0.01 + deltaMax) (before the optional softplus); default 0.5. */
  readonly deltaMax?: number;
  /** A = −exp(A_log) with A_log drawn in [−1, aLogMax); default 1. */
  readonly aLogMax?: number;
}

/** @internal The scan inputs as plain arrays (float64 values that are exactly float32). */
export interface ScanArrays {
  readonly spec: RandomScanSpec;
  readonly x: Float64Array;
  readonly delta: Float64Array;
  readonly A: Float64Array;
  readonly B: Float64Array;
  readonly C: Float64Array;
  readonly D?: Float64Array;
  readonly z?: Float64Array;
  readonly deltaBias?: Float64Array;
}

/** @internal Seeded random scan inputs as arrays. */
export function randomScanArrays(spec: RandomScanSpec): ScanArrays {
  const rnd = mulberry32(spec.seed);
  const { batch, seqLen, dInner, dState } = spec;
  const f = (n: number, lo: number, hi: number): Float64Array =>
    Float64Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rnd()));
  const seq = batch * seqLen * dInner;
  const deltaMax = spec.deltaMax ?? 0.5;
  const aLogMax = spec.aLogMax ?? 1;
  const A = f(dInner * dState, -1, aLogMax).map((v) => Math.fround(-Math.exp(v)));
  return {
    spec,
    x: f(seq, -1, 1),
    delta: spec.softplus ? f(seq, -2, 1) : f(seq, 0.01, 0.01 + deltaMax),
    A,
    B: f(batch * seqLen * dState, -1, 1),
    C: f(batch * seqLen * dState, -1, 1),
    D: spec.withD ? f(dInner, -1, 1) : undefined,
    z: spec.withZ ? f(seq, -2, 2) : undefined,
    deltaBias: spec.withBias ? f(dInner, -0.5, 0.5) : undefined,
  };
}

/** @internal The arrays as float32 tensors in the {@link SelectiveScanInputs} layout. */
export function scanTensors(a: ScanArrays): SelectiveScanInputs {
  const { batch, seqLen, dInner, dState } = a.spec;
  const t3 = (v: Float64Array, c: number) => tf.tensor3d(Float32Array.from(v), [batch, seqLen, c]);
  const t1 = (v: Float64Array | undefined) =>
    v === undefined ? undefined : tf.tensor1d(Float32Array.from(v));
  return {
    x: t3(a.x, dInner),
    delta: t3(a.delta, dInner),
    A: tf.tensor2d(Float32Array.from(a.A), [dInner, dState]),
    B: t3(a.B, dState),
    C: t3(a.C, dState),
    D: t1(a.D),
    z: a.z === undefined ? undefined : t3(a.z, dInner),
    deltaBias: t1(a.deltaBias),
    deltaSoftplus: a.spec.softplus ?? false,
  };
}

/** @internal Disposes every tensor of a {@link SelectiveScanInputs}. */
export function disposeScanInputs(inputs: SelectiveScanInputs): void {
  for (const v of Object.values(inputs)) if (v instanceof tf.Tensor) v.dispose();
}

/** @internal The full selective scan (delta transform, D, z included) in float64 plain loops. */
export function scanF64(a: ScanArrays): Float64Array {
  const { batch, seqLen, dInner, dState } = a.spec;
  const y = new Float64Array(batch * seqLen * dInner);
  const h = new Float64Array(dInner * dState);
  for (let b = 0; b < batch; b++) {
    h.fill(0);
    for (let t = 0; t < seqLen; t++) {
      const row = (b * seqLen + t) * dInner;
      const srow = (b * seqLen + t) * dState;
      for (let d = 0; d < dInner; d++) {
        let dt = a.delta[row + d] + (a.deltaBias ? a.deltaBias[d] : 0);
        if (a.spec.softplus) dt = dt > 20 ? dt : Math.log1p(Math.exp(dt));
        const xv = a.x[row + d];
        let acc = 0;
        for (let n = 0; n < dState; n++) {
          const i = d * dState + n;
          h[i] = Math.exp(dt * a.A[i]) * h[i] + dt * a.B[srow + n] * xv;
          acc += a.C[srow + n] * h[i];
        }
        if (a.D) acc += a.D[d] * xv;
        if (a.z) {
          const zv = a.z[row + d];
          acc *= zv / (1 + Math.exp(-zv));
        }
        y[row + d] = acc;
      }
    }
  }
  return y;
}

/** @internal Names of the differentiable inputs, in a fixed order. */
export const SCAN_INPUT_NAMES = ['x', 'delta', 'A', 'B', 'C', 'D', 'z', 'deltaBias'] as const;
/** @internal One of {@link SCAN_INPUT_NAMES}. */
export type ScanInputName = (typeof SCAN_INPUT_NAMES)[number];

/** @internal Gradients of Σ W⊙y by central finite differences of {@link scanF64}. */
export function scanGradsFd(a: ScanArrays, W: Float64Array, eps = 1e-6): Map<ScanInputName, Float64Array> {
  const out = new Map<ScanInputName, Float64Array>();
  const loss = (): number => {
    const y = scanF64(a);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += W[i] * y[i];
    return s;
  };
  for (const name of SCAN_INPUT_NAMES) {
    const v = (a as unknown as Record<string, Float64Array | undefined>)[name];
    if (v === undefined) continue;
    const g = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const keep = v[i];
      v[i] = keep + eps;
      const up = loss();
      v[i] = keep - eps;
      const down = loss();
      v[i] = keep;
      g[i] = (up - down) / (2 * eps);
    }
    out.set(name, g);
  }
  return out;
}

/** @internal y and the gradients of Σ W⊙y through `run`, as arrays (every tensor disposed). */
export function scanValueAndGrads(
  inputs: import('./scan_types.js').SelectiveScanInputs,
  W: Float64Array,
  run: (inputs: import('./scan_types.js').SelectiveScanInputs) => tf.Tensor,
): { y: Float32Array; grads: Map<ScanInputName, Float32Array> } {
  const names = SCAN_INPUT_NAMES.filter((n) => inputs[n] !== undefined);
  const tensors = names.map((n) => inputs[n] as tf.Tensor);
  const w = tf.tensor(Float32Array.from(W), inputs.x.shape);
  let y: Float32Array | undefined;
  const grads = tf.grads((...xs: tf.Tensor[]) => {
    const patched: Record<string, unknown> = { ...inputs };
    names.forEach((n, i) => {
      patched[n] = xs[i];
    });
    const out = run(patched as unknown as import('./scan_types.js').SelectiveScanInputs);
    y = out.dataSync() as Float32Array;
    return tf.sum(tf.mul(out, w));
  })(tensors);
  w.dispose();
  const map = new Map<ScanInputName, Float32Array>();
  names.forEach((n, i) => {
    map.set(n, grads[i].dataSync() as Float32Array);
    grads[i].dispose();
  });
  return { y: y as Float32Array, grads: map };
}
