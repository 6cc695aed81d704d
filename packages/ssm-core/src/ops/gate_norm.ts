import * as tf from '@tensorflow/tfjs-core';
import { JS_KERNEL_BACKENDS, runJsKernel } from './js_kernel_io.js';

/** Kernel names (forward and its gradient). @internal */
export const GATE_NORM_GRAD_KERNEL = 'MambaGroupRmsGateGrad';

interface GateNormAttrs {
  groupSize: number;
  eps: number;
}

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { s, x, xz, D, dy, sig } = inputs as Record<string, tf.TensorInfo>;
  const { groupSize, eps } = attrs as unknown as GateNormAttrs;
  const [rows, dInner] = s.shape;
  const width = xz.shape[1];
  const inputsList = [
    ['s', s],
    ['x', x],
    ['xz', xz],
    ['D', D],
    ['dy', dy],
    ['sig', sig],
  ] as const;
  const shapes = [[rows, dInner], [rows, dInner], [rows, width], [dInner]];
  return runJsKernel(
    backend,
    GATE_NORM_GRAD_KERNEL,
    inputsList,
    shapes,
    ([S, X, Z, Dv, G, SG], [dS, dX, dXZ, dDout]) => {
      const dD = new Float64Array(dInner);
      for (let r = 0; r < rows; r++) {
        const o = r * dInner;
        const zo = r * width + dInner;
        for (let g0 = 0; g0 < dInner; g0 += groupSize) {
          let ms = 0;
          for (let d = g0; d < g0 + groupSize; d++) ms += S[o + d] * S[o + d];
          const inv = 1 / Math.sqrt(ms / groupSize + eps);
          let dot = 0; // Σ_j gŝ_j · s_j
          for (let d = g0; d < g0 + groupSize; d++) {
            const z = Z[zo + d];
            const sg = SG[o + d]; // sigmoid(z), saved by the forward (no Math.exp here)
            const gate = z * sg;
            const g = G[o + d];
            const sHat = S[o + d] * inv;
            const pre = sHat + Dv[d] * X[o + d];
            const gHat = g * gate;
            dX[o + d] = gHat * Dv[d];
            dD[d] += gHat * X[o + d];
            dXZ[zo + d] = g * pre * sg * (1 + z * (1 - sg));
            dS[o + d] = gHat; // temporarily gŝ
            dot += gHat * S[o + d];
          }
          // ŝ = s·inv, inv = (mean(s²)+eps)^(-1/2): ds_i = inv·gŝ_i − inv³·s_i·dot/G
          const c = (inv * inv * inv * dot) / groupSize;
          for (let d = g0; d < g0 + groupSize; d++) dS[o + d] = inv * dS[o + d] - c * S[o + d];
        }
      }
      dDout.set(dD);
    },
  );
};

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of JS_KERNEL_BACKENDS) {
    if (!tf.getKernel(GATE_NORM_GRAD_KERNEL, backendName)) {
      tf.registerKernel({ kernelName: GATE_NORM_GRAD_KERNEL, backendName, kernelFunc: backwardKernel });
    }
  }
}

/**
 * y = (groupRms(s) + D⊙x)⊙SiLU(z) with tfjs ops (the forward; it is faster than a JS loop on wasm).
 * Also returns sigmoid(z) [rows, dInner], which the gradient kernel reuses.
 */
function forwardOps(
  s: tf.Tensor,
  x: tf.Tensor,
  xz: tf.Tensor,
  D: tf.Tensor,
  groupSize: number,
  eps: number,
): { y: tf.Tensor; sig: tf.Tensor } {
  const [rows, dInner] = s.shape as [number, number];
  const { y, sig } = tf.tidy(() => {
    const z = tf.slice(xz, [0, dInner], [rows, dInner]);
    const g = tf.reshape(s, [rows, dInner / groupSize, groupSize]);
    const sHat = tf.reshape(tf.mul(g, tf.rsqrt(tf.add(tf.mean(tf.square(g), -1, true), eps))), [
      rows,
      dInner,
    ]);
    const sigmoidZ = tf.sigmoid(z);
    return { y: tf.mul(tf.add(sHat, tf.mul(x, D)), tf.mul(z, sigmoidZ)), sig: sigmoidZ };
  });
  return { y, sig };
}

/**
 * Group RMS norm + D skip + SiLU gate of the De-focus mixer, reading z from the second half of the
 * in_proj output, with a fused gradient (one JS-loop kernel on cpu and wasm).
 *
 * **Details**
 * y = (s / sqrt(mean_group(s²) + eps) + D ⊙ x) ⊙ SiLU(z), z = xz[:, dInner:2·dInner]
 * (spec §1.2 steps 8–9). The forward uses tfjs ops (≈ 8 vs 20 CPU-ms for a JS loop at
 * [3200, 128] on wasm); the backward is one JS-loop kernel instead of ~20 gradient ops, which at that
 * size costs about the same CPU time (35–48 ms fwd+bwd either way in repeated runs on the shared
 * development machine) but allocates 4 tensors instead of ~20.
 * The gradient w.r.t. xz is zero in columns 0..dInner−1.
 *
 * @param s - scan output, shape [rows, dInner]
 * @param x - scan input, shape [rows, dInner]
 * @param xz - in_proj output, shape [rows, 2·dInner]
 * @param D - skip, shape [dInner]
 * @param groupSize - channels per group
 * @param eps - added to the group mean square
 * @returns y, shape [rows, dInner]
 * @example
 * const y = gateNorm(s, x, xz, D, 64, 1e-6);
 * @category Ops
 */
export function gateNorm(
  s: tf.Tensor2D,
  x: tf.Tensor2D,
  xz: tf.Tensor2D,
  D: tf.Tensor1D,
  groupSize: number,
  eps: number,
): tf.Tensor2D {
  register();
  const [rows, dInner] = s.shape;
  if (dInner % groupSize !== 0)
    throw new Error(`gateNorm: ${dInner} channels are not divisible by the group size ${groupSize}`);
  if (x.shape[0] !== rows || x.shape[1] !== dInner || xz.shape[0] !== rows || xz.shape[1] !== 2 * dInner) {
    throw new Error(`gateNorm: shapes s [${s.shape}], x [${x.shape}], xz [${xz.shape}] do not agree`);
  }
  const attrs = { groupSize, eps };
  const f = tf.customGrad(((
    sv: tf.Tensor,
    xv: tf.Tensor,
    xzv: tf.Tensor,
    Dv: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => {
    const { y, sig } = forwardOps(sv, xv, xzv, Dv, groupSize, eps);
    save([sv, xv, xzv, Dv, sig]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [ss, xs, xzs, Ds, sigs] = saved;
        return tf
          .engine()
          .runKernel(
            GATE_NORM_GRAD_KERNEL,
            { s: ss, x: xs, xz: xzs, D: Ds, dy: dy as tf.Tensor, sig: sigs },
            attrs as never,
          ) as tf.Tensor[];
      },
    };
  }) as any) as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.Tensor2D;
  return f(s, x, xz, D);
}
