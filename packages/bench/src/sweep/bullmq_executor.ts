/**
 * The `bullmq` sweep executor: enqueues each job on a BullMQ queue in Redis under its run id and
 * waits for `mamba-cl worker` processes (on this or other machines, sharing `--out`) to finish
 * them. Resubmitting is idempotent: a job already waiting or running is left alone, one complete on
 * disk is skipped, one that ended (completed or failed) but is not complete on disk is queued
 * again. Stopping the submitter (Ctrl-C) stops waiting only; the workers carry on.
 *
 * @module
 */

import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectQueue, DEFAULT_QUEUE_NAME } from './queue_connection.js';
import { attemptsStarted, readRunState } from './run_job.js';
import { countProgress, type SweepExecutor, type SweepHooks, type SweepJobResult } from './sweep_executor.js';
import type { SweepRun } from './sweep_run.js';

/**
 * The data of one queued job.
 *
 * @category Sweeps
 */
export interface SweepJobData {
  readonly run: SweepRun;
  /** The shared output folder (absolute). */
  readonly out: string;
}

/**
 * Options of {@link bullmqExecutor}.
 *
 * @category Sweeps
 */
export interface BullmqExecutorOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** Queue name (default `mamba-cl-sweep`). */
  readonly queueName?: string;
  /** Attempts per job for failures that a retry may fix (default 3); exit-code-2 failures never retry. */
  readonly attempts?: number;
  /** How often job states are polled, ms (default 1000). */
  readonly pollMs?: number;
}

/**
 * An executor that distributes the sweep through BullMQ.
 *
 * @param options - Redis URL, queue name, attempts
 * @returns the executor
 * @example
 * const results = await bullmqExecutor({ url: 'redis://127.0.0.1:6379' }).execute(runs, '/shared/sweeps/a');
 * @category Sweeps
 */
export function bullmqExecutor(options: BullmqExecutorOptions): SweepExecutor {
  return {
    name: 'bullmq',
    async execute(
      runs: readonly SweepRun[],
      out: string,
      hooks: SweepHooks = {},
      signal?: AbortSignal,
    ): Promise<SweepJobResult[]> {
      const connection: Redis = await connectQueue(options.url);
      const queue = new Queue<SweepJobData>(options.queueName ?? DEFAULT_QUEUE_NAME, { connection });
      try {
        // Runs complete on disk are skipped; the others are (re)queued unless already waiting or running.
        const final: (SweepJobResult | undefined)[] = runs.map(() => undefined);
        for (const [i, run] of runs.entries()) {
          const disk = readRunState(join(out, run.dirName));
          if (disk.status === 'complete') {
            final[i] = { run, status: 'skipped', folder: disk.folder };
            continue;
          }
          const existing = await queue.getJob(run.id);
          if (existing) {
            const state = await existing.getState();
            if (state !== 'completed' && state !== 'failed') continue; // waiting, active, delayed
            await existing.remove();
          }
          await queue.add(
            'run',
            { run, out },
            {
              jobId: run.id,
              attempts: options.attempts ?? 3,
              backoff: { type: 'fixed', delay: 1000 },
              removeOnComplete: false,
              removeOnFail: false,
            },
          );
        }
        for (const r of final) if (r) hooks.onJob?.(r);
        let last = '';
        while (true) {
          const states = await Promise.all(
            runs.map(async (run, i): Promise<'done' | 'running' | 'failed' | 'queued'> => {
              const f = final[i];
              if (f) return f.status === 'failed' ? 'failed' : 'done';
              const job = await queue.getJob(run.id);
              const state = job ? await job.getState() : 'unknown';
              if (job && (state === 'completed' || state === 'failed')) {
                const jobDir = join(out, run.dirName);
                const disk = readRunState(jobDir);
                const attempts = attemptsStarted(jobDir);
                const r: SweepJobResult =
                  state === 'completed' && disk.status === 'complete'
                    ? { run, status: 'complete', folder: disk.folder, attempts }
                    : { run, status: 'failed', folder: disk.folder, error: job.failedReason, attempts };
                final[i] = r;
                hooks.onJob?.(r);
                return r.status === 'failed' ? 'failed' : 'done';
              }
              return state === 'active' ? 'running' : 'queued';
            }),
          );
          const p = countProgress(states);
          const key = JSON.stringify(p);
          if (key !== last) {
            last = key;
            hooks.onProgress?.(p);
          }
          if (p.done + p.failed === p.total || signal?.aborted) break;
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(t);
              resolve();
            };
            const t = setTimeout(() => {
              signal?.removeEventListener('abort', wake);
              resolve();
            }, options.pollMs ?? 1000);
            signal?.addEventListener('abort', wake, { once: true });
          });
        }
        return runs.map((run, i) => final[i] ?? { run, status: 'pending' });
      } finally {
        await queue.close();
        connection.disconnect();
      }
    },
  };
}
