/**
 * `mamba-cl worker`: takes sweep jobs from the BullMQ queue and runs each in a child process
 * ({@link runJob}). Crash safety comes from BullMQ's job locks: a worker renews the lock of each job
 * it holds every `lockMs / 2`; when the worker dies (kill -9, a lost machine) the lock expires, the
 * stalled-job check of any live worker moves the job back to the queue, and the next worker
 * resumes it from the checkpoint in its run folder. A run that exits with code 2 (a usage or input
 * error: bad data root, missing weights) fails at once without retries (`UnrecoverableError`).
 *
 * @module
 */
import { hostname } from 'node:os';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { SweepJobData } from './bullmq_executor.js';
import { connectQueue, DEFAULT_QUEUE_NAME } from './queue_connection.js';
import { type JobCommand, type JobOutcome, runJob } from './run_job.js';

/**
 * Options of {@link runSweepWorker}.
 *
 * @category Sweeps
 */
export interface SweepWorkerOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  readonly queueName?: string;
  /** Jobs this worker runs at once (default 1). */
  readonly concurrency?: number;
  /** Return once the queue has no waiting, delayed or active job left (default: run until stopped). */
  readonly untilIdle?: boolean;
  /** Job lock duration, ms (default 30000); a dead worker's job is taken over after about this long. */
  readonly lockMs?: number;
  /** `run` flags for this machine only (`--backend`, `--grad-workers`). */
  readonly machineFlags?: readonly string[];
  /** Child command (default: this CLI). */
  readonly command?: JobCommand;
  /** Log lines. */
  readonly log?: (line: string) => void;
  /** Aborting closes the worker after its running jobs (their children get SIGTERM and checkpoint). */
  readonly signal?: AbortSignal;
}

/**
 * Runs a sweep worker until stopped (or, with `untilIdle`, until the queue is empty).
 *
 * @param options - queue, concurrency, lock duration
 * @returns how many jobs this worker ended, by outcome
 * @category Sweeps
 */
export async function runSweepWorker(
  options: SweepWorkerOptions,
): Promise<{ complete: number; skipped: number; failed: number }> {
  const log = options.log ?? (() => {});
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const connection = await connectQueue(options.url);
  const probe = new Queue(name, { connection: connection.duplicate() });
  const me = `${hostname()}:${process.pid}`;
  const counts = { complete: 0, skipped: 0, failed: 0 };
  const lockMs = options.lockMs ?? 30_000;
  const jobs = new AbortController();
  const worker = new Worker<SweepJobData, JobOutcome>(
    name,
    async (job: Job<SweepJobData, JobOutcome>) => {
      const { run, out } = job.data;
      log(`worker ${me}: ${run.dirName} (attempt ${job.attemptsMade + 1})`);
      const o = await runJob(run, out, {
        worker: me,
        takeOverLock: true,
        machineFlags: options.machineFlags,
        command: options.command,
        signal: jobs.signal,
      });
      if (o.status === 'failed') {
        counts.failed++;
        const why = `${run.dirName}: ${o.error ?? 'failed'}`;
        log(`worker ${me}: ${why}`);
        if (o.exitCode === 2) throw new UnrecoverableError(why);
        throw new Error(why);
      }
      counts[o.status]++;
      log(`worker ${me}: ${run.dirName} ${o.status} (${o.mode}, ${o.seconds.toFixed(1)} s)`);
      return o;
    },
    {
      connection,
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 3,
    },
  );
  worker.on('error', (err) => log(`worker ${me}: ${err.message}`));
  const stop = new Promise<void>((resolve) => {
    options.signal?.addEventListener(
      'abort',
      () => {
        jobs.abort();
        resolve();
      },
      { once: true },
    );
  });
  if (options.untilIdle) {
    const idle = (async () => {
      let quiet = 0;
      while (!options.signal?.aborted) {
        await new Promise((r) => setTimeout(r, 500));
        const c = await probe.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const busy = Object.values(c).reduce((a, b) => a + b, 0);
        quiet = busy === 0 ? quiet + 1 : 0;
        if (quiet >= 3) return;
      }
    })();
    await Promise.race([idle, stop]);
  } else {
    await stop;
  }
  await worker.close();
  await probe.close();
  connection.disconnect();
  return counts;
}
