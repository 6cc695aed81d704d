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

/**
 * Reads a safetensors file (8-byte little-endian header length, JSON header, raw little-endian data)
 * into float32 tensors.
 *
 * **Details**
 * Supports F32, F16, BF16 and F64. Checks the header length, JSON, each entry's dtype, shape and
 * `data_offsets` (inside the data area, byte count = elements × item size); errors name the file, the
 * key and the problem. `__metadata__` is returned separately.
 *
 * @param bytes - the whole file
 * @param source - file name for errors
 * @returns tensors in header order, and the metadata
 * @throws WeightsFormatError for truncated or malformed files
 * @example
 * const { tensors } = readSafetensors(readFileSync('m.safetensors'), 'm.safetensors');
 * @category Weights
 */
export function readSafetensors(
  bytes: Uint8Array,
  source = '<safetensors>',
): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  const bad = (msg: string): never => {
    throw new WeightsFormatError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) bad(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = Number(view.getBigUint64(0, true));
  if (8 + hlen > bytes.length)
    bad(`header length ${hlen} exceeds the file (${bytes.length} bytes): truncated`);
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen)));
  } catch (e) {
    return bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    bad('header is not a JSON object');
  const dataStart = 8 + hlen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [key, info] of Object.entries(header)) {
    if (key === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const where = `tensor '${key}'`;
    if (!info || typeof info !== 'object') bad(`${where}: header entry is not an object`);
    const dtype = info.dtype as SafetensorsDtype;
    if (!(dtype in ITEM))
      bad(`${where}: dtype '${String(info.dtype)}' is not supported (expected F32, F16, BF16 or F64)`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) {
      bad(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d: unknown) => Number.isInteger(d))) {
      bad(`${where}: data_offsets ${JSON.stringify(offs)} is not [begin, end]`);
    }
    const [begin, end] = offs as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (begin < 0 || end < begin || end > dataLen) {
      bad(
        `${where}: data_offsets [${begin}, ${end}] lie outside the data area (${dataLen} bytes): truncated or malformed`,
      );
    }
    if (end - begin !== count * ITEM[dtype]) {
      bad(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, expected ${count * ITEM[dtype]} (${count} × ${dtype})`,
      );
    }
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
    tensors.set(key, { shape: [...(shape as number[])], dtype, data });
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
