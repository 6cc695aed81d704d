import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProjector, CovarianceAccumulator, DiskMatrixStore, projectUpdate } from '@mamba-cl/nullspace';
// projectUpdate works on tensors: tfjs-core (an optional peer) and a backend, here the cpu one.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

const n = 64; // feature width (2048 for the paper model's x_proj input)

// Features of one task: 128 rows in an 8-dimensional subspace of R^64 (most of R^64 is null space).
let seed = 1;
const random = (): number => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};
const basis = Float32Array.from({ length: 8 * n }, random);
const batches = Array.from({ length: 4 }, () => {
  const rows = 32;
  const x = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < 8; k++) {
      const c = random();
      for (let j = 0; j < n; j++) x[r * n + j] += c * basis[k * n + j];
    }
  return { x, rows, images: 8 };
});

// After task t: every batch adds XᵀX / rows (its own row count); batches and tasks are summed.
const acc = new CovarianceAccumulator(n); // mode 'sum' (official default) or 'mean'
for (const batch of batches) acc.addBatch(batch.x, batch.rows, batch.images); // x: [rows, n] row-major
acc.endTask();

// P = η·U₀U₀ᵀ/√k + (1 − η)·I with the official adaptive threshold.
const { projector, nullDim } = buildProjector(acc.matrix, n, {
  eta: 0.95,
  threshold: { kind: 'adaptive' },
  normalize: 'frobenius',
});
console.log('null-space dimension:', nullDim);

// Keep the projectors on disk (W_δ and W_C share theirs).
const store = new DiskMatrixStore<Float32Array>(mkdtempSync(join(tmpdir(), 'projectors-')), 'float32');
await store.set('layers.0.mixer.x_proj_step.weight', { rows: n, cols: n, data: projector });
await store.alias('layers.0.mixer.x_proj_C.weight', 'layers.0.mixer.x_proj_step.weight');
console.log('stored:', (await store.get('layers.0.mixer.x_proj_C.weight'))?.rows, 'rows');

// Inside the optimiser: project the final Adam step ([out, in]·P; 'left' for A_log [dInner, N]).
const P = tf.tensor2d(projector, [n, n]);
const adamStep = tf.randomNormal([16, n], 0, 1, 'float32', 3) as tf.Tensor2D;
const step = projectUpdate(adamStep, P, 'right');
console.log('projected step:', step.shape);
tf.dispose([P, adamStep, step]);
