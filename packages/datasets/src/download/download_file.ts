/**
 * HTTP(S) download that is checksum-verified, resumable (HTTP Range) and atomic (temp + rename).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';

/**
 * Thrown when a download fails for good (HTTP error, too many retries, checksum mismatch).
 *
 * @category Download
 */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

/**
 * Progress of a download: bytes on disk so far and the total when the server said it.
 *
 * @category Download
 */
export type DownloadProgress = (received: number, total: number | undefined) => void;

/**
 * Options of {@link downloadFile}.
 *
 * @category Download
 */
export interface DownloadOptions {
  /** Expected SHA-256 (hex). */
  sha256?: string;
  /** Expected MD5 (hex), as published for CIFAR and ImageNet-R. */
  md5?: string;
  /** Called as bytes arrive. */
  onProgress?: DownloadProgress;
  /** Reconnections after a dropped connection (default 5); each resumes with a Range request. */
  retries?: number;
  /** Abort signal. */
  signal?: AbortSignal;
  /** Per-connection inactivity timeout in ms (default 60 000). */
  timeoutMs?: number;
}

/**
 * Hashes a file (streaming).
 *
 * @param path - the file
 * @param algorithm - 'sha256' or 'md5'
 * @returns lowercase hex digest
 * @example
 * await hashFile('cifar-100-binary.tar.gz', 'md5'); // '03b5dce01913d631647c71ecec9e9cb8'
 * @category Download
 */
export function hashFile(path: string, algorithm: 'sha256' | 'md5'): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm);
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

async function checksumProblem(path: string, o: DownloadOptions): Promise<string | undefined> {
  for (const alg of ['sha256', 'md5'] as const) {
    const want = o[alg]?.toLowerCase();
    if (!want) continue;
    const got = await hashFile(path, alg);
    if (got !== want) return `${alg} ${got}, expected ${want}`;
  }
  return undefined;
}

function get(url: string, headers: Record<string, string>, o: DownloadOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { headers: { 'user-agent': 'mamba-cl-datasets', ...headers }, signal: o.signal },
      resolve,
    );
    req.setTimeout(o.timeoutMs ?? 60_000, () =>
      req.destroy(new Error(`no data for ${o.timeoutMs ?? 60_000} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** One connection: appends to `part` from its current size. Resolves true when the body completed. */
async function fetchInto(
  url: string,
  part: string,
  o: DownloadOptions,
  redirects = 0,
): Promise<{ total?: number }> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const res = await get(url, have > 0 ? { range: `bytes=${have}-` } : {}, o);
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location) {
    res.resume();
    if (redirects >= 5) throw new DownloadError(`${url}: more than 5 redirects`);
    return fetchInto(new URL(res.headers.location, url).href, part, o, redirects + 1);
  }
  if (status === 416 && have > 0) {
    // the part file already holds everything (or more): let the checksum decide
    res.resume();
    return { total: have };
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new DownloadError(`${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim());
  }
  let offset = have;
  let total: number | undefined;
  if (status === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== have) {
      res.resume();
      throw new DownloadError(`${url}: server resumed at ${m?.[1] ?? '?'} but ${have} bytes are on disk`);
    }
    total = m[2] === '*' ? undefined : Number(m[2]);
  } else {
    offset = 0; // no range support: start over
    const len = res.headers['content-length'];
    total = len === undefined ? undefined : Number(len);
  }
  const fd = openSync(part, offset === 0 ? 'w' : 'a');
  try {
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: Buffer) => {
        writeSync(fd, chunk);
        offset += chunk.length;
        o.onProgress?.(offset, total);
      });
      res.on('end', () => {
        if (!res.complete) reject(new Error('connection closed before the end of the body'));
        else if (total !== undefined && offset < total)
          reject(new Error(`connection closed at ${offset} of ${total} bytes`));
        else resolve();
      });
      res.on('aborted', () => reject(new Error(`connection dropped at ${offset} bytes`)));
      res.on('error', reject);
      res.on('close', () => reject(new Error(`connection closed at ${offset} bytes`))); // no-op after resolve
    });
  } finally {
    closeSync(fd);
  }
  return { total };
}

/**
 * Downloads `url` to `dest`.
 *
 * **Details**
 * Bytes go to `dest + '.part'`; a dropped connection is retried with `Range: bytes=<size>-`
 * (a server that ignores Range restarts the file). When the body is complete, the checksums given
 * are verified, then the part file is renamed onto `dest` (atomic on one file system). A mismatch
 * deletes the part file and throws. An existing `dest` whose checksum matches is kept (no request).
 *
 * @param url - http(s) URL
 * @param dest - destination path
 * @param options - checksums, progress, retries
 * @returns `dest`
 * @example
 * await downloadFile('https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', 'data/cifar-100-binary.tar.gz',
 *   { md5: '03b5dce01913d631647c71ecec9e9cb8', onProgress: progressBar('cifar-100-binary') });
 * @category Download
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<string> {
  if (existsSync(dest) && (options.sha256 || options.md5) && !(await checksumProblem(dest, options)))
    return dest;
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const retries = options.retries ?? 5;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await fetchInto(url, part, options);
      lastError = undefined;
      break;
    } catch (e) {
      lastError = e as Error;
      if (e instanceof DownloadError || options.signal?.aborted) throw e;
    }
  }
  if (lastError) {
    throw new DownloadError(
      `${url}: failed after ${retries + 1} attempts (${lastError.message}); partial data kept in ${part}`,
    );
  }
  const problem = await checksumProblem(part, options);
  if (problem) {
    unlinkSync(part);
    throw new DownloadError(`${url}: checksum mismatch: ${problem} (download deleted)`);
  }
  renameSync(part, dest);
  return dest;
}

/**
 * A text progress bar on stderr (TTY: redrawn in place; otherwise one line per 10 %).
 *
 * @param label - what is downloading
 * @param stream - where to write (default `process.stderr`)
 * @returns a {@link DownloadProgress} callback
 * @example
 * await downloadFile(url, dest, { onProgress: progressBar('imagenet-r.tar') });
 * @category Download
 */
export function progressBar(
  label: string,
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): DownloadProgress {
  let lastDecile = -1;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return (received, total) => {
    const frac = total ? Math.min(1, received / total) : undefined;
    if (stream.isTTY) {
      const width = 30;
      const bar = frac === undefined ? '' : `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] `;
      stream.write(`\r${label} ${bar}${mb(received)}${total ? `/${mb(total)}` : ''} MB`);
      if (frac === 1) stream.write('\n');
      return;
    }
    const decile = frac === undefined ? Math.floor(received / 104857600) : Math.floor(frac * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${label}: ${mb(received)}${total ? `/${mb(total)}` : ''} MB\n`);
    }
  };
}
