/**
 * CIFAR-100 from the official binary (`cifar-100-binary/`) or python (`cifar-100-python/`) version.
 *
 * **Details**
 * Binary: `train.bin` / `test.bin` are records of 3074 bytes: coarse label, fine label, then 3072
 * pixels in CHW order (1024 red, 1024 green, 1024 blue, rows top to bottom); class names come from
 * `fine_label_names.txt` (one per line). Python: `train` / `test` are pickles of a dict with
 * `data` (uint8 ndarray [N, 3072], CHW rows) and `fine_labels`; `meta` holds `fine_label_names`.
 * The pickles are read with `@mamba-cl/ssm-core`'s safe `unpickle`, whitelisting only numpy array
 * reconstruction (`numpy.core.multiarray._reconstruct` / `numpy._core.multiarray._reconstruct`,
 * `numpy.ndarray`, `numpy.dtype`, and `_codecs.encode(str, 'latin1')`, which is how Python 3 writes
 * bytes when it re-saves the batches at protocol 2); any other global is refused. The pixel bytes are
 * checked against the declared shape, and `fine_labels` / `coarse_labels` against the image count and
 * the class ranges, before anything is copied. Global labels = fine labels
 * (0 = apple, spec §5); samples keep their file order (= the original index).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  NUMPY_PICKLE_GLOBALS,
  ndarrayToTypedArray,
  PickledNdarray,
  PickleSecurityError,
  unpickle,
} from '@mamba-cl/ssm-core';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import type { ImageSource } from './image_source.js';
import { type PackedSplit, packedSource } from './packed_source.js';

const PIXELS = 3072;
const RECORD = PIXELS + 2;

/** Reads a whole file; a missing or unreadable file is a {@link DatasetFormatError} naming its path. */
function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DatasetFormatError(`${path}: cannot read CIFAR-100 file (${(e as Error).message})`);
  }
}

/**
 * Options of {@link loadCifar100}.
 *
 * @category Sources
 */
export interface Cifar100Options {
  /** Which release to read; 'auto' (default) prefers the binary version when both are present. */
  format?: 'auto' | 'binary' | 'python';
}

/**
 * Parses one CIFAR-100 binary file (`train.bin` / `test.bin`).
 *
 * @param bytes - file contents, N·3074 bytes
 * @param name - file name for keys and errors
 * @returns CHW pixels [N, 3072] and fine labels [N]
 * @example
 * const split = parseCifar100Binary(readFileSync('cifar-100-binary/test.bin'), 'test.bin');
 * @category Sources
 */
export function parseCifar100Binary(bytes: Uint8Array, name: string): PackedSplit & { coarse: Uint8Array } {
  if (bytes.length === 0)
    throw new DatasetFormatError(`${name}: file is empty, expected records of ${RECORD} bytes`);
  const n = Math.floor(bytes.length / RECORD);
  const rest = bytes.length - n * RECORD;
  if (rest !== 0) {
    throw new DatasetFormatError(
      `${name}: record ${n} is ${rest} bytes, expected ${RECORD} (coarse label + fine label + ${PIXELS} pixels)`,
    );
  }
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  const coarse = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * RECORD;
    coarse[i] = bytes[o];
    labels[i] = bytes[o + 1];
    if (coarse[i] > 19)
      throw new DatasetFormatError(`${name}: record ${i} has coarse label ${coarse[i]}, expected 0..19`);
    if (labels[i] > 99)
      throw new DatasetFormatError(`${name}: record ${i} has fine label ${labels[i]}, expected 0..99`);
    pixels.set(bytes.subarray(o + 2, o + RECORD), i * PIXELS);
  }
  return { pixels, labels, coarse, file: name };
}

function readNames(path: string, expected: number): string[] {
  const names = readBytes(path)
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== expected) {
    throw new DatasetFormatError(`${basename(path)}: ${names.length} names, expected ${expected}`);
  }
  return names;
}

function unpickleCifar(bytes: Uint8Array, name: string): Map<unknown, unknown> {
  let value: unknown;
  try {
    value = unpickle(bytes, {
      globals: { ...NUMPY_PICKLE_GLOBALS },
      source: name,
      py2Strings: 'latin1',
    });
  } catch (e) {
    if (e instanceof PickleSecurityError || e instanceof DatasetFormatError) throw e;
    throw new DatasetFormatError(`${name}: not a readable CIFAR pickle (${(e as Error).message})`);
  }
  if (!(value instanceof Map))
    throw new DatasetFormatError(`${name}: pickle holds no dict, expected a CIFAR batch dict`);
  return value;
}

function key(map: Map<unknown, unknown>, k: string, file: string): unknown {
  if (!map.has(k)) {
    // Keys are shown only when they are short strings: a hostile key (a tuple nested 200k deep)
    // must not turn the message itself into a RangeError.
    const keys = [...map.keys()]
      .slice(0, 20)
      .map((x) => (typeof x === 'string' && x.length <= 64 ? x : `<${typeof x}>`))
      .join(', ');
    throw new DatasetFormatError(`${file}: key '${k}' missing (keys: ${keys})`);
  }
  return map.get(k);
}

/** Checks a label list: n integers in 0..classes-1 (absent is fine when not required). */
function readLabels(
  batch: Map<unknown, unknown>,
  k: string,
  name: string,
  n: number,
  classes: number,
  required: boolean,
): Int32Array | undefined {
  if (!required && !batch.has(k)) return undefined;
  const list = key(batch, k, name);
  if (!Array.isArray(list) || list.length !== n) {
    throw new DatasetFormatError(
      `${name}: key '${k}' has ${Array.isArray(list) ? `${list.length} entries` : `a ${typeof list}`}, expected a list of ${n} (one per image)`,
    );
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = list[i];
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= classes) {
      throw new DatasetFormatError(
        `${name}: ${k}[${i}] = ${typeof l === 'bigint' ? `${l}n` : String(l)}, expected 0..${classes - 1}`,
      );
    }
    out[i] = l;
  }
  return out;
}

/**
 * Parses one CIFAR-100 python pickle (`train` / `test`).
 *
 * @param path - the pickle file
 * @returns CHW pixels [N, 3072] and fine labels [N]
 * @example
 * const split = readCifar100Pickle('cifar-100-python/test');
 * @category Sources
 */
export function readCifar100Pickle(path: string): PackedSplit {
  return parseCifar100Pickle(readBytes(path), basename(path));
}

/**
 * Parses the bytes of one CIFAR-100 python pickle (`train` / `test`); see {@link readCifar100Pickle}.
 *
 * @param bytes - the pickle file contents
 * @param name - file name for keys and errors
 * @returns CHW pixels [N, 3072] and fine labels [N]
 * @example
 * const split = parseCifar100Pickle(readFileSync('cifar-100-python/test'), 'test');
 * @category Sources
 */
export function parseCifar100Pickle(bytes: Uint8Array, name: string): PackedSplit {
  const batch = unpickleCifar(bytes, name);
  const data = key(batch, 'data', name);
  if (!(data instanceof PickledNdarray))
    throw new DatasetFormatError(`${name}: key 'data' is not a numpy array`);
  if (data.dtype?.code !== 'u1' || data.shape.length !== 2 || data.shape[1] !== PIXELS || data.fortranOrder) {
    throw new DatasetFormatError(
      `${name}: key 'data' is ${data.dtype?.code} [${data.shape}]${data.fortranOrder ? ' (Fortran order)' : ''}, expected uint8 [N, ${PIXELS}] in C order`,
    );
  }
  const n = data.shape[0] as number;
  if (!Number.isSafeInteger(n) || n < 0 || data.data.length !== n * PIXELS) {
    throw new DatasetFormatError(
      `${name}: key 'data' holds ${data.data.length} bytes for shape [${data.shape}], expected ${Number.isSafeInteger(n) && n >= 0 ? n * PIXELS : `N·${PIXELS}`} (truncated or corrupt)`,
    );
  }
  const pixels = ndarrayToTypedArray(data) as Uint8Array;
  const labels = readLabels(batch, 'fine_labels', name, n, 100, true) as Int32Array;
  readLabels(batch, 'coarse_labels', name, n, 20, false);
  return { pixels, labels, file: name };
}

function resolveDir(root: string, sub: string): string | undefined {
  if (existsSync(join(root, sub))) return join(root, sub);
  if (basename(root) === sub && existsSync(root)) return root;
  return undefined;
}

/**
 * Loads CIFAR-100 (32×32×3, 100 fine classes, 50 000 train / 10 000 test).
 *
 * @param root - a directory holding `cifar-100-binary/` or `cifar-100-python/` (or that directory itself)
 * @param options - which format
 * @returns the source; val = the official test set
 * @example
 * const cifar = loadCifar100('/data'); // reads /data/cifar-100-binary or /data/cifar-100-python
 * @category Sources
 */
export function loadCifar100(root: string, options: Cifar100Options = {}): ImageSource {
  const format = options.format ?? 'auto';
  const binDir = format === 'python' ? undefined : resolveDir(root, 'cifar-100-binary');
  const pyDir = format === 'binary' || binDir ? undefined : resolveDir(root, 'cifar-100-python');
  let train: PackedSplit;
  let val: PackedSplit;
  let classNames: string[];
  if (binDir) {
    train = parseCifar100Binary(readBytes(join(binDir, 'train.bin')), 'train.bin');
    val = parseCifar100Binary(readBytes(join(binDir, 'test.bin')), 'test.bin');
    classNames = readNames(join(binDir, 'fine_label_names.txt'), 100);
  } else if (pyDir) {
    train = readCifar100Pickle(join(pyDir, 'train'));
    val = readCifar100Pickle(join(pyDir, 'test'));
    const meta = unpickleCifar(readBytes(join(pyDir, 'meta')), 'meta');
    const names = key(meta, 'fine_label_names', 'meta');
    if (!Array.isArray(names) || names.length !== 100 || !names.every((s) => typeof s === 'string')) {
      throw new DatasetFormatError(`meta: 'fine_label_names' is not a list of 100 strings`);
    }
    classNames = names as string[];
  } else {
    throw new DatasetFormatError(
      `${root}: no ${format === 'python' ? '' : 'cifar-100-binary/ '}${format === 'binary' ? '' : 'cifar-100-python/ '}directory found`.replace(
        '/ c',
        '/ or c',
      ),
    );
  }
  return packedSource({
    name: 'cifar100',
    classNames,
    height: 32,
    width: 32,
    channels: 3,
    layout: 'chw',
    train,
    val,
  });
}
