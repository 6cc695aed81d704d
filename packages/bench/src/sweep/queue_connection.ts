/**
 * The Redis connection of the `bullmq` executor and of `mamba-cl worker`, from a `redis://` URL.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { CliError } from '../cli/cli_error.js';

/** Queue name every sweep uses unless `--queue-name` says otherwise. */
export const DEFAULT_QUEUE_NAME = 'mamba-cl-sweep';

/**
 * Checks a `--queue` URL: `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS).
 *
 * @param url - the flag's value
 * @returns the URL, unchanged
 * @throws {@link CliError} naming what is wrong
 * @category Sweeps
 */
export function checkQueueUrl(url: string | undefined): string {
  if (url === undefined || url === '') {
    throw new CliError('--queue is required with the bullmq executor', 'e.g. --queue redis://127.0.0.1:6379');
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`--queue ${url}: not a URL`, 'e.g. --queue redis://127.0.0.1:6379');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new CliError(
      `--queue ${url}: expected a redis:// or rediss:// URL`,
      'e.g. --queue redis://host:6379/0',
    );
  }
  return url;
}

/**
 * Opens a connection suitable for BullMQ (`maxRetriesPerRequest: null`) and checks that Redis
 * answers within `timeoutMs`.
 *
 * @param url - a `redis://` URL (see {@link checkQueueUrl})
 * @param timeoutMs - how long to wait for the first answer (default 5000)
 * @returns the connected client (the caller closes it)
 * @throws {@link CliError} when Redis cannot be reached
 * @category Sweeps
 */
export async function connectQueue(url: string, timeoutMs = 5000): Promise<Redis> {
  checkQueueUrl(url);
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', () => {
    // ioredis reconnects on its own; the first failure is reported below, later ones by BullMQ.
  });
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new CliError(
      `--queue ${url}: cannot reach Redis (${err instanceof Error ? err.message : String(err)})`,
      'start redis-server there, or pass the right host and port',
    );
  }
  return redis;
}
