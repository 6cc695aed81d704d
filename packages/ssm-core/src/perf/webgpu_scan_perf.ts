import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select_backend.js';
import { formatAdapter } from '../backend/webgpu_adapter.js';
import { currentWebGpuAdapter } from '../backend/webgpu_loader.js';
import { CHUNKED_SCAN } from '../scan/chunked_scan.js';
import { FUSED_SCAN } from '../scan/fused_scan.js';
import { mulberry32 } from '../scan/scan_testing.js';
import type { ScanImplementation } from '../scan/scan_types.js';
import '../scan/register_gradients.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/**
 * Options of {@link runWebGpuScanPerf}.
 *
 * @category Perf
 */
export interface WebGpuScanPerfOptions {
  /** Shapes [batch, seqLen, dInner, dState]; default the tiny step's [64, 50, 128, 16] and the large block's [4, 145, 2048, 16]. */
  readonly shapes?: ReadonlyArray<readonly [number, number, number, number]>;
  /** Wall-clock budget per measured cell in ms (repetitions stop when spent); default 5000. */
  readonly budgetMs?: number;
  /** Most repetitions per cell (best is kept); default 10. */
  readonly maxReps?: number;
  /** Progress lines (e.g. `console.error`). */
  readonly log?: (line: string) => void;
}

const DEFAULT_SHAPES: ReadonlyArray<readonly [number, number, number, number]> = [
  [64, 50, 128, 16],
  [4, 145, 2048, 16],
];

/** Best-of-N wall time of an async `fn` in ms after one warm-up call (which also compiles the shaders). */
async function bestOf(
  fn: () => Promise<void>,
  budgetMs: number,
  maxReps: number,
): Promise<{ ms: number; firstMs: number; reps: number }> {
  const t0 = performance.now();
  await fn();
  const firstMs = performance.now() - t0;
  let spent = firstMs;
  let best = Number.POSITIVE_INFINITY;
  let reps = 0;
  while (reps < 1 || (reps < maxReps && spent + best <= budgetMs)) {
    const s = performance.now();
    await fn();
    const dt = performance.now() - s;
    best = Math.min(best, dt);
    spent += dt;
    reps++;
  }
  return { ms: best, firstMs, reps };
}

function round(ms: number): number {
  return Number(ms.toFixed(ms < 10 ? 2 : 1));
}

/**
 * Times the selective scan on the `webgpu` backend: the WGSL fused kernel against the chunked
 * scan made of tfjs ops, forward and forward+backward.
 *
 * **Details**
 * Each cell is the best of up to `maxReps` runs after a warm-up (the warm-up, which compiles the
 * shaders, is reported too), in wall-clock ms including the download of the results (`await
 * data()`), which is what waits for the GPU. Forward+backward is `tf.grads` with respect to x,
 * delta, A, B, C with dy = 1. The adapter (vendor, architecture, software or hardware) is in the
 * notes: on a software adapter (lavapipe) the figures say little about a GPU. A cell that throws
 * (e.g. out of memory) is reported as failed with its error in the notes.
 *
 * @param options - shapes, budgets
 * @returns one report with a row per (shape, implementation)
 * @throws `Error` when the webgpu backend cannot be selected
 * @example
 * const [report] = await runWebGpuScanPerf({ shapes: [[8, 64, 192, 16]] });
 * @category Perf
 */
export async function runWebGpuScanPerf(options: WebGpuScanPerfOptions = {}): Promise<PerfReport[]> {
  const shapes = options.shapes ?? DEFAULT_SHAPES;
  const budgetMs = options.budgetMs ?? 5000;
  const maxReps = options.maxReps ?? 10;
  const log = options.log ?? (() => {});
  const previous = tf.getBackend();
  await selectBackend('webgpu');
  const adapter = currentWebGpuAdapter();
  const rows: PerfRow[] = [];
  const notes: string[] = [
    `adapter: ${adapter === undefined ? 'unknown' : formatAdapter(adapter)}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average ${os.loadavg()[0].toFixed(1)} at start`,
    `best of up to ${maxReps} runs after a warm-up (its time, shader compilation included, in "first"); wall clock including the download of the results`,
  ];
  const impls: ReadonlyArray<[string, ScanImplementation]> = [
    ['fused (WGSL)', FUSED_SCAN],
    ['chunked (tfjs ops)', CHUNKED_SCAN],
  ];
  try {
    for (const shape of shapes) {
      const [batch, seqLen, dInner, dState] = shape;
      const label = `[${shape.join(',')}]`;
      const rnd = mulberry32(7);
      const arr = (n: number, lo: number, hi: number) =>
        Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());
      const BLD = batch * seqLen * dInner;
      const BLN = batch * seqLen * dState;
      const x = tf.tensor3d(arr(BLD, -1, 1), [batch, seqLen, dInner]);
      const delta = tf.tensor3d(arr(BLD, 0.01, 1), [batch, seqLen, dInner]);
      const A = tf.tensor2d(arr(dInner * dState, -3, -0.1), [dInner, dState]);
      const B = tf.tensor3d(arr(BLN, -1, 1), [batch, seqLen, dState]);
      const C = tf.tensor3d(arr(BLN, -1, 1), [batch, seqLen, dState]);
      const dy = tf.ones([batch, seqLen, dInner]) as tf.Tensor3D;
      for (const [name, impl] of impls) {
        const row: PerfRow = { shape: label, impl: name };
        for (const pass of ['fwd', 'fwdbwd'] as const) {
          const fn =
            pass === 'fwd'
              ? async () => {
                  const y = impl.scan(x, delta, A, B, C);
                  await y.data();
                  y.dispose();
                }
              : async () => {
                  const grads = tf.grads((...ins: tf.Tensor[]) =>
                    impl.scan(
                      ins[0] as tf.Tensor3D,
                      ins[1] as tf.Tensor3D,
                      ins[2] as tf.Tensor2D,
                      ins[3] as tf.Tensor3D,
                      ins[4] as tf.Tensor3D,
                    ),
                  )([x, delta, A, B, C], dy);
                  for (const g of grads) await g.data();
                  tf.dispose(grads);
                };
          const column = pass === 'fwd' ? 'forward ms' : 'fwd+bwd ms';
          try {
            const { ms, firstMs, reps } = await bestOf(fn, budgetMs, maxReps);
            row[column] = round(ms);
            row[`${pass} first ms`] = round(firstMs);
            row[`${pass} reps`] = reps;
            log(`webgpu scan perf ${label} ${name} ${pass}: ${ms.toFixed(2)} ms (best of ${reps})`);
          } catch (err) {
            row[column] = 'failed';
            notes.push(`${name} ${label} ${pass} failed: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        rows.push(row);
      }
      tf.dispose([x, delta, A, B, C, dy]);
      const [f, c] = rows.slice(-2);
      for (const key of ['forward ms', 'fwd+bwd ms']) {
        if (typeof f[key] === 'number' && typeof c[key] === 'number') {
          notes.push(
            `${label} ${key}: chunked ÷ fused = ${((c[key] as number) / (f[key] as number)).toFixed(1)}×`,
          );
        }
      }
    }
  } finally {
    if (previous !== undefined && previous !== tf.getBackend()) await selectBackend(previous);
  }
  return [{ title: 'ssm-core selective scan on webgpu (core recurrence, no D/z), ms', rows, notes }];
}
