/**
 * Feature Grams whose products are formed on the device while a block's taps are alive and read
 * back afterwards, asynchronously (for backends without synchronous read-back: webgpu under Node).
 *
 * @module
 */
import { addGram } from '@mamba-cl/nullspace';
import { matMulNT, matMulTN } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { BackboneTap } from '../backbone/backbone.js';
import type { BatchGram, BGramMethod, GramKernel, GramSource } from './feature_grams.js';

/** One tensor to read: `rows` (its Gram rowᵀ·row in float64) or `product` (a D×D product, symmetrised). */
interface PendingPart {
  readonly kind: 'rows' | 'product';
  readonly t: tf.Tensor;
  /** Row count of `t` read as [n, D] (kind `rows`). */
  readonly n: number;
  readonly weight: number;
}

/**
 * @internal The tensors behind one block's batch Grams, kept after its taps are freed.
 */
export interface PendingBatchGrams {
  readonly D: number;
  readonly sources: ReadonlyArray<{
    readonly source: GramSource;
    readonly rows: number;
    readonly parts: PendingPart[];
  }>;
}

/**
 * @internal The same Grams as `batchGrams` (same sources, `bGram`, `kernel`), deferred: the
 * tensors they are made from (`exact`: the rows, kept; `matmul`: the D×D products, formed here on
 * the device) are kept, to be read by {@link readBatchGrams}. Equal to `batchGrams` up to float32
 * rounding (the low-rank α is computed on the device).
 *
 * @param tap - x, delta, y of the block, each [b, L, D]
 * @param sources - which Grams
 * @param chunk - images per chunk for the explicit B Gram
 * @param bGram - `'lowrank'` or `'explicit'`
 * @param kernel - `'exact'` or `'matmul'`
 * @returns the pending Grams (the caller reads or disposes them)
 */
export function deferBatchGrams(
  tap: BackboneTap,
  sources: readonly GramSource[],
  chunk: number,
  bGram: BGramMethod,
  kernel: GramKernel,
): PendingBatchGrams {
  const [b, L, D] = tap.x.shape;
  const rows2d = (t: tf.Tensor, n: number) => tf.reshape(t, [n, D]) as tf.Tensor2D;
  const rowsPart = (t: tf.Tensor, n: number): PendingPart =>
    kernel === 'matmul'
      ? { kind: 'product', t: tf.tidy(() => matMulTN(rows2d(t, n), rows2d(t, n))), n, weight: 1 }
      : { kind: 'rows', t: tf.clone(t), n, weight: 1 };
  const out: Array<{ source: GramSource; rows: number; parts: PendingPart[] }> = [];
  for (const s of sources) {
    if (s === 'x') out.push({ source: s, rows: b * L, parts: [rowsPart(tap.x, b * L)] });
    else if (s === 'A') out.push({ source: s, rows: b * L, parts: [rowsPart(tap.delta, b * L)] });
    else if (s === 'out') out.push({ source: s, rows: b * L, parts: [rowsPart(tap.y, b * L)] });
    else if (bGram === 'explicit') {
      const parts: PendingPart[] = [];
      for (let i = 0; i < b; i += chunk) {
        const n = Math.min(chunk, b - i);
        const M = tf.tidy(() => {
          const dl = tf.transpose(tf.slice(tap.delta, [i, 0, 0], [n, L, D]), [0, 2, 1]); // [n, D, L]
          return tf.matMul(dl, tf.slice(tap.x, [i, 0, 0], [n, L, D])); // [n, D, D]: M_i = Δ_iᵀX_i
        });
        parts.push(rowsPart(M, n * D));
        M.dispose();
      }
      out.push({ source: s, rows: b * D, parts });
    } else if (kernel === 'matmul') {
      // Σ_i X_iᵀ(Δ_iΔ_iᵀ)X_i = sym(XᵀW), W_i = (Δ_iΔ_iᵀ)·X_i over the stacked b·L rows
      const t = tf.tidy(() => {
        const parts: tf.Tensor2D[] = [];
        for (let i = 0; i < b; i++) {
          const di = tf.reshape(tf.slice(tap.delta, [i, 0, 0], [1, L, D]), [L, D]) as tf.Tensor2D;
          const xi = tf.reshape(tf.slice(tap.x, [i, 0, 0], [1, L, D]), [L, D]) as tf.Tensor2D;
          parts.push(matMulTN(matMulNT(di, di), xi));
        }
        return matMulTN(rows2d(tap.x, b * L), tf.concat(parts, 0) as tf.Tensor2D);
      });
      out.push({ source: s, rows: b * D, parts: [{ kind: 'product', t, n: D, weight: 1 }] });
    } else {
      // XᵀW = [(αX + W/α)ᵀ(αX + W/α) − (αX − W/α)ᵀ(αX − W/α)] / 4, α² = ‖W‖/‖X‖ (as in batchGrams)
      const [plus, minus] = tf.tidy(() => {
        const G = tf.matMul(tap.delta, tf.transpose(tap.delta, [0, 2, 1])); // [b, L, L]
        const W = tf.matMul(G, tap.x); // [b, L, D]
        const nx = tf.norm(tap.x);
        const nw = tf.norm(W);
        const ok = tf.logicalAnd(tf.greater(nx, 0), tf.greater(nw, 0));
        const alpha = tf.where(ok, tf.sqrt(tf.div(nw, tf.where(ok, nx, tf.onesLike(nx)))), tf.onesLike(nx));
        const ax = tf.mul(tap.x, alpha);
        const wa = tf.div(W, alpha);
        return [tf.add(ax, wa), tf.sub(ax, wa)];
      });
      out.push({
        source: s,
        rows: b * D,
        parts: [
          { kind: 'rows', t: plus, n: b * L, weight: 0.25 },
          { kind: 'rows', t: minus, n: b * L, weight: -0.25 },
        ],
      });
    }
  }
  // kept: a backbone may call its tap visitor inside a tf.tidy
  for (const s of out) for (const part of s.parts) tf.keep(part.t);
  return { D, sources: out };
}

/**
 * @internal Reads pending Grams back (awaiting each tensor) and disposes their tensors.
 *
 * @param p - from {@link deferBatchGrams}
 * @returns the Grams by source, as `batchGrams` returns them
 */
export async function readBatchGrams(p: PendingBatchGrams): Promise<Map<GramSource, BatchGram>> {
  const { D } = p;
  const out = new Map<GramSource, BatchGram>();
  try {
    for (const { source, rows, parts } of p.sources) {
      const g = new Float64Array(D * D);
      for (const part of parts) {
        const a = (await part.t.data()) as Float32Array;
        if (part.kind === 'rows') addGram(a, part.n, D, g, part.weight);
        else
          for (let r = 0; r < D; r++) {
            g[r * D + r] += part.weight * a[r * D + r];
            for (let c = r + 1; c < D; c++) {
              const v = part.weight * 0.5 * (a[r * D + c] + a[c * D + r]);
              g[r * D + c] += v;
              g[c * D + r] += v;
            }
          }
      }
      out.set(source, { gram: g, rows });
    }
  } finally {
    disposePendingGrams(p);
  }
  return out;
}

/**
 * @internal Disposes the tensors of pending Grams (safe to call twice).
 *
 * @param p - from {@link deferBatchGrams}
 */
export function disposePendingGrams(p: PendingBatchGrams): void {
  for (const s of p.sources) for (const part of s.parts) part.t.dispose();
}
