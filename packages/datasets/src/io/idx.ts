import { constants, gunzipSync } from 'node:zlib';
import { DatasetFormatError } from './dataset_format_error.js';

/**
 * A parsed IDX file (the MNIST format).
 *
 * @category IO
 */
export interface IdxArray {
  /** Dimension sizes, e.g. [60000, 28, 28] for images or [60000] for labels. */
  readonly dims: number[];
  /** The unsigned-byte payload, row-major. */
  readonly data: Uint8Array;
}

/**
 * Options of {@link readIdx}.
 *
 * @category IO
 */
export interface ReadIdxOptions {
  /**
   * Largest payload accepted, in bytes (default {@link IDX_MAX_BYTES}, 1 GiB). A header declaring more is
   * refused before anything is inflated or allocated.
   */
  readonly maxBytes?: number;
}

/**
 * Default cap on the payload of an IDX file: 1 GiB (the largest public IDX set, EMNIST ByClass, is 550 MB).
 *
 * @category IO
 */
export const IDX_MAX_BYTES = 2 ** 30;

/** Deflate cannot expand data by more than about 1032:1 (a 258-byte match per 2 bits). */
const MAX_DEFLATE_RATIO = 1032;
/** A header is at most 4 + 4·255 bytes; the inflated prefix used to read it stays below this. */
const PROBE_MAX_OUTPUT = 16 * 2 ** 20;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isTooLarge(e: unknown): boolean {
  return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Inflates just enough of a gzip stream to hold the IDX header: prefixes of 1 KiB, 8 KiB, … of the
 * compressed bytes are inflated with `Z_SYNC_FLUSH` (a truncated stream is fine) and an output cap.
 */
function inflateHeader(bytes: Uint8Array, name: string): Uint8Array {
  for (let p = 1024; ; p *= 8) {
    let out: Uint8Array;
    try {
      out = gunzipSync(bytes.subarray(0, p), {
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: PROBE_MAX_OUTPUT,
      });
    } catch (e) {
      if (isTooLarge(e)) {
        throw new DatasetFormatError(
          `${name}: gzip stream has no IDX header within its first ${PROBE_MAX_OUTPUT} inflated bytes`,
        );
      }
      throw new DatasetFormatError(`${name}: gzip data is corrupt (${(e as Error).message})`);
    }
    const need = out.length >= 4 ? 4 + 4 * (out[3] as number) : 4;
    if (out.length >= need || p >= bytes.length) return out;
  }
}

interface IdxHeader {
  dims: number[];
  headerLen: number;
  count: number;
}

function parseHeader(
  head: Uint8Array,
  name: string,
  expectDims: number | undefined,
  maxBytes: number,
  gz: boolean,
): IdxHeader {
  const within = gz ? ' (inflated)' : '';
  if (head.length < 4)
    throw new DatasetFormatError(`${name}: ${head.length} bytes${within}, too short for an IDX header`);
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (head[0] !== 0 || head[1] !== 0) {
    throw new DatasetFormatError(
      `${name}: magic ${hex} is not an IDX header, expected 0x00000801 (labels) or 0x00000803 (images)`,
    );
  }
  if (head[2] !== 0x08) {
    throw new DatasetFormatError(
      `${name}: IDX type 0x${head[2].toString(16)} unsupported, expected 0x08 (unsigned byte)`,
    );
  }
  const nd = head[3];
  if (expectDims !== undefined && nd !== expectDims) {
    throw new DatasetFormatError(
      `${name}: magic ${hex} has ${nd} dimensions, expected ${expectDims} (0x0000080${expectDims})`,
    );
  }
  const headerLen = 4 + 4 * nd;
  if (head.length < headerLen) {
    throw new DatasetFormatError(
      `${name}: header truncated (${head.length} bytes${within}, ${nd} dimensions need ${headerLen})`,
    );
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < nd; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n; // exact while ≤ maxBytes (checked below), +∞-safe otherwise
  }
  if (count > maxBytes) {
    throw new DatasetFormatError(
      `${name}: header declares ${count} bytes (dims ${dims.join('×')}), more than the limit of ${maxBytes} (maxBytes)`,
    );
  }
  return { dims, headerLen, count };
}

/**
 * Parses an IDX file (MNIST / Fashion-MNIST), raw or gzipped.
 *
 * **Details**
 * Header: two zero bytes, a type byte (only 0x08 = unsigned byte is supported), the number of
 * dimensions, then one big-endian uint32 per dimension. Images are magic 0x00000803 (3 dims), labels
 * 0x00000801 (1 dim). Gzip (`1f 8b`) is detected; the header is read from an inflated prefix, then the
 * stream is inflated with an output cap of exactly the size the header declares, so a small file that
 * inflates to gigabytes (a gzip bomb) stops after that many bytes with a {@link DatasetFormatError}.
 * Declared sizes are checked against `maxBytes`, against the bytes present (raw) and against the most a
 * gzip stream of this length can inflate to, before anything is allocated.
 *
 * @param bytes - the file contents
 * @param name - file name used in error messages
 * @param expectDims - if given, the required number of dimensions
 * @param options - size cap
 * @returns dims and a view of the payload
 * @example
 * const labels = readIdx(readFileSync('train-labels-idx1-ubyte.gz'), 'train-labels-idx1-ubyte.gz', 1);
 * @category IO
 */
export function readIdx(
  bytes: Uint8Array,
  name: string,
  expectDims?: number,
  options: ReadIdxOptions = {},
): IdxArray {
  const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
  const gz = isGzip(bytes);
  const head = gz ? inflateHeader(bytes, name) : bytes;
  const { dims, headerLen, count } = parseHeader(head, name, expectDims, maxBytes, gz);
  const expected = headerLen + count;
  const shape = `dims ${dims.join('×')}`;
  if (!gz) {
    const payload = bytes.length - headerLen;
    if (payload !== count) {
      throw new DatasetFormatError(`${name}: payload is ${payload} bytes, expected ${count} (${shape})`);
    }
    return { dims, data: bytes.subarray(headerLen) };
  }
  if (expected > bytes.length * MAX_DEFLATE_RATIO) {
    throw new DatasetFormatError(
      `${name}: header declares ${expected} bytes (${headerLen}-byte header + ${shape}), more than a ${bytes.length}-byte gzip file can hold: truncated`,
    );
  }
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { maxOutputLength: expected });
  } catch (e) {
    if (isTooLarge(e)) {
      throw new DatasetFormatError(
        `${name}: inflates to more than ${expected} bytes, but the header declares ${expected} (${headerLen}-byte header + ${shape}); stopped there`,
      );
    }
    throw new DatasetFormatError(`${name}: gzip data is corrupt (${(e as Error).message})`);
  }
  if (out.length !== expected) {
    throw new DatasetFormatError(
      `${name}: inflates to ${out.length} bytes, but the header declares ${expected} (${headerLen}-byte header + ${shape})`,
    );
  }
  return { dims, data: out.subarray(headerLen) };
}

/**
 * Encodes an IDX file (unsigned bytes); used to make test fixtures.
 *
 * @param dims - dimension sizes
 * @param data - payload, length = product of dims
 * @returns the file bytes
 * @example
 * writeIdx([2], Uint8Array.of(3, 7));
 * @category IO
 */
export function writeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((n, d) => {
    view.setUint32(4 + 4 * d, n, false);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}
