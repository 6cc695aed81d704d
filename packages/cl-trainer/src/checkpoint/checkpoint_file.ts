/**
 * A single-file checkpoint container: JSON metadata plus named binary arrays, CRC-checked and
 * written atomically (temp file, fsync, rename, fsync of the folder).
 *
 * Layout: 16-byte magic `MAMBACL-CKPT-v1\n`, u32 LE header length, u32 LE CRC-32 of everything
 * after these 24 bytes, the header (UTF-8 JSON: `{ meta, arrays: [{ key, dtype, offset, bytes }] }`),
 * then the arrays, each 8-byte aligned from the start of the data section.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from './crc32.js';

const MAGIC = 'MAMBACL-CKPT-v1\n';

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
  buf.set(new TextEncoder().encode(MAGIC), 0);
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
  view.setUint32(20, crc32(buf.subarray(24)), true);
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
 * Reads and verifies a checkpoint file.
 *
 * @param path - checkpoint file
 * @returns metadata and arrays
 * @throws {@link CheckpointError} for a wrong magic, a truncated file or a CRC mismatch
 * @category Checkpoint
 */
export function readCheckpointFile(path: string): CheckpointContents {
  const buf = new Uint8Array(readFileSync(path));
  if (buf.length < 24 || new TextDecoder().decode(buf.subarray(0, 16)) !== MAGIC) {
    throw new CheckpointError(`${path}: not a mamba-cl checkpoint (expected the magic "MAMBACL-CKPT-v1")`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = view.getUint32(16, true);
  const crc = view.getUint32(20, true);
  if (24 + headerLen > buf.length) {
    throw new CheckpointError(
      `${path}: truncated: header of ${headerLen} bytes but the file has ${buf.length}`,
    );
  }
  const actual = crc32(buf.subarray(24));
  if (actual !== crc) {
    throw new CheckpointError(
      `${path}: corrupt: CRC-32 is ${actual.toString(16)}, the file records ${crc.toString(16)} (truncated or modified)`,
    );
  }
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(24, 24 + headerLen))) as {
    meta: unknown;
    arrays: { key: string; dtype: DtypeName; offset: number; bytes: number }[];
  };
  const dataStart = 24 + headerLen;
  const arrays = new Map<string, StoredArray>();
  for (const e of header.arrays) {
    const Ctor = DTYPES[e.dtype];
    if (Ctor === undefined)
      throw new CheckpointError(`${path}: array "${e.key}" has unknown dtype "${e.dtype}"`);
    const start = dataStart + e.offset;
    if (start + e.bytes > buf.length)
      throw new CheckpointError(`${path}: array "${e.key}" runs past the end of the file`);
    const copy = buf.slice(start, start + e.bytes);
    arrays.set(e.key, new Ctor(copy.buffer, 0, e.bytes / Ctor.BYTES_PER_ELEMENT));
  }
  return { meta: header.meta, arrays };
}
