/**
 * Image folders and list files: the unified layout of the official code and the raw-dataset lists
 * (spec §5).
 *
 * **Details**
 * Class ids follow spec §5: CIFAR-100 uses `int(folder)`; ImageNet-R the index of the wnid in the
 * sorted list of wnids; DomainNet the label given (folder = label zero-padded to 3, or the list's
 * label column); 'generic' the index of the folder in sorted order (torchvision `ImageFolder`).
 * Within a split, items are sorted by class id, then by path (Python `sorted` order, code points).
 * Images are decoded lazily with `decodeImage` (JPEG/PNG through sharp, BMP by our decoder).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type DecodeMode, decodeImage } from '../image/decode_image.js';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import { CIFAR100_CLASS_NAMES } from './cifar100_class_names.js';
import type { ImageSource, LabeledItem } from './image_source.js';

/** How folder names / list lines map to class ids. @category Sources */
export type FolderDataset = 'cifar100' | 'imagenet-r' | 'domainnet' | 'generic';

const IMAGE_EXT = /\.(jpe?g|png|bmp)$/i;

/**
 * Options shared by {@link loadImageFolder} and {@link loadListFiles}.
 *
 * @category Sources
 */
export interface FolderSourceOptions {
  /** Class-id rule (spec §5). Default 'generic'. */
  dataset?: FolderDataset;
  /**
   * Class names file: one name per line in label order (`cifar100_classnames.txt`), or `"<wnid> <name>"`
   * lines (`imagenet_r_classnames.txt`, matched by wnid). Default: CIFAR-100 names / folder names.
   */
  classNamesFile?: string;
  /** Channel handling of the decoder (default 'rgb', PIL convert("RGB")). */
  mode?: DecodeMode;
  /** Source name (default: the dataset). */
  name?: string;
}

interface Entry {
  label: number;
  path: string;
}

function fileItem(e: Entry, mode: DecodeMode): LabeledItem {
  return {
    label: e.label,
    key: e.path,
    file: e.path,
    load: () => decodeImage(e.path, { mode }),
  };
}

function sortEntries(entries: Entry[]): Entry[] {
  return entries.sort((a, b) => a.label - b.label || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function parseIntFolder(folder: string, where: string, max: number, digits: string): number {
  if (!/^\d+$/.test(folder)) {
    throw new DatasetFormatError(`${where}: class folder '${folder}' is not a number, expected ${digits}`);
  }
  const v = Number(folder);
  if (v >= max)
    throw new DatasetFormatError(`${where}: class folder '${folder}' is ${v}, expected 0..${max - 1}`);
  return v;
}

function readClassNames(file: string, keys: readonly string[]): string[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const pairs = lines.map((l) => {
    const m = /^(\S+)\s+(.+)$/.exec(l);
    return m ? [m[1], m[2]] : [l, l];
  });
  const byKey = new Map(pairs.map(([k, v]) => [k, v]));
  if (keys.length > 0 && keys.every((k) => byKey.has(k))) return keys.map((k) => byKey.get(k)!);
  return lines;
}

function namesFor(
  dataset: FolderDataset,
  keys: string[],
  options: FolderSourceOptions,
  numClasses: number,
): string[] {
  if (options.classNamesFile) {
    const names = readClassNames(options.classNamesFile, keys);
    if (names.length < numClasses) {
      throw new DatasetFormatError(
        `${basename(options.classNamesFile)}: ${names.length} names, expected at least ${numClasses}`,
      );
    }
    return names;
  }
  if (dataset === 'cifar100') return [...CIFAR100_CLASS_NAMES];
  return keys;
}

function listDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() || (d.isSymbolicLink() && statSync(join(dir, d.name)).isDirectory()))
    .map((d) => d.name)
    .sort();
}

/**
 * Reads the unified layout `ROOT/{train,val}/<class_folder>/<image>` (JPEG, PNG, BMP).
 *
 * @param root - the dataset root holding `train/` and `val/`
 * @param options - class-id rule, names, decode mode
 * @returns a lazy source: items decode their file on `load()`
 * @example
 * const r = loadImageFolder('/data/imagenet-r', { dataset: 'imagenet-r' });
 * @category Sources
 */
export function loadImageFolder(root: string, options: FolderSourceOptions = {}): ImageSource {
  const dataset = options.dataset ?? 'generic';
  const mode = options.mode ?? 'rgb';
  for (const split of ['train', 'val']) {
    if (!existsSync(join(root, split))) {
      throw new DatasetFormatError(
        `${root}: no ${split}/ directory, expected ROOT/{train,val}/<class>/<image>`,
      );
    }
  }
  const folders = [...new Set([...listDirs(join(root, 'train')), ...listDirs(join(root, 'val'))])].sort();
  const classOf = new Map<string, number>();
  let numClasses = folders.length;
  for (const [i, f] of folders.entries()) {
    if (dataset === 'cifar100')
      classOf.set(f, parseIntFolder(f, join(root, 'train'), 100, '2 digits 00..99'));
    else if (dataset === 'domainnet')
      classOf.set(f, parseIntFolder(f, join(root, 'train'), 1000, '3 digits'));
    else classOf.set(f, i);
  }
  if (dataset === 'cifar100') numClasses = 100;
  if (dataset === 'domainnet') numClasses = Math.max(-1, ...classOf.values()) + 1;
  const collect = (split: string): LabeledItem[] => {
    const entries: Entry[] = [];
    for (const f of listDirs(join(root, split))) {
      const dir = join(root, split, f);
      for (const name of readdirSync(dir)) {
        if (IMAGE_EXT.test(name)) entries.push({ label: classOf.get(f)!, path: join(dir, name) });
      }
    }
    return sortEntries(entries).map((e) => fileItem(e, mode));
  };
  let classNames: string[];
  if (dataset === 'domainnet' && !options.classNamesFile) {
    // the folder is the zero-padded label; no names on disk
    classNames = Array.from({ length: numClasses }, (_, i) => String(i).padStart(3, '0'));
  } else {
    classNames = namesFor(dataset, dataset === 'cifar100' ? [] : folders, options, numClasses);
  }
  return {
    name: options.name ?? dataset,
    classNames,
    train: collect('train'),
    val: collect('val'),
  };
}

/**
 * Options of {@link loadListFiles}.
 *
 * @category Sources
 */
export interface ListFilesOptions extends FolderSourceOptions {
  /** The raw dataset root the list paths are relative to. */
  root: string;
  /** Train list (e.g. `imagenet_r_train.txt`). */
  trainList: string;
  /** Val list (e.g. `imagenet_r_val.txt`). */
  valList: string;
}

function parseList(file: string, dataset: FolderDataset): { rel: string; key: string; label?: number }[] {
  const name = basename(file);
  const out: { rel: string; key: string; label?: number }[] = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line.length === 0) return;
      const where = `${name}: line ${i + 1}`;
      const parts = line.split(/\s+/);
      if (dataset === 'domainnet') {
        if (parts.length !== 2 || !/^\d+$/.test(parts[1])) {
          throw new DatasetFormatError(`${where}: '${line}', expected '<domain>/<class>/<file>.jpg <label>'`);
        }
        out.push({ rel: parts[0], key: parts[0], label: Number(parts[1]) });
        return;
      }
      const segs = parts[0].split('/');
      if (parts.length !== 1 || segs.length !== 2 || !IMAGE_EXT.test(segs[1])) {
        const expected = dataset === 'cifar100' ? '<2-digit label>/<index>.bmp' : '<class>/<file>.jpg';
        throw new DatasetFormatError(`${where}: '${line}', expected '${expected}'`);
      }
      if (dataset === 'cifar100') {
        out.push({
          rel: parts[0],
          key: segs[0],
          label: parseIntFolder(segs[0], where, 100, '2 digits 00..99'),
        });
      } else {
        out.push({ rel: parts[0], key: segs[0] });
      }
    });
  if (out.length === 0) throw new DatasetFormatError(`${name}: no entries`);
  return out;
}

/**
 * Reads a raw dataset root through list files: `<wnid>/<file>.jpg` lines (ImageNet-R),
 * `<domain>/<class>/<file>.jpg <label>` lines (DomainNet 200-class subset) or
 * `<2-digit label>/<index>.bmp` lines (CIFAR-100 dumped as BMP).
 *
 * **Details**
 * ImageNet-R ids are the index of the wnid in the sorted set of wnids of both lists ('generic' uses
 * the same rule on the first path component). Errors name the list file and line.
 *
 * @param options - root, the two lists, the class-id rule
 * @returns a lazy source
 * @example
 * const dn = loadListFiles({ dataset: 'domainnet', root: '/data/domainnet', trainList: 'sdomain_train.txt', valList: 'sdomain_val.txt' });
 * @category Sources
 */
export function loadListFiles(options: ListFilesOptions): ImageSource {
  const dataset = options.dataset ?? 'generic';
  const mode = options.mode ?? 'rgb';
  const train = parseList(options.trainList, dataset);
  const val = parseList(options.valList, dataset);
  let keys: string[] = [];
  let numClasses: number;
  if (dataset === 'imagenet-r' || dataset === 'generic') {
    keys = [...new Set([...train, ...val].map((e) => e.key))].sort();
    const index = new Map(keys.map((k, i) => [k, i]));
    for (const e of [...train, ...val]) e.label = index.get(e.key)!;
    numClasses = keys.length;
  } else {
    numClasses = Math.max(...[...train, ...val].map((e) => e.label!)) + 1;
    if (dataset === 'cifar100') numClasses = 100;
  }
  const items = (list: typeof train) =>
    sortEntries(list.map((e) => ({ label: e.label!, path: join(options.root, e.rel) }))).map((e) =>
      fileItem(e, mode),
    );
  let classNames: string[];
  if (dataset === 'domainnet' && !options.classNamesFile) {
    // class name = the <class> component of the paths having that label
    classNames = Array.from({ length: numClasses }, (_, i) => String(i));
    for (const e of [...train, ...val]) classNames[e.label!] = e.rel.split('/')[1] ?? classNames[e.label!];
  } else {
    classNames = namesFor(dataset, keys, options, numClasses);
  }
  return { name: options.name ?? dataset, classNames, train: items(train), val: items(val) };
}
