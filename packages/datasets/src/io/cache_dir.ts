import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The directory where converted datasets are cached: `options.cacheDir`, else `$MAMBA_CL_CACHE_DIR`,
 * else `$XDG_CACHE_HOME/mamba-cl`, else `~/.cache/mamba-cl`.
 *
 * @param cacheDir - explicit directory (wins)
 * @returns an absolute or relative directory path
 * @example
 * defaultCacheDir(); // '/home/me/.cache/mamba-cl'
 * @category IO
 */
export function defaultCacheDir(cacheDir?: string): string {
  if (cacheDir) return cacheDir;
  if (process.env.MAMBA_CL_CACHE_DIR) return process.env.MAMBA_CL_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'mamba-cl');
  return join(homedir(), '.cache', 'mamba-cl');
}
