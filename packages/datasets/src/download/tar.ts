/**
 * A small streaming tar reader (ustar, GNU long names, pax `path`), for `.tar` and `.tar.gz`, plus a
 * ustar writer used to make test archives.
 *
 * @module
 */
import { closeSync, createReadStream, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetFormatError } from '../io/dataset_format_error.js';

const BLOCK = 512;

/**
 * Largest GNU long name or long link name (`L` / `K` entry) accepted: 64 KiB (Linux paths are at most 4 KiB).
 *
 * @category Download
 */
export const TAR_MAX_NAME_BYTES = 64 * 1024;

/**
 * Largest pax extended header (`x` / `g` entry) accepted: 1 MiB.
 *
 * @category Download
 */
export const TAR_MAX_PAX_BYTES = 1024 * 1024;

/**
 * Options of {@link extractTar}.
 *
 * @category Download
 */
export interface ExtractOptions {
  /** Leading path components to drop (like `tar --strip-components`). Default 0. */
  strip?: number;
  /** Keep only entries whose (stripped) path passes. */
  filter?: (path: string) => boolean;
  /** Most bytes written in all, over all files; more is a {@link DatasetFormatError}. Default: no limit. */
  maxBytes?: number;
}

function text(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(start, end)).toString('utf8');
}

function octal(b: Uint8Array, start: number, len: number): number {
  if (b[start] & 0x80) {
    // GNU base-256 for sizes ≥ 8 GiB
    let v = b[start] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[start + i];
    return v;
  }
  const s = text(b, start, len).trim();
  return s.length === 0 ? 0 : Number.parseInt(s, 8);
}

function safePath(name: string, strip: number, archive: string): string | undefined {
  const parts = name.split('/').filter((p) => p.length > 0 && p !== '.');
  if (name.startsWith('/') || parts.includes('..')) {
    throw new DatasetFormatError(
      `${archive}: entry '${name}' escapes the target directory (absolute or '..')`,
    );
  }
  const kept = parts.slice(strip);
  return kept.length === 0 ? undefined : normalize(kept.join(sep));
}

/** Streaming state machine: feed chunks, files are written as their bytes arrive. */
class TarExtractor {
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private state: 'header' | 'data' | 'pad' | 'done' = 'header';
  private remaining = 0;
  private padding = 0;
  private zeroBlocks = 0;
  private fd: number | undefined;
  private meta: Uint8Array[] | undefined; // GNU 'L' / pax 'x' payload
  private metaKind = '';
  private longName: string | undefined;
  private paxPath: string | undefined;
  private entryName = '';
  private entryIndex = 0;
  private headers = 0;
  private bytesWritten = 0;
  readonly written: string[] = [];

  constructor(
    private readonly dest: string,
    private readonly archive: string,
    private readonly options: ExtractOptions,
  ) {}

  push(chunk: Uint8Array): void {
    let o = 0;
    while (o < chunk.length && this.state !== 'done') {
      if (this.state === 'header') {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - o);
        this.header.set(chunk.subarray(o, o + n), this.headerFill);
        this.headerFill += n;
        o += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader();
        }
      } else if (this.state === 'data') {
        const n = Math.min(this.remaining, chunk.length - o);
        const part = chunk.subarray(o, o + n);
        if (this.meta) this.meta.push(part.slice());
        else if (this.fd !== undefined) this.write(part);
        this.remaining -= n;
        o += n;
        if (this.remaining === 0) this.endEntry();
      } else {
        const n = Math.min(this.padding, chunk.length - o);
        this.padding -= n;
        o += n;
        if (this.padding === 0) this.state = 'header';
      }
    }
  }

  /** `'name'`, or `header 3 (after 'name')` for metadata entries that precede their file. */
  private where(name?: string): string {
    if (name !== undefined) return `entry '${name}'`;
    return `header ${this.headers}${this.entryName ? ` (after entry '${this.entryName}')` : ''}`;
  }

  private write(part: Uint8Array): void {
    this.bytesWritten += part.length;
    const max = this.options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (this.bytesWritten > max) {
      throw new DatasetFormatError(
        `${this.archive}: ${this.where(this.entryName)} takes the extracted size past the limit of ${max} bytes (maxBytes)`,
      );
    }
    writeSync(this.fd as number, part);
  }

  private onHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      if (++this.zeroBlocks === 2) this.state = 'done';
      return;
    }
    this.zeroBlocks = 0;
    this.headers++;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const stored = octal(h, 148, 8);
    if (stored !== sum) {
      throw new DatasetFormatError(
        `${this.archive}: header ${this.entryIndex}${this.entryName ? ` (after '${this.entryName}')` : ''} fails its checksum (stored ${Number.isNaN(stored) ? `'${text(h, 148, 8)}'` : stored}, computed ${sum}): not a tar file, or corrupt`,
      );
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const size = octal(h, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new DatasetFormatError(
        `${this.archive}: ${this.where()} has size field '${text(h, 124, 12)}', expected an octal byte count`,
      );
    }
    const magic = text(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(h, 345, 155) : '';
    let name = text(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    if (this.paxPath !== undefined) name = this.paxPath;
    if (this.longName !== undefined) name = this.longName;
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.meta = undefined;
    this.fd = undefined;
    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
      const max = type === 'L' || type === 'K' ? TAR_MAX_NAME_BYTES : TAR_MAX_PAX_BYTES;
      if (size > max) {
        const what =
          type === 'L'
            ? "GNU long name ('L')"
            : type === 'K'
              ? "GNU long link name ('K')"
              : `pax header ('${type}')`;
        throw new DatasetFormatError(
          `${this.archive}: ${this.where()} is a ${what} of ${size} bytes, more than the limit of ${max}: corrupt or hostile archive`,
        );
      }
      this.meta = [];
      this.metaKind = type;
    } else {
      this.entryName = name;
      this.entryIndex++;
      this.longName = undefined;
      this.paxPath = undefined;
      const rel = safePath(name, this.options.strip ?? 0, this.archive);
      const keep =
        rel !== undefined && (!this.options.filter || this.options.filter(rel.split(sep).join('/')));
      try {
        if (keep && (type === '0' || type === '7')) {
          const out = join(this.dest, rel);
          mkdirSync(dirname(out), { recursive: true });
          this.fd = openSync(out, 'w');
          this.written.push(out);
        } else if (keep && type === '5') {
          mkdirSync(join(this.dest, rel), { recursive: true });
        }
      } catch (e) {
        throw new DatasetFormatError(
          `${this.archive}: entry '${name}': cannot create it under ${this.dest} (${(e as Error).message})`,
        );
      }
      // links, devices, fifos: skipped (their data, if any, is consumed)
    }
    if (size === 0) this.endEntry();
    else this.state = 'data';
  }

  private endEntry(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.meta) {
      const payload = Buffer.concat(this.meta);
      this.meta = undefined;
      if (this.metaKind === 'L') this.longName = text(payload, 0, payload.length);
      else if (this.metaKind === 'x') {
        // records "<len> <key>=<value>\n"
        let p = 0;
        while (p < payload.length) {
          const space = payload.indexOf(0x20, p);
          if (space < 0) break;
          const len = Number(payload.toString('utf8', p, space));
          if (!Number.isFinite(len) || len <= 0) break;
          const rec = payload.toString('utf8', space + 1, p + len - 1);
          const eq = rec.indexOf('=');
          if (rec.slice(0, eq) === 'path') this.paxPath = rec.slice(eq + 1);
          p += len;
        }
      }
    }
    this.state = this.padding > 0 ? 'pad' : 'header';
  }

  /** Closes the open file, if any. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  finish(totalBytes: number): void {
    this.close();
    if (totalBytes === 0) throw new DatasetFormatError(`${this.archive}: archive is empty (0 bytes)`);
    if (this.state === 'data' || this.state === 'pad' || this.headerFill !== 0) {
      throw new DatasetFormatError(
        `${this.archive}: archive truncated inside ${this.meta ? this.where() : this.where(this.entryName)} (${this.remaining} bytes missing)`,
      );
    }
    if (this.entryIndex === 0) {
      throw new DatasetFormatError(`${this.archive}: archive holds no entries (${totalBytes} bytes)`);
    }
  }
}

/**
 * Extracts a `.tar` or `.tar.gz` (gzip detected from the magic bytes) into a directory, streaming.
 *
 * **Details**
 * Regular files and directories are created; links and special files are skipped. Entries with
 * absolute paths or `..` are refused (tar-slip). Header checksums are verified. GNU long names are
 * capped at {@link TAR_MAX_NAME_BYTES} and pax headers at {@link TAR_MAX_PAX_BYTES} (checked on the
 * declared size, before any of it is read); an empty archive, one without entries, a truncated one or
 * a missing file is a {@link DatasetFormatError} naming the archive (and the entry).
 *
 * @param archive - path of the archive
 * @param destDir - target directory (created)
 * @param options - strip / filter
 * @returns the paths of the files written
 * @example
 * await extractTar('data/cifar-100-binary.tar.gz', 'data');
 * @category Download
 */
export async function extractTar(
  archive: string,
  destDir: string,
  options: ExtractOptions = {},
): Promise<string[]> {
  const head = new Uint8Array(2);
  let got: number;
  try {
    const fd = openSync(archive, 'r');
    got = readSync(fd, head, 0, 2, 0);
    closeSync(fd);
  } catch (e) {
    throw new DatasetFormatError(`${archive}: cannot read archive (${(e as Error).message})`);
  }
  const file = createReadStream(archive);
  let stream: Readable = file;
  if (got === 2 && head[0] === 0x1f && head[1] === 0x8b) stream = file.pipe(createGunzip());
  mkdirSync(destDir, { recursive: true });
  const x = new TarExtractor(destDir, archive, options);
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Uint8Array).length;
      x.push(chunk as Uint8Array);
    }
  } catch (e) {
    x.close();
    stream.destroy();
    file.destroy();
    if (e instanceof DatasetFormatError) throw e;
    throw new DatasetFormatError(`${archive}: ${(e as Error).message}`);
  }
  x.finish(total);
  return x.written;
}

/**
 * Writes a ustar archive in memory (files only; names up to 255 bytes via the prefix field).
 *
 * @param files - path → contents
 * @returns the tar bytes (with the two closing zero blocks)
 * @example
 * const tar = createTar([['cifar-100-binary/test.bin', bytes]]);
 * @category Download
 */
export function createTar(files: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [path, data] of files) {
    const h = Buffer.alloc(BLOCK);
    let name = path;
    let prefix = '';
    if (Buffer.byteLength(name) > 100) {
      const cut = path.lastIndexOf('/', path.length - 1 - 0);
      prefix = path.slice(0, cut);
      name = path.slice(cut + 1);
      if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
        throw new RangeError(`createTar: path '${path}' too long for ustar`);
      }
    }
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    h.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += h[i];
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}
