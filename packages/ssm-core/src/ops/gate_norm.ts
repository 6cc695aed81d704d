import * as tf from '@tensorflow/tfjs-core';
import { JS_KERNEL_BACKENDS, runJsKernel } from './js_kernel_io.js';

/** Kernel names (forward and its gradient). @internal */
export const GATE_NORM_KERNEL = 'MambaGroupRmsGate';
export const GATE_NORM_GRAD_KERNEL = 'MambaGroupRmsGateGrad';

interface GateNormAttrs {
  groupSize: number;
  eps: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { s, x, xz, D } = inputs as Record<string, tf.TensorInfo>;
  const { groupSize, eps } = attrs as unknown as GateNormAttrs;
  const [rows, dInner] = s.shape;
  const width = xz.shape[1];
  const inputsList = [
    ['s', s],
    ['x', x],
    ['xz', xz],
    ['D', D],
  ] as const;
  const [result] = runJsKernel(
    backend,
    GATE_NORM_KERNEL,
    inputsList,
    [[rows, dInner]],
    ([S, X, Z, Dv], [out]) => {
      for (let r = 0; r < rows; r++) {
        const o = r * dInner;
        const zo = r * width + dInner;
        for (let g0 = 0; g0 < dInner; g0 += groupSize) {
          let ms = 0;
          for (let d = g0; d < g0 + groupSize; d++) ms += S[o + d] * S[o + d];
          const inv = 1 / Math.sqrt(ms / groupSize + eps);
          for (let d = g0; d < g0 + groupSize; d++) {
            const z = Z[zo + d];
            out[o + d] = (S[o + d] * inv + Dv[d] * X[o + d]) * z * sigmoid(z);
          }
        }
      }
    },
  );
  return result;
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { s, x, xz, D, dy } = inputs as Record<string, tf.TensorInfo>;
  const { groupSize, eps } = attrs as unknown as GateNormAttrs;
  const [rows, dInner] = s.shape;
  const width = xz.shape[1];
  const inputsList = [
    ['s', s],
    ['x', x],
    ['xz', xz],
    ['D', D],
    ['dy', dy],
  ] as const;
  const shapes = [[rows, dInner], [rows, dInner], [rows, width], [dInner]];
  return runJsKernel(
    backend,
    GATE_NORM_GRAD_KERNEL,
    inputsList,
    shapes,
    ([S, X, Z, Dv, G], [dS, dX, dXZ, dDout]) => {
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
            const sg = sigmoid(z);
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
    if (!tf.getKernel(GATE_NORM_KERNEL, backendName)) {
      tf.registerKernel({ kernelName: GATE_NORM_KERNEL, backendName, kernelFunc: forwardKernel });
    }
    if (!tf.getKernel(GATE_NORM_GRAD_KERNEL, backendName)) {
      tf.registerKernel({ kernelName: GATE_NORM_GRAD_KERNEL, backendName, kernelFunc: backwardKernel });
    }
  }
  if (!tf.getGradient(GATE_NORM_KERNEL)) {
    tf.registerGradient({
      kernelName: GATE_NORM_KERNEL,
      inputsToSave: ['s', 'x', 'xz', 'D'],
      gradFunc: (dy, saved, attrs) => {
        const [s, x, xz, D] = saved;
        const g = tf
          .engine()
          .runKernel(
            GATE_NORM_GRAD_KERNEL,
            { s, x, xz, D, dy: dy as tf.Tensor },
            attrs as never,
          ) as tf.Tensor[];
        return { s: () => g[0], x: () => g[1], xz: () => g[2], D: () => g[3] };
      },
    });
  }
}

/**
 * Fused group RMS norm + D skip + SiLU gate of the De-focus mixer, reading z from the second half of
 * the in_proj output (a JS-loop kernel with its gradient, on cpu and wasm).
 *
 * **Details**
 * y = (s / sqrt(mean_group(s²) + eps) + D ⊙ x) ⊙ SiLU(z), z = xz[:, dInner:2·dInner]
 * (spec §1.2 steps 8–9). The gradient w.r.t. xz is zero in columns 0..dInner−1.
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
  return tf.engine().runKernel(GATE_NORM_KERNEL, { s, x, xz, D }, { groupSize, eps } as never) as tf.Tensor2D;
}
