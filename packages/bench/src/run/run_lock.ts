/**
 * The lock of a run folder: `run.lock` holds the PID, host and start time of the process that runs
 * or resumes it, so that two processes never train into one folder at once.
 *
 * **Details**
 * The lock file is written whole to a temporary name and hard-linked to `run.lock` (the link fails
 * if one exists: creation is atomic and the content is never half-written). A lock is stale when its
 * process is gone: same host and `kill(pid, 0)` says no such process (or, in this very process, no
 * live holder has its token, e.g. an earlier call that threw); a stale lock is replaced. A lock of
 * another host cannot be checked and is respected, with a message saying how to clear it.
 *
 * **Why a helper and not `proper-lockfile`**: that library detects staleness by mtime (a holder
 * must keep touching the lock) and records no PID; we need the PID and host in the file for the
 * message and a liveness check that works after `kill -9` without a refresh timer.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli/cli_error.js';

/** File name of the lock inside a run folder. @category Runs */
export const RUN_LOCK_FILE = 'run.lock';

/** What a lock file holds. @category Runs */
export interface RunLockInfo {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  /** Random id of the holder (tells apart two holders in one process). */
  readonly token: string;
}

/** A held lock. @category Runs */
export interface RunLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock (if it is still ours); idempotent. */
  release(): void;
}

/** Tokens of the locks this process holds, by lock path. */
const held = new Map<string, string>();
let exitHook = false;

function readLock(path: string): RunLockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunLockInfo>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.token === 'string') {
      return v as RunLockInfo;
    }
  } catch {
    // unreadable or not JSON: treated as stale below
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

/** Whether a lock's holder is gone; `undefined` when that cannot be known (another host). */
function isStale(info: RunLockInfo | undefined): boolean | undefined {
  if (info === undefined) return true;
  if (info.hostname !== os.hostname()) return undefined;
  if (info.pid === process.pid) return ![...held.values()].includes(info.token);
  return !processAlive(info.pid);
}

/**
 * Takes the lock of a run folder.
 *
 * @param dir - the run folder (must exist)
 * @returns the lock; call `release()` when the run ends (a crash leaves a stale lock, replaced later)
 * @throws {@link CliError} when another live process holds it, naming its PID, host and start time
 * @example
 * const lock = acquireRunLock('runs/default-s2024-20260101T000000');
 * try { … } finally { lock.release(); }
 * @category Runs
 */
export function acquireRunLock(dir: string): RunLock {
  const path = join(dir, RUN_LOCK_FILE);
  const info: RunLockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const tmp = join(dir, `.${RUN_LOCK_FILE}.${process.pid}-${info.token}`);
  writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw err;
      }
      const other = readLock(path);
      const stale = isStale(other);
      if (stale === true) {
        rmSync(path, { force: true });
        continue;
      }
      const who = other
        ? `process ${other.pid} on ${other.hostname}, started ${other.startedAt}`
        : 'another process';
      throw new CliError(
        `${dir} is in use by ${who} (${path})`,
        stale === undefined
          ? `wait for that run to end; if it no longer runs on ${other?.hostname}, delete ${path} and try again`
          : `wait for that run to end, or stop process ${other?.pid} first; two runs must not write one run folder`,
      );
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  held.set(path, info.token);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const [p, token] of held) if (readLock(p)?.token === token) rmSync(p, { force: true });
    });
  }
  return {
    path,
    release: () => {
      if (held.get(path) !== info.token) return;
      held.delete(path);
      if (readLock(path)?.token === info.token) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}
