/**
 * Atomic file writes for the run folder and the caches: the bytes go to a temporary file in the
 * same folder, are fsync'ed, and the temporary file is renamed over the target (then the folder is
 * fsync'ed), exactly as `writeCheckpointFile` does. A kill at any moment leaves the old file or
 * the new one, never a truncated one.
 *
 * **Why a helper and not `write-file-atomic`**: the npm package does the same steps (plus
 * chown/mode copying and an async queue we do not need); these ~20 lines keep the bench free of a
 * dependency and match the checkpoint writer's behaviour.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * Writes `data` to `path` atomically (temp file in the same folder + fsync + rename + folder fsync).
 *
 * @param path - the target file (its folder must exist)
 * @param data - text (UTF-8) or bytes
 * @example
 * writeFileAtomic('runs/a/results.json', `${JSON.stringify(results, null, 2)}\n`);
 * @category Runs
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter++}`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some filesystems refuse fsync on folders; the rename is atomic all the same
  }
}
