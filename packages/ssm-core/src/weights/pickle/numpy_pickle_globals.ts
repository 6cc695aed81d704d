import { CODECS_ENCODE_LATIN1 } from './codecs_encode_global.js';
import type { PickleGlobal } from './unpickle.js';

/**
 * A python-2 str arrives as a latin-1 string or as bytes (per `py2Strings`); both mean the same text
 * here. Only short texts (type codes, byte orders) are read this way.
 */
function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array && v.length <= 64) return String.fromCharCode(...v);
  return undefined;
}

/**
 * A numpy dtype as a pickle rebuilds it (`numpy.dtype('u1', 0, 1)` + `BUILD`).
 *
 * @category Weights
 */
export class PickledDtype {
  /** Type code as pickled, e.g. `'u1'`, `'f4'`, `'i8'`. */
  readonly code: string;
  /** Byte order from the state: `'<'`, `'>'`, `'|'` (not applicable) or `'='` (native). */
  byteOrder = '|';
  constructor(code: string) {
    this.code = code;
  }
  /** `BUILD` state `(version, byteorder, ...)`. */
  setState(state: unknown): void {
    const order = Array.isArray(state) ? asText(state[1]) : undefined;
    if (order === undefined) throw new Error('numpy dtype state is not a tuple (version, byteorder, ...)');
    this.byteOrder = order;
  }
}

/**
 * A numpy `ndarray` as a pickle rebuilds it (`numpy.core.multiarray._reconstruct` + `BUILD`): raw
 * bytes plus shape and dtype. Convert with {@link ndarrayToTypedArray}.
 *
 * @category Weights
 */
export class PickledNdarray {
  shape: number[] = [];
  dtype: PickledDtype | null = null;
  fortranOrder = false;
  /** The raw element bytes (C order unless `fortranOrder`). */
  data: Uint8Array = new Uint8Array(0);
  /** `BUILD` state `(version, shape, dtype, is_fortran, rawdata)`; rawdata is bytes or a latin-1 str. */
  setState(state: unknown): void {
    if (!Array.isArray(state) || state.length < 5) {
      throw new Error('ndarray state is not a tuple (version, shape, dtype, is_fortran, rawdata)');
    }
    const [, shape, dtype, fortran, raw] = state;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new Error('ndarray state: shape is not a tuple of non-negative ints');
    }
    if (!(dtype instanceof PickledDtype)) throw new Error('ndarray state: dtype is not a numpy.dtype');
    this.shape = shape as number[];
    this.dtype = dtype;
    this.fortranOrder = fortran === true;
    if (raw instanceof Uint8Array) {
      this.data = raw;
    } else if (typeof raw === 'string') {
      const out = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
      this.data = out;
    } else {
      throw new Error('ndarray state: object arrays (pickled element lists) are not supported');
    }
  }
}

const ndarrayGlobal: PickleGlobal = { call: () => new PickledNdarray() };
const dtypeGlobal: PickleGlobal = {
  call: (args) => {
    const code = asText(args[0]);
    if (code === undefined) throw new Error('numpy.dtype: first argument is not a type code');
    return new PickledDtype(code);
  },
};

/**
 * Whitelist entries that let {@link unpickle} rebuild plain numpy arrays (numeric dtypes) from
 * pickles written by numpy 1.x (`numpy.core.*`) and 2.x (`numpy._core.*`).
 *
 * **Details**
 * `_reconstruct` gives a {@link PickledNdarray}, `numpy.dtype` a {@link PickledDtype};
 * `numpy.ndarray` is only referenced; `_codecs.encode(str, 'latin1')` gives the raw bytes of an
 * array (or a bytes key) pickled by Python 3 at protocol 2 (see `CODECS_ENCODE_LATIN1`). Object
 * arrays are refused.
 *
 * @example
 * const batch = unpickle(bytes, { globals: { ...NUMPY_PICKLE_GLOBALS }, py2Strings: 'latin1' }) as Map<string, unknown>;
 * const pixels = ndarrayToTypedArray(batch.get('data') as PickledNdarray);
 * @category Weights
 */
export const NUMPY_PICKLE_GLOBALS: Readonly<Record<string, PickleGlobal>> = Object.freeze({
  'numpy.core.multiarray._reconstruct': ndarrayGlobal,
  'numpy._core.multiarray._reconstruct': ndarrayGlobal,
  'numpy.ndarray': {},
  'numpy.dtype': dtypeGlobal,
  '_codecs.encode': CODECS_ENCODE_LATIN1,
});

/**
 * Copies the bytes of a {@link PickledNdarray} into a typed array of its dtype (C order, as stored).
 *
 * @param arr - rebuilt array (dtype codes b1/u1/i1/u2/i2/u4/i4/f4/f8/i8/u8; any byte order)
 * @returns elements in storage order
 * @example
 * const labels = ndarrayToTypedArray(arr) as Int32Array;
 * @category Weights
 */
export function ndarrayToTypedArray(
  arr: PickledNdarray,
):
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array {
  const code = arr.dtype?.code ?? '';
  const little = arr.dtype?.byteOrder !== '>';
  const bytes = arr.data;
  const count = arr.shape.reduce((a, b) => a * b, 1);
  const spec: Record<string, [number, (v: DataView, o: number) => number | bigint, new (n: number) => any]> =
    {
      b1: [1, (v, o) => v.getUint8(o), Uint8Array],
      u1: [1, (v, o) => v.getUint8(o), Uint8Array],
      i1: [1, (v, o) => v.getInt8(o), Int8Array],
      u2: [2, (v, o) => v.getUint16(o, little), Uint16Array],
      i2: [2, (v, o) => v.getInt16(o, little), Int16Array],
      u4: [4, (v, o) => v.getUint32(o, little), Uint32Array],
      i4: [4, (v, o) => v.getInt32(o, little), Int32Array],
      f4: [4, (v, o) => v.getFloat32(o, little), Float32Array],
      f8: [8, (v, o) => v.getFloat64(o, little), Float64Array],
      i8: [8, (v, o) => v.getBigInt64(o, little), BigInt64Array],
      u8: [8, (v, o) => v.getBigUint64(o, little), BigUint64Array],
    };
  const s = spec[code];
  if (!s)
    throw new Error(
      `ndarrayToTypedArray: unsupported dtype '${code}' (expected one of ${Object.keys(spec).join(', ')})`,
    );
  const [size, get, Ctor] = s;
  if (bytes.length !== count * size) {
    throw new Error(
      `ndarrayToTypedArray: ${bytes.length} bytes for shape [${arr.shape}] of '${code}', expected ${count * size}`,
    );
  }
  const out = new Ctor(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = get(view, i * size);
  return out;
}
