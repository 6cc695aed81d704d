/**
 * The `local` sweep executor: a pool of `--parallel N` child processes on this machine, each running
 * one job at a time (p-limit bounds the concurrency).
 *
 * @module
 */
import pLimit from 'p-limit';
import { type JobCommand, runJob } from './run_job.js';
import { countProgress, type SweepExecutor, type SweepHooks, type SweepJobResult } from './sweep_executor.js';
import type { SweepRun } from './sweep_run.js';

/**
 * Options of {@link localExecutor}.
 *
 * @category Sweeps
 */
export interface LocalExecutorOptions {
  /** Jobs at once (default 1). */
  readonly parallel?: number;
  /** Child command (default: this CLI). */
  readonly command?: JobCommand;
  /** `run` flags for this machine only (`--backend`, `--grad-workers`). */
  readonly machineFlags?: readonly string[];
}

/**
 * A process pool that runs a sweep's jobs on this machine.
 *
 * @param options - pool size and child command
 * @returns the executor
 * @example
 * const results = await localExecutor({ parallel: 2 }).execute(runs, 'sweeps/a');
 * @category Sweeps
 */
export function localExecutor(options: LocalExecutorOptions = {}): SweepExecutor {
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new RangeError(`localExecutor: parallel must be a positive integer, got ${parallel}`);
  }
  return {
    name: 'local',
    async execute(
      runs: readonly SweepRun[],
      out: string,
      hooks: SweepHooks = {},
      signal?: AbortSignal,
    ): Promise<SweepJobResult[]> {
      const limit = pLimit(parallel);
      const states = runs.map(() => 'queued' as 'done' | 'running' | 'failed' | 'queued');
      const report = () => hooks.onProgress?.(countProgress(states));
      report();
      return Promise.all(
        runs.map((run, i) =>
          limit(async (): Promise<SweepJobResult> => {
            if (signal?.aborted) return { run, status: 'pending' };
            states[i] = 'running';
            report();
            const o = await runJob(run, out, {
              command: options.command,
              machineFlags: options.machineFlags,
              signal,
            });
            const result: SweepJobResult =
              o.status === 'failed' && signal?.aborted
                ? { run, status: 'pending', folder: o.folder }
                : { run, status: o.status, folder: o.folder, error: o.error, attempts: 1 };
            states[i] =
              result.status === 'failed' ? 'failed' : result.status === 'pending' ? 'queued' : 'done';
            hooks.onJob?.(result);
            report();
            return result;
          }),
        ),
      );
    },
  };
}
