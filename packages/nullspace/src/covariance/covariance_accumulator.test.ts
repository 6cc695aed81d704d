import { describe, expect, it } from 'vitest';
import { mulberry32, randn } from '../internal/random.js';
import { CovarianceAccumulator } from './covariance_accumulator.js';
import { addGram } from './gram.js';

function naiveGram(x: Float32Array, rows: number, dim: number): Float64Array {
  const g = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++)
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * dim + i] * x[r * dim + j];
      g[i * dim + j] = s;
    }
  return g;
}

function features(rng: () => number, rows: number, dim: number): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => randn(rng));
}

describe('addGram', () => {
  it('matches a naive XᵀX for sizes around the block edges', () => {
    const rng = mulberry32(1);
    for (const [rows, dim] of [
      [1, 1],
      [3, 5],
      [130, 9],
      [257, 16],
      [64, 31],
    ]) {
      const x = features(rng, rows, dim);
      const g = new Float64Array(dim * dim);
      addGram(x, rows, dim, g, 0.5);
      const ref = naiveGram(x, rows, dim);
      for (let i = 0; i < g.length; i++)
        expect(Math.abs(g[i] - 0.5 * ref[i])).toBeLessThan(1e-10 * (1 + Math.abs(ref[i])));
      for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) expect(g[i * dim + j]).toBe(g[j * dim + i]);
    }
  });
});

describe('CovarianceAccumulator', () => {
  it('divides each batch by its own row count and sums batches and tasks (spec §3.2–3.3)', () => {
    const rng = mulberry32(2);
    const dim = 6;
    const acc = new CovarianceAccumulator(dim);
    const b1 = features(rng, 10, dim);
    const b2 = features(rng, 3, dim); // the small last batch weighs as much as a full one
    const b3 = features(rng, 7, dim);
    acc.addBatch(b1, 10, 2);
    acc.addBatch(b2, 3, 1);
    acc.endTask();
    acc.addBatch(b3, 7, 1);
    acc.endTask();
    const g1 = naiveGram(b1, 10, dim);
    const g2 = naiveGram(b2, 3, dim);
    const g3 = naiveGram(b3, 7, dim);
    for (let i = 0; i < dim * dim; i++) {
      expect(acc.matrix[i]).toBeCloseTo(g1[i] / 10 + g2[i] / 3 + g3[i] / 7, 12);
    }
    expect(acc.imageCounts).toEqual([3, 1]);
    expect(acc.tasks).toBe(2);
  });

  it("'mean' weights tasks by their image counts, like the official code", () => {
    const rng = mulberry32(3);
    const dim = 4;
    const acc = new CovarianceAccumulator(dim, { mode: 'mean' });
    const x1 = features(rng, 5, dim);
    const x2 = features(rng, 8, dim);
    acc.addBatch(x1, 5, 10);
    acc.endTask();
    acc.addGram(naiveGram(x2, 8, dim), 8, 30);
    acc.endTask();
    const g1 = naiveGram(x1, 5, dim);
    const g2 = naiveGram(x2, 8, dim);
    for (let i = 0; i < dim * dim; i++)
      expect(acc.matrix[i]).toBeCloseTo(0.25 * (g1[i] / 5) + 0.75 * (g2[i] / 8), 12);
    const noImages = new CovarianceAccumulator(dim, { mode: 'mean' });
    noImages.addBatch(x1, 5);
    expect(() => noImages.endTask()).toThrow(/image count/);
  });

  it('round-trips its state bit-exactly, pending task included', () => {
    const rng = mulberry32(4);
    const dim = 13;
    const acc = new CovarianceAccumulator(dim, { mode: 'mean' });
    acc.addBatch(features(rng, 20, dim), 20, 4);
    acc.endTask();
    acc.addBatch(features(rng, 9, dim), 9, 3);
    const bytes = acc.serialize();
    const back = CovarianceAccumulator.deserialize(bytes);
    expect(back.dim).toBe(dim);
    expect(back.mode).toBe('mean');
    expect(Buffer.from(back.matrix.buffer).equals(Buffer.from(acc.matrix.buffer))).toBe(true);
    expect(Buffer.from(back.taskMatrix.buffer).equals(Buffer.from(acc.taskMatrix.buffer))).toBe(true);
    expect(Buffer.from(back.serialize()).equals(Buffer.from(bytes))).toBe(true);
    back.endTask();
    acc.endTask();
    expect(Array.from(back.matrix)).toEqual(Array.from(acc.matrix));
    expect(() => CovarianceAccumulator.deserialize(bytes.subarray(0, 40), 'k.bin')).toThrow(/k.bin/);
    expect(() => CovarianceAccumulator.deserialize(new Uint8Array(16), 'k.bin')).toThrow(/bad magic/);
  });

  it('with 𝒦 detached between tasks folds to the same bits, and serialises without 𝒦 or an empty K_t', () => {
    const rng = mulberry32(5);
    const dim = 9;
    const batches = [0, 1, 2].map(() => features(rng, 11, dim));
    for (const mode of ['sum', 'mean'] as const) {
      const held = new CovarianceAccumulator(dim, { mode });
      const away = new CovarianceAccumulator(dim, { mode, detached: true });
      expect(away.hasMatrix).toBe(false);
      expect(() => away.matrix).toThrow(/detached/);
      let stored = new Float64Array(dim * dim); // 𝒦 kept "in a store"
      for (const [t, x] of batches.entries()) {
        held.addBatch(x, 11, t + 2);
        held.endTask();
        away.addBatch(x, 11, t + 2);
        expect(() => away.endTask()).toThrow(/detached; attachMatrix/);
        away.attachMatrix(stored);
        away.endTask();
        const bytes = away.serialize(); // 𝒦 attached, no pending K_t: one matrix of data
        stored = away.detachMatrix().slice();
        expect(away.hasMatrix).toBe(false);
        expect(Buffer.from(stored.buffer).equals(Buffer.from(held.matrix.buffer)), `${mode} task ${t}`).toBe(
          true,
        );
        expect(bytes.length).toBeLessThan(12 + 200 + 8 * dim * dim + 8);
        const small = away.serialize(); // detached: header only
        expect(small.length).toBeLessThan(200);
        const back = CovarianceAccumulator.deserialize(small);
        expect(back.hasMatrix).toBe(false);
        expect(back.imageCounts).toEqual(away.imageCounts);
      }
      expect(() => away.attachMatrix(new Float64Array(3))).toThrow(/expected a Float64Array of 9×9/);
    }
  });

  it('reads states written before 𝒦 could be detached (both matrices, no flags)', () => {
    const rng = mulberry32(6);
    const dim = 5;
    const acc = new CovarianceAccumulator(dim);
    acc.addBatch(features(rng, 7, dim), 7, 1);
    acc.endTask();
    acc.addBatch(features(rng, 4, dim), 4, 1);
    const header = new TextEncoder().encode(
      JSON.stringify({ dim, mode: 'sum', taskBatches: 1, taskImages: 1, imageCounts: [1] }),
    );
    const headerLen = Math.ceil((header.length + 12) / 8) * 8 - 12;
    const legacy = new Uint8Array(12 + headerLen + 16 * dim * dim);
    legacy.set(new TextEncoder().encode('MCLCOV01'), 0);
    new DataView(legacy.buffer).setUint32(8, headerLen, true);
    legacy.fill(0x20, 12, 12 + headerLen);
    legacy.set(header, 12);
    const data = new DataView(legacy.buffer, 12 + headerLen);
    for (let i = 0; i < dim * dim; i++) {
      data.setFloat64(8 * i, acc.matrix[i], true);
      data.setFloat64(8 * (dim * dim + i), acc.taskMatrix[i], true);
    }
    const back = CovarianceAccumulator.deserialize(legacy, 'legacy');
    expect(Array.from(back.matrix)).toEqual(Array.from(acc.matrix));
    expect(Array.from(back.taskMatrix)).toEqual(Array.from(acc.taskMatrix));
  });

  it('rejects wrong shapes, naming the numbers', () => {
    const acc = new CovarianceAccumulator(3);
    expect(() => acc.addBatch(new Float32Array(7), 2)).toThrow(/7 values, expected rows×dim = 2×3 = 6/);
    expect(() => acc.addGram(new Float32Array(4), 2)).toThrow(/expected 3×3/);
    expect(() => acc.endTask()).toThrow(/no batch/);
  });
});
