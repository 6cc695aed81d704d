import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../cli/cli_error.js';
import { acquireRunLock, RUN_LOCK_FILE } from './run_lock.js';

/** A PID that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('run folder lock', () => {
  it('holds PID and host, refuses a second holder with a clear error, and is released', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'lock-'));
    const lock = acquireRunLock(dir);
    const info = JSON.parse(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    let err: unknown;
    try {
      acquireRunLock(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toBe(
      `${dir} is in use by process ${process.pid} on ${os.hostname()}, started ${info.startedAt} (${join(dir, RUN_LOCK_FILE)})`,
    );
    lock.release();
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
    acquireRunLock(dir).release();
  });

  it('replaces a stale lock (its process is gone) and respects a live one of another process', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'lock-'));
    const lockPath = join(dir, RUN_LOCK_FILE);
    const stale = { pid: deadPid(), hostname: os.hostname(), startedAt: 'then', token: 'x' };
    writeFileSync(lockPath, JSON.stringify(stale));
    const lock = acquireRunLock(dir);
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    lock.release();
    // the parent of this test process is alive
    writeFileSync(lockPath, JSON.stringify({ ...stale, pid: process.ppid }));
    expect(() => acquireRunLock(dir)).toThrow(/is in use by process \d+ on/);
    // another host: cannot be checked, so it is respected and the message says how to clear it
    writeFileSync(lockPath, JSON.stringify({ ...stale, hostname: 'elsewhere' }));
    expect(() => acquireRunLock(dir)).toThrow(CliError);
    // a lock left by an earlier call of this process that did not release it (it threw) is stale
    writeFileSync(lockPath, JSON.stringify({ ...stale, pid: process.pid }));
    acquireRunLock(dir).release();
    // an unreadable lock file is stale
    writeFileSync(lockPath, '{"pid":');
    acquireRunLock(dir).release();
  });
});
