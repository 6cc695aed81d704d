/**
 * Worker threads that run the eigen kernels on the module's shared memory, driven synchronously
 * from the calling thread with Atomics (so `symmetricEigen` stays a synchronous function).
 *
 * @module
 */
import { createRequire } from 'node:module';

/** Opcodes of the worker loop. */
export const OP_RANK2K = 1;
export const OP_APPLY_BLOCK = 2;
export const OP_GEMM = 3;
export const OP_SYMV = 4;
export const OP_SECULAR_ROOTS = 5;
export const OP_SECULAR_WEIGHTS = 6;
export const OP_SECULAR_NORMALIZE = 7;

/** Control block per worker (Int32 slots). */
const SEQ = 0;
const OP = 1;
const ARGS = 2;
const ERR = 13;
const READY = 14;
const DONE = 15;

/**
 * Polls before sleeping on a futex (about 50–100 µs of Atomics.load): the reduction hands a helper
 * one symmetric product per column, a few tens of µs apart, and a futex wake costs about as much
 * as the product itself.
 */
const SPINS = 1 << 16;

/**
 * The worker: instantiates the kernels on the shared memory and runs one command per SEQ tick.
 * Plain CommonJS evaluated from a string, so it needs no loader for TypeScript sources.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.ctl);
const ex = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
Atomics.store(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
let seen = 0;
for (;;) {
  for (let i = 0; i < ${SPINS} && Atomics.load(ctl, ${SEQ}) === seen; i++);
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  const a = ctl.subarray(${ARGS}, ${ERR});
  try {
    switch (ctl[${OP}]) {
      case ${OP_RANK2K}: ex.rank2k_rows(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]); break;
      case ${OP_APPLY_BLOCK}: ex.apply_block(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]); break;
      case ${OP_GEMM}: ex.gemm_nn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]); break;
      case ${OP_SYMV}: ex.symv_rows(a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
      case ${OP_SECULAR_ROOTS}: ex.secular_roots(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]); break;
      case ${OP_SECULAR_WEIGHTS}: ex.secular_weights(a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
      case ${OP_SECULAR_NORMALIZE}: ex.secular_normalize(a[0], a[1], a[2], a[3], a[4]); break;
      default: break;
    }
  } catch (e) {
    Atomics.store(ctl, ${ERR}, 1);
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
}

/** A started worker and its control block. */
interface PoolWorker {
  readonly worker: WorkerLike;
  readonly ctl: Int32Array;
}

/**
 * Helper threads for the kernels: `size` workers besides the calling thread.
 *
 * @internal
 */
export interface EigenPool {
  /** Number of helper threads (the caller is one more). */
  readonly size: number;
  /** Starts command `op` with integer arguments on helper `i` (returns at once). */
  start(i: number, op: number, args: readonly number[]): void;
  /** Waits for helper `i`'s current command; throws if it failed. */
  wait(i: number): void;
}

let pool: EigenPool | null | undefined;
let poolModule: object | undefined;

/**
 * The process-wide pool for `threads` threads in all (threads − 1 helpers), created on first use
 * and grown on request; null where worker threads or shared memory are unavailable, or when a
 * helper does not start within 10 s (the callers then run single-threaded).
 *
 * @internal
 */
export function eigenPool(module: object, memory: object, threads: number): EigenPool | null {
  const want = Math.max(0, Math.floor(threads) - 1);
  if (want === 0) return null;
  if (pool === null) return null;
  if (pool && poolModule === module && pool.size >= want) return limited(pool, want);
  try {
    const req = createRequire(import.meta.url);
    const { Worker } = req('node:worker_threads') as {
      Worker: new (src: string, opts: object) => WorkerLike;
    };
    const workers: PoolWorker[] = [];
    for (let i = 0; i < want; i++) {
      const ctl = new Int32Array(new SharedArrayBuffer(16 * 4));
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ctl: ctl.buffer, module, memory },
      });
      worker.unref();
      workers.push({ worker, ctl });
    }
    for (const w of workers) {
      if (Atomics.wait(w.ctl, READY, 0, 10_000) === 'timed-out' && Atomics.load(w.ctl, READY) !== 1) {
        for (const x of workers) void x.worker.terminate();
        pool = null;
        return null;
      }
    }
    pool = {
      size: workers.length,
      start(i, op, args) {
        const { ctl } = workers[i];
        ctl[OP] = op;
        for (let j = 0; j < args.length; j++) ctl[ARGS + j] = args[j];
        Atomics.add(ctl, SEQ, 1);
        Atomics.notify(ctl, SEQ);
      },
      wait(i) {
        const { ctl } = workers[i];
        const target = Atomics.load(ctl, SEQ);
        for (let s = 0; s < SPINS && Atomics.load(ctl, DONE) !== target; s++);
        for (;;) {
          const done = Atomics.load(ctl, DONE);
          if (done === target) break;
          Atomics.wait(ctl, DONE, done);
        }
        if (Atomics.exchange(ctl, ERR, 0) !== 0)
          throw new Error(`eigen_pool: helper thread ${i} failed in a kernel (opcode ${ctl[OP]})`);
      },
    };
    poolModule = module;
    return limited(pool, want);
  } catch {
    pool = null;
    return null;
  }
}

function limited(p: EigenPool, size: number): EigenPool {
  return size === p.size ? p : { size, start: p.start, wait: p.wait };
}

/** Default thread count: the machine's available parallelism, at most 8. @internal */
export function defaultThreads(): number {
  try {
    const os = createRequire(import.meta.url)('node:os') as {
      availableParallelism?: () => number;
      cpus: () => unknown[];
    };
    return Math.max(1, Math.min(8, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  } catch {
    return 1;
  }
}
