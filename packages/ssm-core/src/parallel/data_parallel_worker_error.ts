/**
 * A gradient worker of a {@link DataParallelClassifier} failed: it could not start, threw while
 * handling a request, or exited.
 *
 * **Details**
 * The message names the worker (index from 0; worker i computes shard i + 1, the main thread
 * shard 0), what it was doing, and the worker's own message. `workerStack` holds the stack
 * trace from inside the worker when there is one.
 *
 * @example
 * try { await dp.lossAndGrads(images, targets, head, names); }
 * catch (e) { if (e instanceof DataParallelWorkerError) console.error(e.workerIndex, e.workerStack); }
 * @category Parallel
 */
export class DataParallelWorkerError extends Error {
  override readonly name = 'DataParallelWorkerError';
  /** Which worker failed (0-based; it computes shard `workerIndex + 1`). */
  readonly workerIndex: number;
  /** The request that failed: `'start'` (spawn and replica), `'sync'` or `'step'`. */
  readonly phase: 'start' | 'sync' | 'step';
  /** Stack trace from inside the worker, when it sent one. */
  readonly workerStack: string | undefined;

  /**
   * @param workerIndex - the failing worker (0-based)
   * @param phase - what it was doing
   * @param message - the worker's message
   * @param workerStack - the stack trace from inside the worker
   */
  constructor(
    workerIndex: number,
    phase: DataParallelWorkerError['phase'],
    message: string,
    workerStack?: string,
  ) {
    const doing = phase === 'start' ? 'failed to start' : `failed during ${phase}`;
    super(`DataParallelClassifier: worker ${workerIndex} (shard ${workerIndex + 1}) ${doing}: ${message}`);
    this.workerIndex = workerIndex;
    this.phase = phase;
    this.workerStack = workerStack;
  }
}
