// packages/nullspace/src of a git commit, extracted with `git archive` into the package's
// node_modules/.cache (ignored by git, and inside the package so that its dependencies resolve), for
// the before/after benchmarks.
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports `file` (a path under packages/nullspace/src) as it is at `commit`.
 *
 * @returns the module and a function that removes the extracted sources
 */
export async function importAtCommit<M>(
  commit: string,
  file: string,
): Promise<{ module: M; remove: () => void }> {
  const root = execSync('git rev-parse --show-toplevel').toString().trim();
  const cache = join(root, 'packages/nullspace/node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'at-commit-'));
  execSync(`git archive ${commit} packages/nullspace/src | tar -x -C ${dir}`, { cwd: root });
  const module = (await import(pathToFileURL(join(dir, 'packages/nullspace/src', file)).href)) as M;
  return { module, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
