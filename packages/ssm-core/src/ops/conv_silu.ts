import * as tf from '@tensorflow/tfjs-core';
import { JS_KERNEL_BACKENDS, readInput, writeOutput } from './js_kernel_io.js';

/** Kernel names (forward and its gradient). @internal */
export const CONV_SILU_KERNEL = 'MambaCausalConvSilu';
export const CONV_SILU_GRAD_KERNEL = 'MambaCausalConvSiluGrad';

interface ConvSiluAttrs {
  seqLen: number;
}

function dims(xz: tf.TensorInfo, w: tf.TensorInfo, seqLen: number) {
  const rows = xz.shape[0];
  const width = xz.shape[1];
  const dInner = w.shape[0];
  const k = w.shape[1];
  return { rows, width, dInner, k, seqLen, batch: rows / seqLen };
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { xz, w, b } = inputs as Record<string, tf.TensorInfo>;
  const { seqLen } = attrs as unknown as ConvSiluAttrs;
  const { rows, width, dInner, k, batch } = dims(xz, w, seqLen);
  const X = readInput(backend, xz, CONV_SILU_KERNEL, 'xz');
  const W = readInput(backend, w, CONV_SILU_KERNEL, 'w');
  const Bv = readInput(backend, b, CONV_SILU_KERNEL, 'b');
  const out = new Float32Array(rows * dInner);
  for (let bb = 0; bb < batch; bb++) {
    for (let t = 0; t < seqLen; t++) {
      const o = (bb * seqLen + t) * dInner;
      for (let d = 0; d < dInner; d++) out[o + d] = Bv[d];
      for (let j = 0; j < k; j++) {
        const src = t - k + 1 + j;
        if (src < 0) continue;
        const s = (bb * seqLen + src) * width;
        for (let d = 0; d < dInner; d++) out[o + d] += W[d * k + j] * X[s + d];
      }
      for (let d = 0; d < dInner; d++) {
        const p = out[o + d];
        out[o + d] = p / (1 + Math.exp(-p));
      }
    }
  }
  return writeOutput(backend, [rows, dInner], out, CONV_SILU_KERNEL);
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { xz, w, b, dy } = inputs as Record<string, tf.TensorInfo>;
  const { seqLen } = attrs as unknown as ConvSiluAttrs;
  const { rows, width, dInner, k, batch } = dims(xz, w, seqLen);
  const X = readInput(backend, xz, CONV_SILU_GRAD_KERNEL, 'xz');
  const W = readInput(backend, w, CONV_SILU_GRAD_KERNEL, 'w');
  const Bv = readInput(backend, b, CONV_SILU_GRAD_KERNEL, 'b');
  const G = readInput(backend, dy, CONV_SILU_GRAD_KERNEL, 'dy');
  const dX = new Float32Array(rows * width);
  const dW = new Float64Array(dInner * k);
  const dB = new Float64Array(dInner);
  const gp = new Float32Array(dInner);
  for (let bb = 0; bb < batch; bb++) {
    for (let t = 0; t < seqLen; t++) {
      const row = bb * seqLen + t;
      // recompute the pre-activation, then g_pre = g·σ(p)·(1 + p·(1 − σ(p)))
      for (let d = 0; d < dInner; d++) gp[d] = Bv[d];
      for (let j = 0; j < k; j++) {
        const src = t - k + 1 + j;
        if (src < 0) continue;
        const s = (bb * seqLen + src) * width;
        for (let d = 0; d < dInner; d++) gp[d] += W[d * k + j] * X[s + d];
      }
      const go = row * dInner;
      for (let d = 0; d < dInner; d++) {
        const p = gp[d];
        const sg = 1 / (1 + Math.exp(-p));
        gp[d] = G[go + d] * sg * (1 + p * (1 - sg));
        dB[d] += gp[d];
      }
      for (let j = 0; j < k; j++) {
        const src = t - k + 1 + j;
        if (src < 0) continue;
        const s = (bb * seqLen + src) * width;
        for (let d = 0; d < dInner; d++) {
          dX[s + d] += gp[d] * W[d * k + j];
          dW[d * k + j] += gp[d] * X[s + d];
        }
      }
    }
  }
  return [
    writeOutput(backend, [rows, width], dX, CONV_SILU_GRAD_KERNEL),
    writeOutput(backend, [dInner, k], Float32Array.from(dW), CONV_SILU_GRAD_KERNEL),
    writeOutput(backend, [dInner], Float32Array.from(dB), CONV_SILU_GRAD_KERNEL),
  ];
};

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of JS_KERNEL_BACKENDS) {
    if (!tf.getKernel(CONV_SILU_KERNEL, backendName)) {
      tf.registerKernel({ kernelName: CONV_SILU_KERNEL, backendName, kernelFunc: forwardKernel });
    }
    if (!tf.getKernel(CONV_SILU_GRAD_KERNEL, backendName)) {
      tf.registerKernel({ kernelName: CONV_SILU_GRAD_KERNEL, backendName, kernelFunc: backwardKernel });
    }
  }
  if (!tf.getGradient(CONV_SILU_KERNEL)) {
    tf.registerGradient({
      kernelName: CONV_SILU_KERNEL,
      inputsToSave: ['xz', 'w', 'b'],
      gradFunc: (dy, saved, attrs) => {
        const [xz, w, b] = saved;
        const g = tf
          .engine()
          .runKernel(CONV_SILU_GRAD_KERNEL, { xz, w, b, dy: dy as tf.Tensor }, attrs as never) as tf.Tensor[];
        return { xz: () => g[0], w: () => g[1], b: () => g[2] };
      },
    });
  }
}

/**
 * Fused causal depthwise conv + SiLU reading the x̃ half of the in_proj output directly (a JS-loop
 * kernel with its gradient, on cpu and wasm).
 *
 * **Details**
 * x[r, d] = SiLU(b[d] + Σ_{k} w[d,k]·xz[r − K + 1 + k, d]) within each sequence (spec §1.2 step 2),
 * where xz is [rows = batch·seqLen, W] and only columns 0..dInner−1 are read. Replaces the slice,
 * pad, K shifted multiply-adds and the SiLU (and all their gradient ops) by one kernel each way.
 * The gradient w.r.t. xz is zero in the columns it does not read.
 *
 * @param xz - in_proj output, shape [batch·seqLen, W ≥ dInner]
 * @param weight - conv weight, shape [dInner, K]
 * @param bias - shape [dInner]
 * @param seqLen - sequence length
 * @returns x, shape [batch·seqLen, dInner]
 * @example
 * const x = convSilu(xz, tf.reshape(convW, [dInner, 4]), convB, 50);
 * @category Ops
 */
export function convSilu(
  xz: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  seqLen: number,
): tf.Tensor2D {
  register();
  if (xz.shape[0] % seqLen !== 0)
    throw new Error(`convSilu: ${xz.shape[0]} rows are not a multiple of seqLen ${seqLen}`);
  if (weight.shape[0] > xz.shape[1] || bias.shape[0] !== weight.shape[0]) {
    throw new Error(`convSilu: weight [${weight.shape}] / bias [${bias.shape}] do not fit xz [${xz.shape}]`);
  }
  return tf
    .engine()
    .runKernel(CONV_SILU_KERNEL, { xz, w: weight, b: bias }, { seqLen } as never) as tf.Tensor2D;
}
