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
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type DecodeMode, decodeImage } from '../image/decode_image.js';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import { CIFAR100_CLASS_NAMES } from './cifar100_class_names.js';
import type { ImageSource, LabeledItem } from './image_source.js';

/** How folder names / list lines map to class ids. @category Sources */
export type FolderDataset = 'cifar100' | 'imagenet-r' | 'domainnet' | 'generic';

const IMAGE_EXT = /\.(jpe?g|png|bmp)$/i;

/**
 * Default bound on DomainNet labels: the 345 classes of the full DomainNet (the 200-class subset of the
 * paper's lists uses 0..199). Pass `numClasses` to check against the exact count.
 *
 * @category Sources
 */
export const DOMAINNET_MAX_CLASSES = 345;

/**
 * Largest list or class-names file read: 256 MiB (the DomainNet lists are about 3 MB).
 *
 * @category Sources
 */
export const LIST_FILE_MAX_BYTES = 256 * 2 ** 20;

/** Reads a list / names file as text; a missing, unreadable or oversized file is a named error. */
function readTextFile(file: string, what: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new DatasetFormatError(`${file}: ${what} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof DatasetFormatError) throw e;
    throw new DatasetFormatError(`${file}: cannot read ${what} (${(e as Error).message})`);
  }
  if (size > LIST_FILE_MAX_BYTES) {
    throw new DatasetFormatError(
      `${file}: ${what} is ${size} bytes, more than the limit of ${LIST_FILE_MAX_BYTES}`,
    );
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new DatasetFormatError(`${file}: cannot read ${what} (${(e as Error).message})`);
  }
}

/** Largest value of a list of labels without spreading it into arguments (no stack limit); -1 if empty. */
function maxOf(values: Iterable<number>): number {
  let m = -1;
  for (const v of values) if (v > m) m = v;
  return m;
}
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
  /**
   * DomainNet only: the number of classes; labels (list column or folder number) must be integers in
   * [0, numClasses) and the source gets exactly this many classes. Default: labels are checked
   * against {@link DOMAINNET_MAX_CLASSES} and the source has (largest label + 1) classes.
   */
  numClasses?: number;
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
  const lines = readTextFile(file, 'class names file')
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

function readDir(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new DatasetFormatError(`${dir}: cannot list directory (${(e as Error).message})`);
  }
}

function listDirs(dir: string): string[] {
  const isDir = (name: string): boolean => {
    try {
      return statSync(join(dir, name)).isDirectory();
    } catch (e) {
      throw new DatasetFormatError(
        `${join(dir, name)}: class folder is a symbolic link whose target cannot be read (${(e as Error).message})`,
      );
    }
  };
  return readDir(dir)
    .filter((d) => d.isDirectory() || (d.isSymbolicLink() && isDir(d.name)))
    .map((d) => d.name)
    .sort();
}

function domainnetBound(options: FolderSourceOptions): number {
  const n = options.numClasses;
  if (n === undefined) return DOMAINNET_MAX_CLASSES;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`numClasses is ${n}, expected a positive integer`);
  return n;
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
      classOf.set(f, parseIntFolder(f, join(root, 'train'), domainnetBound(options), '3 digits'));
    else classOf.set(f, i);
  }
  if (dataset === 'cifar100') numClasses = 100;
  if (dataset === 'domainnet') numClasses = options.numClasses ?? maxOf(classOf.values()) + 1;
  const collect = (split: string): LabeledItem[] => {
    const entries: Entry[] = [];
    for (const f of listDirs(join(root, split))) {
      const dir = join(root, split, f);
      for (const { name } of readDir(dir)) {
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

/** One parsed list line: the path relative to the root, the class key and (DomainNet, CIFAR) the label. @category Sources */
export interface ListEntry {
  rel: string;
  key: string;
  label?: number;
}

/**
 * Resolves a listed path against the data root; `undefined` when it lands outside it (`..`, an absolute
 * path, another drive).
 */
function staysInside(root: string, rel: string): boolean {
  // fast path (most lines): relative, no '..' segment, no drive letter, so it cannot leave the root
  if (!isAbsolute(rel) && !DOT_DOT_OR_DRIVE.test(rel)) return true;
  const base = resolve(root);
  const r = relative(base, resolve(base, rel));
  return !(r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r));
}

/** A `..` path segment (either separator) or a `:` (Windows drive-relative paths such as `C:x`). */
const DOT_DOT_OR_DRIVE = /(^|[\\/])\.\.([\\/]|$)|:/;

/**
 * Parses the text of one list file (see {@link loadListFiles}).
 *
 * **Details**
 * Every path must stay inside `root` once resolved (no `..` escape, no absolute path, no NUL byte);
 * DomainNet labels must be integers in [0, maxLabel). Errors name the list file, the line and the path.
 *
 * @param text - the list file contents
 * @param name - list file name for errors
 * @param dataset - line format
 * @param root - the data root the paths are relative to
 * @param maxLabel - DomainNet: labels must be below this
 * @returns the entries in file order
 * @example
 * parseListText('real/cat/1.jpg 7\n', 'train.txt', 'domainnet', '/data/dn', 345);
 * @category Sources
 */
export function parseListText(
  text: string,
  name: string,
  dataset: FolderDataset,
  root: string,
  maxLabel: number = DOMAINNET_MAX_CLASSES,
): ListEntry[] {
  const out: ListEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.length === 0) continue;
    const where = `${name}: line ${i + 1}`;
    const parts = line.split(/\s+/);
    const rel = parts[0] as string;
    const checkPath = () => {
      if (rel.includes('\0') || !staysInside(root, rel)) {
        throw new DatasetFormatError(
          `${where}: path '${rel.replace(/\0/g, '\\0')}' resolves outside the data root ${resolve(root)}; list paths must be relative and stay inside it`,
        );
      }
    };
    if (dataset === 'domainnet') {
      if (parts.length !== 2 || !/^\d+$/.test(parts[1] as string)) {
        throw new DatasetFormatError(`${where}: '${line}', expected '<domain>/<class>/<file>.jpg <label>'`);
      }
      const label = Number(parts[1]);
      if (label >= maxLabel) {
        throw new DatasetFormatError(
          `${where}: label ${parts[1]} is out of range, expected an integer in 0..${maxLabel - 1} (numClasses ${maxLabel})`,
        );
      }
      checkPath();
      out.push({ rel, key: rel, label });
      continue;
    }
    const segs = rel.split('/');
    if (parts.length !== 1 || segs.length !== 2 || !IMAGE_EXT.test(segs[1] as string)) {
      const expected = dataset === 'cifar100' ? '<2-digit label>/<index>.bmp' : '<class>/<file>.jpg';
      throw new DatasetFormatError(`${where}: '${line}', expected '${expected}'`);
    }
    checkPath();
    if (dataset === 'cifar100') {
      out.push({
        rel,
        key: segs[0] as string,
        label: parseIntFolder(segs[0] as string, where, 100, '2 digits 00..99'),
      });
    } else {
      out.push({ rel, key: segs[0] as string });
    }
  }
  if (out.length === 0) throw new DatasetFormatError(`${name}: no entries`);
  return out;
}

function parseList(file: string, dataset: FolderDataset, root: string, maxLabel: number): ListEntry[] {
  return parseListText(readTextFile(file, 'list file'), basename(file), dataset, root, maxLabel);
}

/**
 * Reads a raw dataset root through list files: `<wnid>/<file>.jpg` lines (ImageNet-R),
 * `<domain>/<class>/<file>.jpg <label>` lines (DomainNet 200-class subset) or
 * `<2-digit label>/<index>.bmp` lines (CIFAR-100 dumped as BMP).
 *
 * **Details**
 * ImageNet-R ids are the index of the wnid in the sorted set of wnids of both lists ('generic' uses
 * the same rule on the first path component). Errors name the list file and line.
 * Hostile lists are refused: a path that resolves outside `root` (`../secret.jpg`, `/etc/passwd`), a
 * DomainNet label outside [0, numClasses) (default bound {@link DOMAINNET_MAX_CLASSES}), a list over
 * {@link LIST_FILE_MAX_BYTES}. Symbolic links inside the root are followed (the official layout is built
 * from them), so the root itself should hold only what its owner put there.
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
  const maxLabel = dataset === 'domainnet' ? domainnetBound(options) : 100;
  const train = parseList(options.trainList, dataset, options.root, maxLabel);
  const val = parseList(options.valList, dataset, options.root, maxLabel);
  let keys: string[] = [];
  let numClasses: number;
  if (dataset === 'imagenet-r' || dataset === 'generic') {
    keys = [...new Set([...train, ...val].map((e) => e.key))].sort();
    const index = new Map(keys.map((k, i) => [k, i]));
    for (const e of [...train, ...val]) e.label = index.get(e.key)!;
    numClasses = keys.length;
  } else {
    numClasses = options.numClasses ?? maxOf([...train, ...val].map((e) => e.label!)) + 1;
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
