import { type PickleValue, writePickle } from './pickle_writer.js';
import { writeStoredZip } from './stored_zip.js';

/**
 * Test-only: one tensor as `torch.save` pickles it, `_rebuild_tensor_v2(storage, offset, size,
 * stride, requires_grad, hooks)`, with every field free so tests can write hostile values (NaN,
 * strings, negative numbers). Not published.
 */
export interface WrittenTensor {
  /** Storage key (the archive entry `<archive>/data/<key>`). */
  storage: string;
  /** Storage class, default `'torch.FloatStorage'`. */
  storageType?: string;
  /** Declared storage element count; default: the entry's bytes / item size. */
  storageSize?: PickleValue;
  /** Storage offset in elements, default 0. */
  offset?: PickleValue;
  size: PickleValue;
  stride: PickleValue;
}

const ITEM: Record<string, number> = {
  'torch.FloatStorage': 4,
  'torch.HalfStorage': 2,
  'torch.BFloat16Storage': 2,
  'torch.DoubleStorage': 8,
  'torch.LongStorage': 8,
  'torch.IntStorage': 4,
  'torch.ByteStorage': 1,
};

/**
 * Writes a `torch.save`-style zip: `<archive>/data.pkl` holding `{'model': {name: tensor}}` (or the
 * dict itself with `wrap: null`), `<archive>/byteorder`, `<archive>/version` and one
 * `<archive>/data/<key>` entry per storage.
 *
 * @example
 * const pth = writeTorchCheckpoint({ w: { storage: '0', size: [2], stride: [1] } }, { '0': new Uint8Array(8) });
 */
export function writeTorchCheckpoint(
  tensors: Readonly<Record<string, WrittenTensor>>,
  storages: Readonly<Record<string, Uint8Array>>,
  options: { archive?: string; wrap?: 'model' | null; extra?: ReadonlyArray<[string, PickleValue]> } = {},
): Uint8Array {
  const archive = options.archive ?? 'archive';
  const dict = new Map<PickleValue, PickleValue>();
  for (const [name, t] of Object.entries(tensors)) {
    const type = t.storageType ?? 'torch.FloatStorage';
    const bytes = storages[t.storage];
    const size = t.storageSize !== undefined ? t.storageSize : bytes ? bytes.length / (ITEM[type] ?? 1) : 0;
    dict.set(name, {
      $reduce: [
        { $global: 'torch._utils._rebuild_tensor_v2' },
        [
          { $persid: ['storage', { $global: type }, t.storage, 'cpu', size] },
          t.offset !== undefined ? t.offset : 0,
          t.size,
          t.stride,
          false,
          { $reduce: [{ $global: 'collections.OrderedDict' }, []] },
        ],
      ],
    });
  }
  const wrap = options.wrap === undefined ? 'model' : options.wrap;
  const root =
    wrap === null ? dict : new Map<PickleValue, PickleValue>([[wrap, dict], ...(options.extra ?? [])]);
  const enc = new TextEncoder();
  return writeStoredZip([
    [`${archive}/data.pkl`, writePickle(root)],
    [`${archive}/byteorder`, enc.encode('little')],
    ...Object.entries(storages).map(([k, b]) => [`${archive}/data/${k}`, b] as const),
    [`${archive}/version`, enc.encode('3\n')],
  ]);
}

/** Little-endian float32 bytes of `values`. */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
