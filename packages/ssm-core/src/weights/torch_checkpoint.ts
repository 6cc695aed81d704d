import { readFileSync } from 'node:fs';
import { bfloat16ToFloat, halfToFloat } from './half_float.js';
import { BASIC_PICKLE_GLOBALS } from './pickle/basic_pickle_globals.js';
import type { PickleGlobal } from './pickle/unpickle.js';
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
    readonly numel: number,
    readonly bytes: Uint8Array,
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it; materialised only when selected. */
class TensorRef {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
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
}

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
 * @param input - file bytes, or a path
 * @param options - error source name, which sub-dictionary
 * @returns name → {shape, dtype, data (float32)}, in checkpoint order
 * @throws WeightsFormatError for a malformed archive, a missing storage, a view outside its storage
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
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new WeightsFormatError(`${source}: unexpected persistent id ${JSON.stringify(pid)}`);
    }
    const [, typeRef, key, , numel] = pid as [string, unknown, string, string, number];
    const typeName = typeRef instanceof PickleGlobalRef ? typeRef.name : String(typeRef);
    const spec = STORAGE_TYPES[typeName];
    if (!spec) throw new WeightsFormatError(`${source}: storage '${key}' has unsupported type ${typeName}`);
    const cached = storages.get(key);
    if (cached) return cached;
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry)
      throw new WeightsFormatError(
        `${source}: storage '${key}' (${prefix}data/${key}) is missing from the archive`,
      );
    if (entry.data.length < numel * spec[1]) {
      throw new WeightsFormatError(
        `${source}: storage '${key}' has ${entry.data.length} bytes, expected ${numel * spec[1]} (${numel} × ${spec[0]}): truncated`,
      );
    }
    const s = new Storage(key, spec[0], spec[1], numel, entry.data);
    storages.set(key, s);
    return s;
  };
  const rebuildTensor: PickleGlobal = {
    call: (args) => {
      const [storage, offset, size, stride] = args as [Storage, number, number[], number[]];
      if (!(storage instanceof Storage)) throw new Error('first argument is not a storage');
      return new TensorRef(storage, offset, [...size], [...stride]);
    },
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
  for (const [name, value] of dict) {
    if (value instanceof TensorRef) out.set(String(name), materialise(value, String(name), source));
  }
  return out;
}

function materialise(t: TensorRef, name: string, source: string): TorchTensor {
  const { storage, offset, shape, stride } = t;
  const count = shape.reduce((a, b) => a * b, 1);
  let maxIndex = offset;
  for (let i = 0; i < shape.length; i++) if (shape[i] > 0) maxIndex += (shape[i] - 1) * stride[i];
  if (count > 0 && (offset < 0 || maxIndex >= storage.numel)) {
    throw new WeightsFormatError(
      `${source}: tensor '${name}' (shape [${shape}], stride [${stride}], offset ${offset}) reaches element ${maxIndex} of storage '${storage.key}' with ${storage.numel} elements`,
    );
  }
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
  } else {
    const rank = shape.length;
    const idx = new Array(rank).fill(0);
    let src = offset;
    for (let i = 0; i < count; i++) {
      data[i] = read(src);
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]++;
        src += stride[d];
        if (idx[d] < shape[d]) break;
        src -= stride[d] * shape[d];
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
