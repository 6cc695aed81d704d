/**
 * Running one sweep job: one `mamba-cl run` in a child process, in the run's own folder under the
 * sweep's `--out`. The folder is the job's whole state: a completed run is skipped, a started one is
 * resumed from its checkpoint (`run --resume`), a new one starts fresh. Every attempt is appended to
 * `attempts.jsonl` in that folder, and the child's output to `job.log`.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunResults } from '../report/run_results.js';
import { RUN_FILES } from '../run/run_folder.js';
import { RUN_LOCK_FILE } from '../run/run_lock.js';
import type { SweepRun } from './sweep_run.js';

/**
 * How a job's child process is started: `command args… run <run argv>`.
 *
 * @category Sweeps
 */
export interface JobCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The command that runs a job with this installation of the CLI: `node <dist>/sweep/job_child.js`,
 * or, when running from TypeScript sources (tests, `tsx`), `node --conditions=@mamba-cl/source
 * --import tsx <src>/sweep/job_child.ts`.
 *
 * @returns the command
 * @category Sweeps
 */
export function defaultJobCommand(): JobCommand {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return {
      command: process.execPath,
      args: [
        '--conditions=@mamba-cl/source',
        '--import',
        pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
        join(here, '..', 'job_child.ts'),
      ],
    };
  }
  return { command: process.execPath, args: [join(here, '..', 'job_child.js')] };
}

/**
 * Where a job stands on disk.
 *
 * @category Sweeps
 */
export interface RunState {
  /** `absent`: nothing started; `partial`: a run folder exists but has not completed; `complete`. */
  readonly status: 'absent' | 'partial' | 'complete';
  /** The `mamba-cl run` folder inside the job's folder (the one holding `manifest.json`). */
  readonly folder?: string;
  /** Its results, where readable. */
  readonly results?: RunResults;
}

/**
 * Reads the state of a job's folder: the newest run folder inside it that has a `manifest.json`,
 * and whether its `results.json` says complete.
 *
 * @param jobDir - the job's folder (`<out>/<run.dirName>`)
 * @returns the state
 * @category Sweeps
 */
export function readRunState(jobDir: string): RunState {
  if (!existsSync(jobDir)) return { status: 'absent' };
  const folders = readdirSync(jobDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(jobDir, e.name, RUN_FILES.manifest)))
    .map((e) => e.name)
    .sort();
  if (folders.length === 0) return { status: 'absent' };
  const folder = join(jobDir, folders[folders.length - 1]);
  let results: RunResults | undefined;
  try {
    results = JSON.parse(readFileSync(join(folder, RUN_FILES.results), 'utf8')) as RunResults;
  } catch {
    results = undefined;
  }
  return { status: results?.status === 'complete' ? 'complete' : 'partial', folder, results };
}

/**
 * What one attempt at a job ended with.
 *
 * @category Sweeps
 */
export interface JobOutcome {
  /** `skipped`: already complete on disk; `complete`; `failed`: the run exited non-zero or was killed. */
  readonly status: 'skipped' | 'complete' | 'failed';
  /** `fresh` start, `resume` of a started run folder, or `skip`. */
  readonly mode: 'fresh' | 'resume' | 'skip';
  /** Exit code of the child (2: a usage or input error, which retrying cannot fix). */
  readonly exitCode: number | null;
  /** Signal that ended the child, if any. */
  readonly signal?: string;
  /** The run folder (inside the job's folder), once one exists. */
  readonly folder?: string;
  /** The child's last `error:` line(s), for a failed attempt. */
  readonly error?: string;
  readonly seconds: number;
}

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** How to start the child (default {@link defaultJobCommand}). */
  readonly command?: JobCommand;
  /** Who runs it, recorded in attempts.jsonl (default `local`). */
  readonly worker?: string;
  /** Extra `run` flags for this machine only (`--backend`, `--grad-workers`); they never change the id. */
  readonly machineFlags?: readonly string[];
  /** Aborting kills the child (SIGTERM). */
  readonly signal?: AbortSignal;
  /**
   * Remove a `run.lock` left by another host before resuming (default false). The queue worker sets
   * it: BullMQ hands a job out only once its previous holder's lock in Redis has expired, so a run
   * lock of another machine is that lost worker's; one of this host is checked by its PID.
   */
  readonly takeOverLock?: boolean;
}

/**
 * How many attempts at a job have started, from its `attempts.jsonl` (a worker that died mid-run
 * leaves a start without an end).
 *
 * @param jobDir - the job's folder
 * @returns the number of recorded starts
 * @category Sweeps
 */
export function attemptsStarted(jobDir: string): number {
  const p = join(jobDir, 'attempts.jsonl');
  if (!existsSync(p)) return 0;
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"start"')).length;
}

/** The last `error:` line of a log and the hint after it. */
function lastError(log: string): string | undefined {
  const lines = log.split('\n');
  let i = lines.length - 1;
  while (i >= 0 && !lines[i].startsWith('error:')) i--;
  if (i < 0) {
    // A strategy that failed inside a run that otherwise ended: "  <strategy> failed: <why>".
    const failed = lines.filter((l) => /^\s+\S+ failed: /.test(l));
    return failed.length ? failed.map((l) => l.trim()).join('; ') : undefined;
  }
  return lines
    .slice(i, i + 2)
    .filter((l) => l.trim())
    .join(' — ');
}

/**
 * Runs one job to its end in a child process: skips it when its folder holds a complete run,
 * resumes a started run folder from its checkpoint, otherwise starts `mamba-cl run <argv> --out
 * <jobDir>`.
 *
 * @param run - the job
 * @param out - the sweep's output folder (shared by every machine of the sweep)
 * @param options - child command, identity, abort signal
 * @returns the outcome of this attempt
 * @category Sweeps
 */
export async function runJob(run: SweepRun, out: string, options: RunJobOptions = {}): Promise<JobOutcome> {
  const t0 = performance.now();
  const jobDir = join(out, run.dirName);
  const before = readRunState(jobDir);
  if (before.status === 'complete') {
    return { status: 'skipped', mode: 'skip', exitCode: 0, folder: before.folder, seconds: 0 };
  }
  mkdirSync(jobDir, { recursive: true });
  const mode = before.status === 'partial' ? 'resume' : 'fresh';
  const machine = [...(options.machineFlags ?? [])];
  const argv =
    mode === 'resume'
      ? ['run', '--resume', before.folder as string, '--no-progress', ...machine]
      : ['run', ...run.argv, '--out', jobDir, '--no-progress', ...machine];
  const record = (entry: object) =>
    appendFileSync(
      join(jobDir, 'attempts.jsonl'),
      `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`,
    );
  const who = {
    id: run.id,
    worker: options.worker ?? 'local',
    host: hostname(),
    pid: process.pid,
    attempt: attemptsStarted(jobDir) + 1,
  };
  record({ event: 'start', ...who, mode });
  if (options.takeOverLock && before.folder) {
    const lock = join(before.folder, RUN_LOCK_FILE);
    try {
      const holder = JSON.parse(readFileSync(lock, 'utf8')) as { hostname?: string; pid?: number };
      if (holder.hostname !== undefined && holder.hostname !== hostname()) {
        rmSync(lock, { force: true });
        record({ event: 'lock-taken-over', ...who, from: `${holder.hostname}:${holder.pid}` });
      }
    } catch {
      // no lock, or an unreadable one (the run replaces that itself)
    }
  }
  const cmd = options.command ?? defaultJobCommand();
  const logPath = join(jobDir, 'job.log');
  const logStart = existsSync(logPath) ? statSync(logPath).size : 0;
  const logFd = openSync(logPath, 'a');
  let exitCode: number | null = null;
  let signal: string | undefined;
  try {
    const child = spawn(cmd.command, [...cmd.args, ...argv], {
      stdio: ['ignore', logFd, logFd, 'ipc'],
      env: { ...process.env, MAMBA_CL_SWEEP_JOB: run.id },
    });
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    [exitCode, signal] = await new Promise<[number | null, string | undefined]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, sig) => resolve([code, sig ?? undefined]));
    });
    options.signal?.removeEventListener('abort', onAbort);
  } finally {
    closeSync(logFd);
  }
  const after = readRunState(jobDir);
  const seconds = (performance.now() - t0) / 1000;
  const ok = exitCode === 0 && after.status === 'complete';
  const error = ok
    ? undefined
    : (lastError(readFileSync(logPath, 'utf8').slice(logStart)) ??
      (signal ? `killed by ${signal}` : `exit code ${exitCode}`));
  record({
    event: 'end',
    ...who,
    mode,
    exitCode,
    signal,
    status: ok ? 'complete' : 'failed',
    error,
    seconds,
  });
  return {
    status: ok ? 'complete' : 'failed',
    mode,
    exitCode,
    signal,
    folder: after.folder,
    error,
    seconds,
  };
}
