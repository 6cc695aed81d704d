/**
 * The contract every sweep executor honours: given the expanded runs and the shared output folder,
 * run each job exactly once to completion (skipping those already complete on disk), report
 * progress, and return one result per run. `local` runs a process pool on this machine; `bullmq`
 * hands the jobs to `mamba-cl worker` processes on any number of machines through Redis.
 *
 * @module
 */
import type { SweepRun } from './sweep_run.js';

/**
 * Counts of a sweep's jobs at one moment.
 *
 * @category Sweeps
 */
export interface SweepProgress {
  readonly total: number;
  /** Completed now or found complete on disk. */
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly queued: number;
}

/**
 * How one job of a sweep ended (or where it stands when the executor stopped waiting).
 *
 * @category Sweeps
 */
export interface SweepJobResult {
  readonly run: SweepRun;
  /** `pending`: still queued or running elsewhere when the executor stopped waiting (Ctrl-C). */
  readonly status: 'complete' | 'skipped' | 'failed' | 'pending';
  /** The run folder holding results.json. */
  readonly folder?: string;
  readonly error?: string;
  /** Attempts made (a job resumed after a lost worker counts 2). */
  readonly attempts?: number;
}

/**
 * Callbacks of an executor.
 *
 * @category Sweeps
 */
export interface SweepHooks {
  /** Called whenever a count changes. */
  readonly onProgress?: (progress: SweepProgress) => void;
  /** Called when a job ends. */
  readonly onJob?: (result: SweepJobResult) => void;
}

/**
 * A way to execute the runs of a sweep.
 *
 * @category Sweeps
 */
export interface SweepExecutor {
  /** `local` or `bullmq`. */
  readonly name: string;
  /**
   * Runs (or enqueues and waits for) every run.
   *
   * @param runs - the expanded sweep
   * @param out - the shared output folder; job `r` lives in `<out>/<r.dirName>`
   * @param hooks - progress callbacks
   * @param signal - aborting stops waiting (local: stops the children, which keep their checkpoints)
   * @returns one result per run, in the order of `runs`
   */
  execute(
    runs: readonly SweepRun[],
    out: string,
    hooks?: SweepHooks,
    signal?: AbortSignal,
  ): Promise<SweepJobResult[]>;
}

/**
 * Counts the jobs of a sweep by state.
 *
 * @param states - one state per job
 * @returns the counts
 * @category Sweeps
 */
export function countProgress(states: readonly ('done' | 'running' | 'failed' | 'queued')[]): SweepProgress {
  const n = (s: string) => states.filter((x) => x === s).length;
  return {
    total: states.length,
    done: n('done'),
    running: n('running'),
    failed: n('failed'),
    queued: n('queued'),
  };
}

/**
 * One line for a progress count: `sweep: 3/12 done · 2 running · 0 failed · 7 queued`.
 *
 * @param p - the counts
 * @returns the line
 * @category Sweeps
 */
export function progressLine(p: SweepProgress): string {
  return `sweep: ${p.done}/${p.total} done · ${p.running} running · ${p.failed} failed · ${p.queued} queued`;
}
