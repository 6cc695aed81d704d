import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select_backend.js';
import { activeScanCore } from '../scan/scan_core_select.js';
import { SCAN_IMPLEMENTATIONS } from '../scan/scan_registry.js';
import { mulberry32 } from '../scan/scan_testing.js';
import '../scan/register_gradients.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/**
 * Options of {@link runScanPerf}.
 *
 * @category Perf
 */
export interface ScanPerfOptions {
  /** Only the smallest shape, fewer repetitions (a smoke run of a few seconds). */
  readonly quick?: boolean;
  /** Shapes [batch, seqLen, dInner, dState]; default [8,64,192,16], [8,196,192,16], [4,145,2048,16]. */
  readonly shapes?: ReadonlyArray<readonly [number, number, number, number]>;
  /** Backends to time; default cpu and wasm. */
  readonly backends?: readonly string[];
  /** Wall-clock budget per measured cell in ms (repetitions stop when spent); default 3000. */
  readonly budgetMs?: number;
  /** Most repetitions per cell (best is kept); default 10. */
  readonly maxReps?: number;
  /** Progress lines (e.g. `console.error`). */
  readonly log?: (line: string) => void;
}

const DEFAULT_SHAPES: ReadonlyArray<readonly [number, number, number, number]> = [
  [8, 64, 192, 16],
  [8, 196, 192, 16],
  [4, 145, 2048, 16],
];

/** Cells skipped because they would take minutes or gigabytes on a CPU backend. */
function skipReason(
  impl: string,
  backend: string,
  shape: readonly number[],
  _pass: 'fwd' | 'fwdbwd',
  quick: boolean,
): string | undefined {
  const elems = shape[0] * shape[1] * shape[2] * shape[3];
  if (quick && impl !== 'fused') return 'skipped in a quick run';
  if (impl === 'reference' && elems > 5e6) return 'skipped: per-step tfjs ops at this size take minutes';
  if (impl === 'chunked' && backend === 'cpu')
    return 'skipped on cpu: its broadcasting elementwise ops take minutes there (chunked is meant for GPU backends; wasm row shows op-composition cost)';
  if (impl === 'reference' && backend === 'cpu' && elems > 2e6)
    return 'skipped on cpu beyond the first shape: tens of seconds per call';
  return undefined;
}

/** Process CPU time (user + system, all threads) in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best-of-N wall time and best-of-N process CPU time of `fn` in ms, after one warm-up call. */
function bestOf(
  fn: () => void,
  budgetMs: number,
  maxReps: number,
): { ms: number; cpu: number; reps: number } {
  const t0 = performance.now();
  fn();
  let spent = performance.now() - t0;
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let reps = 0;
  while (reps < 1 || (reps < maxReps && spent + best <= budgetMs)) {
    const s = performance.now();
    const c = cpuMs();
    fn();
    const dc = cpuMs() - c;
    const dt = performance.now() - s;
    best = Math.min(best, dt);
    bestCpu = Math.min(bestCpu, dc);
    spent += dt;
    reps++;
  }
  return { ms: best, cpu: bestCpu, reps };
}

interface CResult {
  forwardMs: number;
  forwardBackwardMs: number;
  forwardCpuMs: number;
  forwardBackwardCpuMs: number;
}

/** Compiles bench/scan_ref.c with gcc (plain and -ffast-math) into a temp dir; undefined + note when impossible. */
function compileC(notes: string[]): { plain: string; fast: string; dir: string } | undefined {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/scan_ref.c');
  if (!existsSync(src)) {
    notes.push(`C yardstick skipped: ${src} not found (it ships only in the repository)`);
    return undefined;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-ref-'));
  try {
    const plain = path.join(dir, 'scan_ref');
    const fast = path.join(dir, 'scan_ref_fast');
    execFileSync('gcc', ['-O3', '-march=native', '-o', plain, src, '-lm'], { stdio: 'pipe' });
    execFileSync('gcc', ['-O3', '-march=native', '-ffast-math', '-o', fast, src, '-lm'], { stdio: 'pipe' });
    return { plain, fast, dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    notes.push(`C yardstick skipped: gcc failed or is missing (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

function runC(bin: string, shape: readonly number[], reps: number): CResult {
  const out = execFileSync(bin, [...shape.map(String), String(reps)], { encoding: 'utf8' });
  return JSON.parse(out) as CResult;
}

function round(ms: number): number {
  return Number(ms.toFixed(ms < 10 ? 2 : 1));
}

/**
 * Times the selective-scan implementations, forward and forward+backward, on the cpu and wasm
 * backends, beside a plain C version of the same loops compiled in the same run.
 *
 * **Details**
 * Shapes [batch, seqLen, dInner, dState]: [8,64,192,16], [8,196,192,16], [4,145,2048,16] (the
 * Mamba-Large block: L = 145, dInner = 2048). `quick` times only the fused kernel at the first
 * shape. Each cell is the best of up to `maxReps` runs after a
 * warm-up, in wall-clock and in process CPU time (core scan only: no D, z or delta transform; forward+backward = `tf.grads` with respect
 * to x, delta, A, B, C). The reference scan is skipped at the largest shape (minutes) and on the
 * cpu backend beyond the first shape, and the chunked scan on the cpu backend (minutes). A cell
 * that throws (e.g. out of memory) is reported as failed with its error in the notes. Forward+backward
 * passes dy = 1 to `tf.grads` directly, so no Sum gradient is timed. The C yardstick is
 * `bench/scan_ref.c` compiled with `gcc -O3 -march=native`, and again with `-ffast-math` (which
 * lets gcc vectorise `expf`); skipped with a note when gcc or the source is missing.
 *
 * @param options - `quick` for a smoke run; shapes, backends, budgets
 * @returns one report with a row per (shape, backend, implementation) and the C rows
 * @example
 * const [report] = await runScanPerf({ quick: true });
 * console.table(report.rows);
 * @category Perf
 */
export async function runScanPerf(options: ScanPerfOptions = {}): Promise<PerfReport[]> {
  const quick = options.quick ?? false;
  const shapes = options.shapes ?? (quick ? DEFAULT_SHAPES.slice(0, 1) : DEFAULT_SHAPES);
  const backends = options.backends ?? ['cpu', 'wasm'];
  const budgetMs = options.budgetMs ?? (quick ? 1000 : 3000);
  const maxReps = options.maxReps ?? (quick ? 3 : 10);
  const log = options.log ?? (() => {});
  const rows: PerfRow[] = [];
  const notes: string[] = [
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; best of up to ${maxReps} runs after a warm-up, wall clock and process CPU time (user + system; other processes may share the CPU: load average ${os.loadavg()[0].toFixed(1)} at start)`,
    `fused kernel core: ${activeScanCore().name}`,
  ];
  const previous = tf.getBackend();
  const c = compileC(notes);
  try {
    for (const shape of shapes) {
      const [batch, seqLen, dInner, dState] = shape;
      const label = `[${shape.join(',')}]`;
      const rnd = mulberry32(7);
      const arr = (n: number, lo: number, hi: number) =>
        Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());
      const BLD = batch * seqLen * dInner;
      const BLN = batch * seqLen * dState;
      const data = {
        x: arr(BLD, -1, 1),
        delta: arr(BLD, 0.01, 1),
        A: arr(dInner * dState, -3, -0.1),
        B: arr(BLN, -1, 1),
        C: arr(BLN, -1, 1),
      };
      for (const backend of backends) {
        await selectBackend(backend);
        const x = tf.tensor3d(data.x, [batch, seqLen, dInner]);
        const delta = tf.tensor3d(data.delta, [batch, seqLen, dInner]);
        const A = tf.tensor2d(data.A, [dInner, dState]);
        const B = tf.tensor3d(data.B, [batch, seqLen, dState]);
        const C = tf.tensor3d(data.C, [batch, seqLen, dState]);
        const dy = tf.ones([batch, seqLen, dInner]) as tf.Tensor3D;
        for (const impl of SCAN_IMPLEMENTATIONS) {
          const row: PerfRow = {
            shape: label,
            backend,
            impl: impl.name,
            'forward ms': '',
            'forward CPU ms': '',
            'fwd+bwd ms': '',
            'fwd+bwd CPU ms': '',
          };
          for (const pass of ['fwd', 'fwdbwd'] as const) {
            const column = pass === 'fwd' ? 'forward ms' : 'fwd+bwd ms';
            const cpuColumn = pass === 'fwd' ? 'forward CPU ms' : 'fwd+bwd CPU ms';
            const skip = skipReason(impl.name, backend, shape, pass, quick);
            if (skip !== undefined) {
              row[column] = 'skipped';
              row[cpuColumn] = 'skipped';
              if (!quick) notes.push(`${impl.name} ${label} ${backend} ${pass}: ${skip}`);
              continue;
            }
            const fn =
              pass === 'fwd'
                ? () => {
                    const y = impl.scan(x, delta, A, B, C);
                    y.dataSync();
                    y.dispose();
                  }
                : () => {
                    // dy given: no Sum gradient (a broadcast that is slow on the cpu backend) in the timing
                    const grads = tf.grads((...ins: tf.Tensor[]) =>
                      impl.scan(
                        ins[0] as tf.Tensor3D,
                        ins[1] as tf.Tensor3D,
                        ins[2] as tf.Tensor2D,
                        ins[3] as tf.Tensor3D,
                        ins[4] as tf.Tensor3D,
                      ),
                    )([x, delta, A, B, C], dy);
                    for (const g of grads) g.dataSync();
                    tf.dispose(grads);
                  };
            let measured: { ms: number; cpu: number; reps: number };
            try {
              measured = bestOf(fn, budgetMs, maxReps);
            } catch (err) {
              row[column] = 'failed';
              row[cpuColumn] = 'failed';
              notes.push(
                `${impl.name} ${label} ${backend} ${pass} failed: ${(err as Error).message.split('\n')[0]}`,
              );
              continue;
            }
            const { ms, cpu, reps } = measured;
            row[column] = round(ms);
            row[cpuColumn] = round(cpu);
            row[`${pass} reps`] = reps;
            log(`scan perf ${label} ${backend} ${impl.name} ${pass}: ${ms.toFixed(2)} ms (best of ${reps})`);
          }
          rows.push(row);
        }
        tf.dispose([x, delta, A, B, C, dy]);
      }
      if (c !== undefined) {
        const reps = Math.max(3, Math.min(maxReps, 10));
        for (const [name, bin] of [
          ['C gcc -O3 -march=native', c.plain],
          ['C gcc -O3 -march=native -ffast-math', c.fast],
        ] as const) {
          const r = runC(bin, shape, reps);
          rows.push({
            shape: label,
            backend: 'native',
            impl: name,
            'forward ms': round(r.forwardMs),
            'forward CPU ms': round(r.forwardCpuMs),
            'fwd+bwd ms': round(r.forwardBackwardMs),
            'fwd+bwd CPU ms': round(r.forwardBackwardCpuMs),
          });
          log(`scan perf ${label} ${name}: ${r.forwardMs.toFixed(2)} / ${r.forwardBackwardMs.toFixed(2)} ms`);
        }
      }
    }
  } finally {
    if (c !== undefined) rmSync(c.dir, { recursive: true, force: true });
    if (previous !== undefined && previous !== tf.getBackend()) await selectBackend(previous);
  }
  for (const shape of shapes) {
    const label = `[${shape.join(',')}]`;
    for (const cName of ['C gcc -O3 -march=native -ffast-math', 'C gcc -O3 -march=native']) {
      const cRow = rows.find((r) => r.shape === label && r.impl === cName);
      if (cRow === undefined) continue;
      for (const f of rows.filter((r) => r.shape === label && r.impl === 'fused')) {
        const ratio = (key: string) => ((f[key] as number) / (cRow[key] as number)).toFixed(1);
        notes.push(
          `fused/${f.backend} ${label} ÷ ${cName}: forward ${ratio('forward ms')}× wall, ${ratio('forward CPU ms')}× CPU; ` +
            `fwd+bwd ${ratio('fwd+bwd ms')}× wall, ${ratio('fwd+bwd CPU ms')}× CPU`,
        );
      }
    }
  }
  return [{ title: 'ssm-core selective scan (core recurrence, no D/z), ms', rows, notes }];
}
