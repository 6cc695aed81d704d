import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { kernelWasmModule } from '../scan/kernel_wasm_module.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/** Options of {@link runThreadScalingPerf}. @category Perf */
export interface ThreadScalingPerfOptions {
  /** Thread counts to compare (default `[1, os.availableParallelism()]`). */
  threads?: readonly number[];
  /** Repetitions of the SIMD workload per thread (default 40; 10 with `quick`). */
  reps?: number;
  /** Shorter run (the `mamba-cl perf --quick` suite). */
  quick?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Body of one measuring thread (plain JavaScript, evaluated by `worker_threads`): the SIMD workload
 * is `matmul_tn` of the package's own WebAssembly module (the weight-gradient product, [3200, 64]ᵀ ·
 * [3200, 128], 26.2 M multiply-adds); the scalar one a dependent `Math.sqrt` chain.
 */
const THREAD_BODY = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, reps, kind } = workerData;
let ms;
if (kind === 'simd') {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const ex = inst.exports;
  const T = 3200, O = 64, I = 128;
  const base = (ex.heap_base() + 15) & ~15;
  const need = base + 4 * (T * O + T * I + O * I);
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const heap = new Float32Array(memory.buffer);
  for (let i = base >> 2; i < need >> 2; i++) heap[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const g = base, x = g + 4 * T * O, out = x + 4 * T * I;
  ex.matmul_tn(T, O, I, g, x, out);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) ex.matmul_tn(T, O, I, g, x, out);
  ms = performance.now() - t0;
} else {
  const t0 = performance.now();
  let acc = 0;
  for (let i = 0; i < reps * 4e6; i++) acc = Math.sqrt(acc + i);
  ms = performance.now() - t0;
  if (acc < 0) ms = -1;
}
parentPort.postMessage(ms);
`;

function runThreads(n: number, kind: 'simd' | 'scalar', reps: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(THREAD_BODY, {
            eval: true,
            workerData: { module: kernelWasmModule(), reps, kind },
          });
          w.once('message', (ms: number) => {
            resolve(ms);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
}

/**
 * Measures how the CPU work of this package scales over threads on this machine: the same fixed
 * workload run by 1 thread and by N threads at once.
 *
 * **Details**
 * Two workloads: the WebAssembly SIMD weight-gradient kernel (`matmul_tn`, what the training step's
 * kernels are made of: 128-bit multiply-adds) and a scalar, latency-bound `Math.sqrt` chain. With N
 * independent cores each thread keeps its single-thread time (scaling ≈ N); where the "cores" are
 * hyper-threads of one physical core (common for small cloud VMs, where the guest cannot see it)
 * the SIMD workload shares one core's vector units and scales ≈ 1 while the scalar one still
 * scales. This bounds what data parallelism (`DataParallelClassifier`) can give here.
 *
 * @param options - thread counts, repetitions
 * @returns one report (rows per workload and thread count)
 * @example
 * const [report] = await runThreadScalingPerf({ threads: [1, 2] });
 * @category Perf
 */
export async function runThreadScalingPerf(options: ThreadScalingPerfOptions = {}): Promise<PerfReport[]> {
  const threads = options.threads ?? [1, Math.max(2, availableParallelism())];
  const reps = options.reps ?? (options.quick ? 10 : 40);
  const log = options.log ?? (() => {});
  const rows: PerfRow[] = [];
  for (const kind of ['simd', 'scalar'] as const) {
    let single: number | undefined;
    for (const n of threads) {
      const times = await runThreads(n, kind, reps);
      const mean = times.reduce((a, b) => a + b, 0) / n;
      single ??= mean;
      const row: PerfRow = {
        workload: kind === 'simd' ? 'wasm SIMD matmul_tn [3200,64]ᵀ·[3200,128]' : 'scalar Math.sqrt chain',
        threads: n,
        'ms per thread (mean)': Number(mean.toFixed(1)),
        'throughput vs 1 thread': Number(((n * single) / Math.max(...times)).toFixed(2)),
      };
      if (kind === 'simd')
        row['GFLOP/s (all threads)'] = Number(
          ((n * reps * 2 * 3200 * 64 * 128) / (Math.max(...times) * 1e6)).toFixed(1),
        );
      rows.push(row);
      log(`${kind} × ${n}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    }
  }
  return [
    {
      title: 'ssm-core: thread scaling of this machine (same work per thread, threads run at once)',
      rows,
      notes: [
        `os.availableParallelism() = ${availableParallelism()}; each thread runs ${reps} repetitions.`,
        '"throughput vs 1 thread" = N × (1-thread time) / (slowest of the N threads): ≈ N with independent cores, ≈ 1 when the threads share one core\'s vector units.',
      ],
    },
  ];
}
