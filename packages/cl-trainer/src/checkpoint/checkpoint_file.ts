/**
 * A single-file checkpoint container: JSON metadata plus named binary arrays, CRC-checked and
 * written atomically (temp file, fsync, rename, fsync of the folder).
 *
 * Layout (format 2): 16-byte magic `MAMBACL-CKPT-v2\n`, u32 LE header length, u32 LE CRC-32 of
 * every other byte of the file (bytes 0–19, then 24 to the end: the magic and the header length are
 * covered), the header (UTF-8 JSON: `{ meta, arrays: [{ key, dtype, offset, bytes }] }`, padded with
 * spaces to 8 bytes), then the arrays, each 8-byte aligned from the start of the data section.
 * Format 1 (magic `MAMBACL-CKPT-v1\n`, CRC of bytes 24 to the end only) is still read; its header
 * length is not covered by the CRC, so a damaged one is reported as a damaged header.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from './crc32.js';

const MAGIC_PREFIX = 'MAMBACL-CKPT-v';
const MAGIC_V1 = `${MAGIC_PREFIX}1\n`;
const MAGIC_V2 = `${MAGIC_PREFIX}2\n`;

/** What to do with a checkpoint that cannot be read; appended to every corruption message. */
const WHAT_TO_DO =
  'the file cannot be used: restore it from a copy, or delete it to start over without it (a run folder resumes from the first task of that strategy)';

/**
 * A typed array stored in a checkpoint.
 *
 * @category Checkpoint
 */
export type StoredArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * Contents of a checkpoint file.
 *
 * @category Checkpoint
 */
export interface CheckpointContents {
  /** JSON metadata. */
  readonly meta: unknown;
  /** Named arrays. */
  readonly arrays: ReadonlyMap<string, StoredArray>;
}

/**
 * A checkpoint that cannot be used: corrupt, truncated, or made by a different run.
 *
 * @category Checkpoint
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const DTYPES = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;
type DtypeName = keyof typeof DTYPES;

/** CRC-32 of format 2: bytes 0–19 (magic, header length), then 24 to the end. */
function checksumV2(buf: Uint8Array): number {
  return crc32(buf.subarray(24), crc32(buf.subarray(0, 20)));
}

function dtypeOf(a: StoredArray): DtypeName {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

/**
 * Writes a checkpoint atomically: to `<path>.tmp`, fsync, rename over `path`, fsync the folder.
 * A crash leaves either the old or the new file, never a half-written one.
 *
 * @param path - destination file
 * @param contents - metadata and arrays
 * @returns bytes written
 * @category Checkpoint
 */
export function writeCheckpointFile(path: string, contents: CheckpointContents): number {
  const index: { key: string; dtype: DtypeName; offset: number; bytes: number }[] = [];
  let offset = 0;
  for (const [key, a] of contents.arrays) {
    index.push({ key, dtype: dtypeOf(a), offset, bytes: a.byteLength });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta: contents.meta, arrays: index }));
  const headerPadded = Math.ceil(header.length / 8) * 8;
  const total = 24 + headerPadded + offset;
  const buf = new Uint8Array(total);
  buf.set(new TextEncoder().encode(MAGIC_V2), 0);
  const view = new DataView(buf.buffer);
  view.setUint32(16, headerPadded, true);
  buf.fill(0x20, 24, 24 + headerPadded); // pad header with spaces (valid JSON whitespace)
  buf.set(header, 24);
  const dataStart = 24 + headerPadded;
  let i = 0;
  for (const a of contents.arrays.values()) {
    buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + index[i].offset);
    i++;
  }
  view.setUint32(20, checksumV2(buf), true);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let written = 0;
    while (written < total) written += writeSync(fd, buf, written, total - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Some filesystems refuse fsync on folders; the rename is still atomic.
  }
  return total;
}

/**
 * Reads and verifies a checkpoint file (format 2, or format 1 of earlier versions).
 *
 * **Details**
 * Every way a file can be damaged — truncated, bytes flipped anywhere (the header length included,
 * in format 2), a header that is not the JSON index this writer makes, an array that runs past the
 * end — gives a {@link CheckpointError} that names the file, what is wrong and what to do; never a
 * raw `SyntaxError` or `RangeError`.
 *
 * @param path - checkpoint file
 * @returns metadata and arrays
 * @throws {@link CheckpointError} for a missing or unreadable file, a wrong magic, a truncated file,
 *   a CRC mismatch or a malformed header
 * @category Checkpoint
 */
export function readCheckpointFile(path: string): CheckpointContents {
  let buf: Uint8Array;
  try {
    buf = new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointError(
      code === 'ENOENT'
        ? `${path}: no such checkpoint file`
        : `${path}: cannot be read as a checkpoint file (${code ?? (err as Error).message})`,
    );
  }
  return parseCheckpoint(buf, path);
}

/**
 * Verifies and decodes the bytes of a checkpoint file.
 *
 * @param buf - the whole file
 * @param path - the file's name, for messages
 * @returns metadata and arrays
 * @throws {@link CheckpointError} as {@link readCheckpointFile}
 * @internal
 */
export function parseCheckpoint(buf: Uint8Array, path: string): CheckpointContents {
  const bad = (what: string): CheckpointError => new CheckpointError(`${path}: ${what}; ${WHAT_TO_DO}`);
  const magic = new TextDecoder().decode(buf.subarray(0, Math.min(16, buf.length)));
  if (buf.length < 24) {
    throw bad(
      MAGIC_V2.startsWith(magic) || MAGIC_V1.startsWith(magic)
        ? `not a mamba-cl checkpoint: truncated to ${buf.length} bytes (a checkpoint has at least 24)`
        : `not a mamba-cl checkpoint (expected the magic "MAMBACL-CKPT-v2"; the file has ${buf.length} bytes)`,
    );
  }
  if (magic !== MAGIC_V1 && magic !== MAGIC_V2) {
    if (magic.startsWith(MAGIC_PREFIX) && /^\d+\n$/.test(magic.slice(MAGIC_PREFIX.length))) {
      throw new CheckpointError(
        `${path}: checkpoint format ${magic.slice(MAGIC_PREFIX.length, -1)} is newer than this version reads (formats 1 and 2); upgrade @mamba-cl/cl-trainer to read it`,
      );
    }
    throw bad(
      `not a mamba-cl checkpoint (expected the magic "MAMBACL-CKPT-v2", found ${JSON.stringify(magic)})`,
    );
  }
  const v2 = magic === MAGIC_V2;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = view.getUint32(16, true);
  const crc = view.getUint32(20, true);
  const actual = v2 ? checksumV2(buf) : crc32(buf.subarray(24));
  if (actual !== crc) {
    throw bad(
      `corrupt: CRC-32 is ${actual.toString(16)}, the file records ${crc.toString(16)} (truncated or modified${24 + headerLen > buf.length ? `: the header of ${headerLen} bytes would end past the file's ${buf.length} bytes` : ''})`,
    );
  }
  if (24 + headerLen > buf.length) {
    throw bad(`truncated: header of ${headerLen} bytes but the file has ${buf.length}`);
  }
  const hint = v2 ? '' : ' (format 1 does not protect the header length in bytes 16–19)';
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(24, 24 + headerLen)));
  } catch (err) {
    throw bad(`the header (bytes 24–${24 + headerLen}) is not valid JSON${hint}: ${(err as Error).message}`);
  }
  const index = checkIndex(header, (what) => bad(`malformed header${hint}: ${what}`));
  const dataStart = 24 + headerLen;
  const arrays = new Map<string, StoredArray>();
  for (const e of index.arrays) {
    const Ctor = DTYPES[e.dtype];
    const start = dataStart + e.offset;
    if (start + e.bytes > buf.length) {
      throw bad(
        `array "${e.key}" (bytes ${start}–${start + e.bytes}) runs past the end of the file (${buf.length} bytes)`,
      );
    }
    const copy = buf.slice(start, start + e.bytes);
    arrays.set(e.key, new Ctor(copy.buffer, 0, e.bytes / Ctor.BYTES_PER_ELEMENT));
  }
  return { meta: index.meta, arrays };
}

interface IndexEntry {
  key: string;
  dtype: DtypeName;
  offset: number;
  bytes: number;
}

/** Checks that a parsed header is `{ meta, arrays: [{ key, dtype, offset, bytes }] }`. */
function checkIndex(
  header: unknown,
  bad: (what: string) => CheckpointError,
): { meta: unknown; arrays: IndexEntry[] } {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw bad('expected a JSON object { meta, arrays }');
  }
  const h = header as { meta?: unknown; arrays?: unknown };
  if (!Array.isArray(h.arrays)) throw bad('"arrays" is not a list');
  const seen = new Set<string>();
  const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  h.arrays.forEach((e: unknown, i: number) => {
    if (e === null || typeof e !== 'object') throw bad(`arrays[${i}] is not an object`);
    const { key, dtype, offset, bytes } = e as Record<string, unknown>;
    if (typeof key !== 'string') throw bad(`arrays[${i}] has no string "key"`);
    if (seen.has(key)) throw bad(`array "${key}" is listed twice`);
    seen.add(key);
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype)) {
      throw bad(`array "${key}" has unknown dtype ${JSON.stringify(dtype)} (expected f32, f64, i32 or u8)`);
    }
    if (!isCount(offset) || offset % 8 !== 0) {
      throw bad(`array "${key}" has offset ${JSON.stringify(offset)}, expected a multiple of 8`);
    }
    const size = DTYPES[dtype as DtypeName].BYTES_PER_ELEMENT;
    if (!isCount(bytes) || bytes % size !== 0) {
      throw bad(
        `array "${key}" has ${JSON.stringify(bytes)} bytes, expected a multiple of ${size} (${dtype})`,
      );
    }
  });
  return { meta: h.meta, arrays: h.arrays as IndexEntry[] };
}
