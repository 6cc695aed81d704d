import type { Worker } from 'node:worker_threads';
import { DataParallelWorkerError } from './data_parallel_worker_error.js';
import type {
  FromWorkerMessage,
  InitMessage,
  ResultMessage,
  StepMessage,
  SyncMessage,
} from './gradient_worker_messages.js';
import { spawnGradientWorker } from './spawn_gradient_worker.js';

/** Key of the pending `init` request (init carries no id). */
const INIT = -1;

interface Pending {
  readonly phase: 'start' | 'sync' | 'step';
  readonly resolve: (m: FromWorkerMessage) => void;
  readonly reject: (e: Error) => void;
}

/**
 * The main thread's side of one gradient worker: request/reply by id over its message port.
 *
 * **Details**
 * Replies are matched to requests by id, so requests may overlap (the worker answers in order).
 * The thread is referenced only while a request is pending: a program that forgets `close()` still
 * exits. When the worker throws outside a request or exits, every pending request and every later
 * one rejects with a {@link DataParallelWorkerError}.
 *
 * @internal
 */
export class GradientWorkerHandle {
  /** 0-based worker index (the worker computes shard index + 1). */
  readonly index: number;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Why the worker is unusable (it threw outside a request, exited, or was closed). */
  private failure: { message: string; stack: string | undefined } | undefined;
  private closing = false;
  private hasExited = false;
  private readonly exited: Promise<void>;

  private constructor(index: number, worker: Worker) {
    this.index = index;
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: FromWorkerMessage) => this.onMessage(m));
    worker.on('error', (err: Error) => this.fail(err.message, err.stack));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.hasExited = true;
        if (!this.closing) this.fail(`the thread exited with code ${code}`);
        resolve();
      });
    });
  }

  /** Whether the thread is still running (false once it exited). */
  get running(): boolean {
    return !this.hasExited;
  }

  /**
   * Spawns a worker and builds its replica.
   *
   * @param index - 0-based worker index
   * @param init - backend, config and every parameter (cloned, not transferred)
   * @returns the handle once the worker reported `ready`
   * @throws {@link DataParallelWorkerError} (phase `'start'`) when the worker could not start
   */
  static async start(index: number, init: InitMessage): Promise<GradientWorkerHandle> {
    let worker: Worker;
    try {
      worker = spawnGradientWorker();
    } catch (err) {
      throw new DataParallelWorkerError(index, 'start', err instanceof Error ? err.message : String(err));
    }
    const handle = new GradientWorkerHandle(index, worker);
    try {
      await handle.request(INIT, 'start', init);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return handle;
  }

  /**
   * Overwrites parameters of the replica.
   *
   * @param message - the sync request without its id
   * @param transfer - buffers to transfer
   * @returns once the worker applied it
   */
  async sync(message: Omit<SyncMessage, 'id'>, transfer: ArrayBuffer[]): Promise<void> {
    const id = this.nextId++;
    await this.request(id, 'sync', { ...message, id }, transfer);
  }

  /**
   * Computes one shard on the worker.
   *
   * @param message - the step request without its id
   * @param transfer - buffers to transfer
   * @returns the shard's loss share and gradients
   */
  async step(message: Omit<StepMessage, 'id'>, transfer: ArrayBuffer[]): Promise<ResultMessage> {
    const id = this.nextId++;
    return (await this.request(id, 'step', { ...message, id }, transfer)) as ResultMessage;
  }

  /**
   * Asks the worker to free its replica and exit; terminates it if it has not exited after
   * `graceMs`. Idempotent.
   *
   * @param graceMs - how long to wait for a clean exit (default 2000)
   * @returns once the thread has exited
   */
  async close(graceMs = 2000): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.fail('the classifier was disposed');
      try {
        this.worker.postMessage({ type: 'dispose' });
      } catch {
        // the thread is already gone
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const r = await Promise.race([this.exited.then(() => 'exited' as const), timeout]);
      clearTimeout(timer);
      if (r === 'timeout') await this.worker.terminate();
    }
    await this.exited;
  }

  private request(
    id: number,
    phase: Pending['phase'],
    message: InitMessage | SyncMessage | StepMessage,
    transfer: ArrayBuffer[] = [],
  ): Promise<FromWorkerMessage> {
    if (this.failure !== undefined) {
      const { message: why, stack } = this.failure;
      return Promise.reject(new DataParallelWorkerError(this.index, phase, why, stack));
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { phase, resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage(message, transfer);
      } catch (err) {
        this.settle(id);
        reject(
          new DataParallelWorkerError(this.index, phase, err instanceof Error ? err.message : String(err)),
        );
      }
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (p === undefined) return undefined;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return p;
  }

  private onMessage(m: FromWorkerMessage): void {
    const id = m.type === 'ready' ? INIT : (m.id ?? INIT);
    const p = this.settle(id);
    if (p === undefined) return;
    if (m.type === 'error') p.reject(new DataParallelWorkerError(this.index, p.phase, m.message, m.stack));
    else p.resolve(m);
  }

  private fail(message: string, stack?: string): void {
    this.failure ??= { message, stack };
    for (const id of [...this.pending.keys()]) {
      const p = this.settle(id)!;
      p.reject(new DataParallelWorkerError(this.index, p.phase, message, stack));
    }
  }
}
