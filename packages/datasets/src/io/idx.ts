import { gunzipSync } from 'node:zlib';
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
 * Parses an IDX file (MNIST / Fashion-MNIST), raw or gzipped.
 *
 * **Details**
 * Header: two zero bytes, a type byte (only 0x08 = unsigned byte is supported), the number of
 * dimensions, then one big-endian uint32 per dimension. Images are magic 0x00000803 (3 dims), labels
 * 0x00000801 (1 dim). Gzip (`1f 8b`) is detected and inflated with `zlib.gunzipSync`.
 *
 * @param bytes - the file contents
 * @param name - file name used in error messages
 * @param expectDims - if given, the required number of dimensions
 * @returns dims and a view of the payload
 * @example
 * const labels = readIdx(readFileSync('train-labels-idx1-ubyte.gz'), 'train-labels-idx1-ubyte.gz', 1);
 * @category IO
 */
export function readIdx(bytes: Uint8Array, name: string, expectDims?: number): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DatasetFormatError(`${name}: gzip data is corrupt (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4)
    throw new DatasetFormatError(`${name}: ${bytes.length} bytes, too short for an IDX header`);
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetFormatError(
      `${name}: magic 0x${magic.toString(16).padStart(8, '0')} is not an IDX header, expected 0x00000801 (labels) or 0x00000803 (images)`,
    );
  }
  if (bytes[2] !== 0x08) {
    throw new DatasetFormatError(
      `${name}: IDX type 0x${bytes[2].toString(16)} unsupported, expected 0x08 (unsigned byte)`,
    );
  }
  const nd = bytes[3];
  if (expectDims !== undefined && nd !== expectDims) {
    throw new DatasetFormatError(
      `${name}: magic 0x${magic.toString(16).padStart(8, '0')} has ${nd} dimensions, expected ${expectDims} (0x0000080${expectDims})`,
    );
  }
  const headerLen = 4 + 4 * nd;
  if (bytes.length < headerLen)
    throw new DatasetFormatError(`${name}: header truncated (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < nd; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n;
  }
  const payload = bytes.length - headerLen;
  if (payload !== count) {
    throw new DatasetFormatError(
      `${name}: payload is ${payload} bytes, expected ${count} (dims ${dims.join('×')})`,
    );
  }
  return { dims, data: bytes.subarray(headerLen) };
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
