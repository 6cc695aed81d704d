import { readFileSync } from 'node:fs';
import { bfloat16ToFloat, halfToFloat } from './half_float.js';
import { BASIC_PICKLE_GLOBALS } from './pickle/basic_pickle_globals.js';
import type { PickleGlobal, UnpickleLimits } from './pickle/unpickle.js';
import { PickleGlobalRef, unpickle } from './pickle/unpickle.js';
import { WeightsFormatError } from './weights_format_error.js';
import { readZip } from './zip_reader.js';

/** Element types of torch storages this reader understands. @category Weights */
export type TorchDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8';

/** A tensor read from a checkpoint, converted to float32 (C order). @category Weights */
export interface TorchTensor {
  shape: number[];
  /** Element type as stored in the file. */
  dtype: TorchDtype;
  data: Float32Array;
}

const STORAGE_TYPES: Record<string, [TorchDtype, number]> = {
  'torch.FloatStorage': ['float32', 4],
  'torch.HalfStorage': ['float16', 2],
  'torch.BFloat16Storage': ['bfloat16', 2],
  'torch.DoubleStorage': ['float64', 8],
  'torch.LongStorage': ['int64', 8],
  'torch.IntStorage': ['int32', 4],
  'torch.ByteStorage': ['uint8', 1],
};

/**
 * Globals that may appear in the NON-tensor parts of a training checkpoint (saved arguments,
 * configs, numpy scalars). They are replaced by inert placeholders: nothing is imported or run.
 *
 * @category Weights
 */
export const INERT_CHECKPOINT_GLOBALS: readonly string[] = [
  'argparse.Namespace',
  'yacs.config.CfgNode',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.dtype',
  'torch.device',
  'pathlib.PosixPath',
];

class Storage {
  constructor(
    readonly key: string,
    readonly dtype: TorchDtype,
    readonly itemSize: number,
    /** Declared element count, validated against the bytes present (0 when `problem` is set). */
    readonly numel: number,
    readonly bytes: Uint8Array,
    /** Why the storage cannot be used; reported with the name of the first tensor that uses it. */
    readonly problem?: string,
  ) {}
}

/**
 * A tensor as `_rebuild_tensor_v2` describes it; materialised only when selected. The arguments are
 * kept as pickled (unknown types) and validated in {@link materialise}, where the key is known.
 */
class TensorRef {
  constructor(
    readonly storage: unknown,
    readonly offset: unknown,
    readonly size: unknown,
    readonly stride: unknown,
  ) {}
}

/** An inert stand-in for an allowed non-tensor global (never executed). */
class InertObject {
  state: unknown;
  constructor(
    readonly global: string,
    readonly args: unknown[],
  ) {}
  setState(s: unknown): void {
    this.state = s;
  }
}

/** Options of {@link readTorchCheckpoint}. @category Weights */
export interface ReadTorchCheckpointOptions {
  /** File name for errors (default: the path, or `<checkpoint>`). */
  source?: string;
  /**
   * Which dictionary holds the tensors: `'auto'` (default) takes `ckpt['model']`, else
   * `ckpt['state_dict']`, else the top level; a string names the key; `null` the top level.
   */
  key?: string | null | 'auto';
  /**
   * Largest single tensor to materialise, in bytes of float32 output. Default 2^31 (2 GiB), above
   * any tensor of the official checkpoints.
   */
  maxTensorBytes?: number;
  /**
   * Largest total of all materialised tensors, in bytes of float32 output. Default 8 × the file
   * size + 1 MiB: a view may repeat storage elements (stride 0, tied weights) and uint8/fp16
   * storages grow when converted to float32, but a small file can never make the reader allocate
   * gigabytes.
   */
  maxTotalBytes?: number;
  /** Bounds for the pickle decoder (see `DEFAULT_UNPICKLE_LIMITS`). */
  pickleLimits?: Partial<UnpickleLimits>;
}

/** Default of {@link ReadTorchCheckpointOptions.maxTensorBytes}: 2 GiB. @category Weights */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 31;

/**
 * Reads a PyTorch checkpoint as `torch.save` writes it (zip archive with `<name>/data.pkl` and
 * `<name>/data/<key>` storages) into float32 tensors, without executing any pickled code.
 *
 * **Details**
 * The pickle is decoded by the safe `unpickle` with a whitelist: `torch._utils._rebuild_tensor_v2`,
 * `torch._utils._rebuild_parameter`, the storage classes (`Float`, `Half`, `BFloat16`, `Double`,
 * `Long`, `Int`, `Byte`), `collections.OrderedDict`, `_codecs.encode`, and inert placeholders for
 * {@link INERT_CHECKPOINT_GLOBALS}; anything else raises `PickleSecurityError`. Storages are found
 * through persistent ids; storage offsets and strides are honoured (non-contiguous views are
 * materialised in C order). Only tensors of the selected dictionary (`options.key`, by default the
 * official `ckpt['model']`) are converted; other entries (non-tensors, optimizer state) are skipped.
 * The legacy (pre-1.6, non-zip) format is not supported.
 *
 * Hostile files are contained: every storage size, tensor size, stride and offset must be a
 * non-negative safe integer; the last element a view addresses, offset + Σ (size_i − 1)·stride_i,
 * must lie inside its storage, and the storage's declared size inside the bytes present; all of it
 * is checked before any allocation. `maxTensorBytes` and `maxTotalBytes` then cap what views that
 * repeat elements (stride 0) may materialise, and `pickleLimits` bound the pickle decoder.
 *
 * @param input - file bytes, or a path
 * @param options - error source name, which sub-dictionary
 * @returns name → {shape, dtype, data (float32)}, in checkpoint order
 * @throws WeightsFormatError for a malformed archive, a missing storage, an invalid size, stride or
 *   offset, a view outside its storage, or a tensor beyond `maxTensorBytes` / `maxTotalBytes`
 * @throws PickleFormatError for a malformed `data.pkl` (`PickleLimitError` beyond `pickleLimits`)
 * @throws PickleSecurityError for a global outside the whitelist
 * @example
 * const sd = readTorchCheckpoint('defocus_mamba_large_cls_21k.pth');
 * @category Weights
 */
export function readTorchCheckpoint(
  input: Uint8Array | string,
  options: ReadTorchCheckpointOptions = {},
): Map<string, TorchTensor> {
  const source = options.source ?? (typeof input === 'string' ? input : '<checkpoint>');
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    const buf = readFileSync(input); // a view, not a copy: checkpoints can be GBs
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } else {
    bytes = input;
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new WeightsFormatError(
      `${source}: legacy (non-zip, pre-PyTorch-1.6) checkpoint format is not supported; re-save it with torch.save`,
    );
  }
  const entries = readZip(bytes, source);
  const pklName = [...entries.keys()].find((k) => k === 'data.pkl' || k.endsWith('/data.pkl'));
  if (pklName === undefined)
    throw new WeightsFormatError(`${source}: no '<archive>/data.pkl' entry; not a torch.save file`);
  const prefix = pklName.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(order.data).trim() !== 'little') {
    throw new WeightsFormatError(
      `${source}: byteorder '${new TextDecoder().decode(order.data)}' is not supported (expected little)`,
    );
  }
  const maxTensorBytes = limitOption(options.maxTensorBytes, DEFAULT_MAX_TENSOR_BYTES, 'maxTensorBytes');
  const maxTotalBytes = limitOption(options.maxTotalBytes, 8 * bytes.length + 2 ** 20, 'maxTotalBytes');
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new WeightsFormatError(
        `${source}: unexpected persistent id ${describeValue(pid)}, expected ('storage', type, key, location, size)`,
      );
    }
    const [, typeRef, key, , numel] = pid as unknown[];
    if (typeof key !== 'string' || key.length > 256) {
      throw new WeightsFormatError(
        `${source}: storage key ${describeValue(key)} is not a string of at most 256 characters`,
      );
    }
    const typeName = typeRef instanceof PickleGlobalRef ? typeRef.name : describeValue(typeRef);
    const spec = STORAGE_TYPES[typeName];
    if (!spec)
      throw new WeightsFormatError(
        `${source}: storage '${key}' has unsupported type ${typeName} (expected one of ${Object.keys(STORAGE_TYPES).join(', ')})`,
      );
    const cached = storages.get(key);
    if (cached) {
      if (cached.dtype !== spec[0] || (!cached.problem && cached.numel !== numel)) {
        throw new WeightsFormatError(
          `${source}: storage '${key}' is declared twice, as ${cached.numel} × ${cached.dtype} and as ${describeValue(numel)} × ${spec[0]}`,
        );
      }
      return cached;
    }
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry)
      throw new WeightsFormatError(
        `${source}: storage '${key}' (${prefix}data/${key}) is missing from the archive`,
      );
    let problem: string | undefined;
    if (!isIndex(numel)) {
      problem = `storage '${key}' declares size ${describeValue(numel)}, expected a non-negative integer element count`;
    } else if (entry.data.length < numel * spec[1]) {
      problem = `storage '${key}' has ${entry.data.length} bytes, expected ${numel * spec[1]} (${numel} × ${spec[0]}): truncated`;
    }
    const s = problem
      ? new Storage(key, spec[0], spec[1], 0, entry.data, problem)
      : new Storage(key, spec[0], spec[1], numel as number, entry.data);
    storages.set(key, s);
    return s;
  };
  const rebuildTensor: PickleGlobal = {
    call: (args) => new TensorRef(args[0], args[1], args[2], args[3]),
  };
  const globals: Record<string, PickleGlobal> = {
    ...BASIC_PICKLE_GLOBALS,
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_parameter': { call: (args) => args[0] },
  };
  for (const name of Object.keys(STORAGE_TYPES)) globals[name] = {};
  for (const name of INERT_CHECKPOINT_GLOBALS) {
    globals[name] = {
      call: (args) => new InertObject(name, args),
      newObj: (args) => new InertObject(name, args),
    };
  }
  const root = unpickle(entries.get(pklName)!.data, {
    globals,
    persistentLoad,
    source: `${source}:${pklName}`,
    limits: options.pickleLimits,
  });
  let dict: unknown = root;
  const key = options.key === undefined ? 'auto' : options.key;
  if (key === 'auto') {
    if (root instanceof Map && root.get('model') instanceof Map) dict = root.get('model');
    else if (root instanceof Map && root.get('state_dict') instanceof Map) dict = root.get('state_dict');
  } else if (key !== null) {
    if (!(root instanceof Map) || !(root.get(key) instanceof Map)) {
      throw new WeightsFormatError(`${source}: the checkpoint has no dictionary under key '${key}'`);
    }
    dict = root.get(key);
  }
  if (!(dict instanceof Map))
    throw new WeightsFormatError(`${source}: the checkpoint is not a dictionary of tensors`);
  const out = new Map<string, TorchTensor>();
  let totalBytes = 0;
  for (const [name, value] of dict) {
    if (!(value instanceof TensorRef)) continue;
    if (typeof name !== 'string') {
      throw new WeightsFormatError(
        `${source}: a tensor is stored under the key ${describeValue(name)}, expected a string`,
      );
    }
    const t = validate(value, name, source);
    const tensorBytes = t.count * 4;
    if (tensorBytes > maxTensorBytes) {
      throw new WeightsFormatError(
        `${source}: tensor '${name}' (shape [${t.shape}]) would take ${tensorBytes} bytes as float32, above maxTensorBytes (${maxTensorBytes}); raise the option only for a trusted file`,
      );
    }
    totalBytes += tensorBytes;
    if (totalBytes > maxTotalBytes) {
      throw new WeightsFormatError(
        `${source}: tensor '${name}' (shape [${t.shape}]) brings the float32 output to ${totalBytes} bytes, above maxTotalBytes (${maxTotalBytes}; the default is 8 × the file size + 1 MiB); raise the option only for a trusted file`,
      );
    }
    out.set(name, materialise(t));
  }
  return out;
}

function limitOption(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!(typeof v === 'number' && v >= 0 && (Number.isSafeInteger(v) || v === Infinity))) {
    throw new TypeError(`readTorchCheckpoint: ${name} must be a non-negative integer or Infinity, got ${v}`);
  }
  return v;
}

/** A non-negative safe integer: what every size, stride, offset and element count must be. */
function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A short, never-throwing description of a pickled value for error messages. */
function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString().length > 40 ? 'a huge integer' : `${v}`;
  if (Array.isArray(v)) return `a tuple of ${v.length}`;
  if (v instanceof PickleGlobalRef) return v.name;
  if (v instanceof Uint8Array) return `bytes of length ${v.length}`;
  if (v instanceof Map) return 'a dict';
  return typeof v === 'object' ? 'an object' : typeof v;
}

interface ValidTensor {
  storage: Storage;
  offset: number;
  shape: number[];
  stride: number[];
  count: number;
}

/**
 * Checks the `_rebuild_tensor_v2` arguments of tensor `name` before anything is allocated: sizes,
 * strides and offset are non-negative safe integers of one rank, and the view stays inside its
 * storage: offset + Σ (size_i − 1)·stride_i < numel (for a non-empty view).
 */
function validate(t: TensorRef, name: string, source: string): ValidTensor {
  const where = `${source}: tensor '${name}'`;
  const { storage, offset, size, stride } = t;
  if (!(storage instanceof Storage)) {
    throw new WeightsFormatError(`${where}: rebuilt from ${describeValue(storage)}, expected a storage`);
  }
  if (storage.problem) throw new WeightsFormatError(`${where}: ${storage.problem}`);
  if (!Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length) {
    throw new WeightsFormatError(
      `${where}: size ${describeValue(size)} and stride ${describeValue(stride)}, expected two tuples of the same length`,
    );
  }
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < size.length; i++) {
    if (!isIndex(size[i]) || !isIndex(stride[i])) {
      throw new WeightsFormatError(
        `${where}: dimension ${i} has size ${describeValue(size[i])} and stride ${describeValue(stride[i])}, expected non-negative integers`,
      );
    }
    shape.push(size[i]);
    strides.push(stride[i]);
  }
  if (!isIndex(offset)) {
    throw new WeightsFormatError(
      `${where}: storage offset ${describeValue(offset)}, expected a non-negative integer`,
    );
  }
  let count = 1;
  for (const d of shape) count *= d;
  if (!Number.isSafeInteger(count)) {
    throw new WeightsFormatError(`${where}: shape [${shape}] has more than 2^53 elements`);
  }
  if (count > 0) {
    // the last addressed element; float arithmetic is monotone, so an overflowed sum stays too large
    let last = offset;
    for (let i = 0; i < shape.length; i++) last += (shape[i] - 1) * strides[i];
    if (last >= storage.numel) {
      throw new WeightsFormatError(
        `${where} (shape [${shape}], stride [${strides}], offset ${offset}) reaches element ${last} of storage '${storage.key}', which has ${storage.numel} elements`,
      );
    }
  }
  return { storage, offset, shape, stride: strides, count };
}

function materialise(t: ValidTensor): TorchTensor {
  const { storage, offset, shape, stride, count } = t;
  const view = new DataView(storage.bytes.buffer, storage.bytes.byteOffset, storage.bytes.byteLength);
  const read = reader(storage.dtype, view);
  const data = new Float32Array(count);
  let contiguous = true;
  for (let i = shape.length - 1, expect = 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) contiguous = false;
    expect *= shape[i];
  }
  if (contiguous) {
    if (storage.dtype === 'float32' && (storage.bytes.byteOffset + offset * 4) % 4 === 0) {
      data.set(new Float32Array(storage.bytes.buffer, storage.bytes.byteOffset + offset * 4, count));
    } else {
      for (let i = 0; i < count; i++) data[i] = read(offset + i);
    }
  } else if (count > 0) {
    // size-1 dimensions do not move the address: without them every dimension has size ≥ 2, so the
    // rank is at most log2(count) and the odometer below costs O(count), whatever the pickled rank
    const sizes = shape.filter((d) => d !== 1);
    const steps = stride.filter((_, i) => shape[i] !== 1);
    const rank = sizes.length;
    const idx = new Array(rank).fill(0);
    let src = offset;
    for (let i = 0; i < count; i++) {
      data[i] = read(src);
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]++;
        src += steps[d];
        if (idx[d] < sizes[d]) break;
        src -= steps[d] * sizes[d];
        idx[d] = 0;
      }
    }
  }
  return { shape: [...shape], dtype: storage.dtype, data };
}

function reader(dtype: TorchDtype, v: DataView): (i: number) => number {
  switch (dtype) {
    case 'float32':
      return (i) => v.getFloat32(i * 4, true);
    case 'float16':
      return (i) => halfToFloat(v.getUint16(i * 2, true));
    case 'bfloat16':
      return (i) => bfloat16ToFloat(v.getUint16(i * 2, true));
    case 'float64':
      return (i) => v.getFloat64(i * 8, true);
    case 'int64':
      return (i) => Number(v.getBigInt64(i * 8, true));
    case 'int32':
      return (i) => v.getInt32(i * 4, true);
    case 'uint8':
      return (i) => v.getUint8(i);
  }
}
