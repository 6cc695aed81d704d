import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './half_float.js';
import { WeightsFormatError } from './weights_format_error.js';

/** Element types read and written here. @category Weights */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64';

/** A tensor read from a safetensors file, converted to float32. @category Weights */
export interface SafetensorsTensor {
  shape: number[];
  dtype: SafetensorsDtype;
  data: Float32Array;
}

const ITEM: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** Options of {@link readSafetensors}. @category Weights */
export interface ReadSafetensorsOptions {
  /** File name for errors (default `<safetensors>`). */
  source?: string;
  /** Largest JSON header accepted, in bytes. Default 100 000 000, as the reference reader. */
  maxHeaderBytes?: number;
}

/** Default of {@link ReadSafetensorsOptions.maxHeaderBytes}: 100 MB, the reference reader's bound. @category Weights */
export const DEFAULT_MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A short, never-throwing rendering of a header value for messages (no recursion into nesting). */
function brief(v: unknown): string {
  if (Array.isArray(v)) {
    const flat = v.length <= 16 && v.every((x) => typeof x === 'number' || typeof x === 'string');
    return flat ? JSON.stringify(v).slice(0, 200) : `a list of ${v.length} (nested or long)`;
  }
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  if (v === null || typeof v !== 'object') return String(v);
  return 'an object';
}

interface Entry {
  key: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
  count: number;
}

/**
 * Reads a safetensors file (8-byte little-endian header length, JSON header, raw little-endian data)
 * into float32 tensors.
 *
 * **Details**
 * Supports F32, F16, BF16 and F64. Validates the file as the reference `safetensors` reader does,
 * before converting anything: the header length is at most `maxHeaderBytes` and inside the file;
 * the header is UTF-8 JSON holding an object whose `__metadata__` (optional) maps strings to
 * strings and whose other entries are `{dtype, shape, data_offsets: [begin, end]}` with
 * non-negative integer shape and offsets; sorted by offset, the entries tile the data area exactly
 * (each begins where the previous ended, the first at 0, the last ends at the end of the file: no
 * overlap, no gap, no trailing bytes) and each holds elements × item size bytes. Errors name the
 * file, the key and the problem. `__metadata__` is returned separately. The float32 output is at
 * most twice the data area (F16/BF16), so no file can make it allocate beyond that.
 *
 * @param bytes - the whole file
 * @param options - a file name for errors (or pass it as a string), the header size bound
 * @returns tensors in header order, and the metadata
 * @throws WeightsFormatError for truncated or malformed files
 * @example
 * const { tensors } = readSafetensors(readFileSync('m.safetensors'), 'm.safetensors');
 * @category Weights
 */
export function readSafetensors(
  bytes: Uint8Array,
  options: string | ReadSafetensorsOptions = {},
): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  const opts = typeof options === 'string' ? { source: options } : options;
  const source = opts.source ?? '<safetensors>';
  const maxHeader = opts.maxHeaderBytes ?? DEFAULT_MAX_SAFETENSORS_HEADER_BYTES;
  const bad = (msg: string): never => {
    throw new WeightsFormatError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) bad(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen64 = view.getBigUint64(0, true);
  if (hlen64 > BigInt(maxHeader)) {
    bad(
      `header length ${hlen64} exceeds the ${maxHeader}-byte bound (maxHeaderBytes): not a safetensors file?`,
    );
  }
  const hlen = Number(hlen64);
  if (8 + hlen > bytes.length)
    bad(`header length ${hlen} exceeds the file (${bytes.length} bytes): truncated`);
  let text: string;
  try {
    text = strictUtf8.decode(bytes.subarray(8, 8 + hlen));
  } catch {
    return bad('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    return bad('header is not a JSON object');
  const dataStart = 8 + hlen;
  const dataLen = bytes.length - dataStart;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  const isIndex = (d: unknown): d is number => Number.isSafeInteger(d) && (d as number) >= 0;
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (info === null) continue;
      if (
        typeof info !== 'object' ||
        Array.isArray(info) ||
        !Object.values(info).every((v) => typeof v === 'string')
      )
        bad('__metadata__ is not an object of string values');
      metadata = info as Record<string, string>;
      continue;
    }
    const where = `tensor '${key}'`;
    if (!info || typeof info !== 'object' || Array.isArray(info))
      return bad(`${where}: header entry is not an object`);
    const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(ITEM, dtype))
      bad(`${where}: dtype ${brief(dtype)} is not supported (expected F32, F16, BF16 or F64)`);
    if (!Array.isArray(shape) || !shape.every(isIndex)) {
      bad(`${where}: shape ${brief(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isIndex)) {
      return bad(`${where}: data_offsets ${brief(offs)} is not [begin, end] of non-negative integers`);
    }
    const [begin, end] = offs as [number, number];
    let count = 1;
    for (const d of shape as number[]) count *= d;
    const item = ITEM[dtype as SafetensorsDtype];
    if (!Number.isSafeInteger(count * item)) bad(`${where}: shape [${shape}] is too large (overflow)`);
    if (end < begin || end > dataLen) {
      bad(
        `${where}: data_offsets [${begin}, ${end}] lie outside the data area (${dataLen} bytes): truncated or malformed`,
      );
    }
    if (end - begin !== count * item) {
      bad(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, expected ${count * item} (${count} × ${dtype})`,
      );
    }
    entries.push({
      key,
      dtype: dtype as SafetensorsDtype,
      shape: [...(shape as number[])],
      begin,
      end,
      count,
    });
  }
  // the reference reader's tiling rule: sorted by offsets, each tensor starts where the last ended
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      bad(
        `tensor '${e.key}': data_offsets [${e.begin}, ${e.end}] ${e.begin < at ? 'overlap the previous tensor' : 'leave a gap after the previous tensor'}, expected to begin at ${at} (tensors must tile the data area in order)`,
      );
    }
    at = e.end;
  }
  if (at !== dataLen) {
    bad(
      `the tensors cover ${at} of the ${dataLen} data bytes, expected all of them (trailing bytes or a gap at the end)`,
    );
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const { key, dtype, shape, begin, end, count } of entries) {
    const v = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      data[i] =
        dtype === 'F32'
          ? v.getFloat32(i * 4, true)
          : dtype === 'F16'
            ? halfToFloat(v.getUint16(i * 2, true))
            : dtype === 'BF16'
              ? bfloat16ToFloat(v.getUint16(i * 2, true))
              : v.getFloat64(i * 8, true);
    }
    tensors.set(key, { shape, dtype, data });
  }
  return { tensors, metadata };
}

/**
 * Writes float32 tensors as a safetensors file, in the given order, stored as F32, F16 or BF16.
 *
 * **Details**
 * The header is padded with spaces to a multiple of 8 bytes (as the reference writer does); F16
 * and BF16 round to nearest even.
 *
 * @param tensors - name → {shape, data}
 * @param options - `dtype` (default F32), `metadata` (string → string)
 * @returns the file bytes
 * @example
 * writeFileSync('m.safetensors', writeSafetensors(model.stateDict()));
 * @category Weights
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  options: { dtype?: 'F32' | 'F16' | 'BF16'; metadata?: Record<string, string> } = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  const item = ITEM[dtype];
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let off = 0;
  for (const [key, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(
        `writeSafetensors: tensor '${key}' has ${t.data.length} values for shape [${t.shape}] (${count})`,
      );
    }
    header[key] = { dtype, shape: t.shape, data_offsets: [off, off + count * item] };
    off += count * item;
  }
  let hj = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (hj.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(hj.length + pad).fill(0x20);
    padded.set(hj);
    hj = padded;
  }
  const out = new Uint8Array(8 + hj.length + off);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hj.length), true);
  out.set(hj, 8);
  let p = 8 + hj.length;
  for (const t of tensors.values()) {
    if (dtype === 'F32') {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(p + i * 4, t.data[i], true);
    } else {
      const conv = dtype === 'F16' ? floatToHalf : floatToBfloat16;
      for (let i = 0; i < t.data.length; i++) view.setUint16(p + i * 2, conv(t.data[i]), true);
    }
    p += t.data.length * item;
  }
  return out;
}
