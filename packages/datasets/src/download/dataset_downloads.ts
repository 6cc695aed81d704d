/**
 * Downloadable datasets with their published URLs and checksums, and a one-call fetch + extract.
 *
 * @module
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DownloadProgress, downloadFile } from './download_file.js';
import { extractTar } from './tar.js';

/**
 * A dataset archive with a public URL.
 *
 * @category Download
 */
export interface DatasetDownload {
  readonly id: string;
  readonly url: string;
  /** Archive file name. */
  readonly file: string;
  /** Published MD5 of the archive (CIFAR page; torchvision / continual-learning loaders for ImageNet-R). */
  readonly md5: string;
  /** The directory the archive unpacks to. */
  readonly extractsTo: string;
  readonly description: string;
}

/**
 * The archives {@link downloadDataset} knows (plain array; ids unique).
 *
 * @category Download
 */
export const DATASET_DOWNLOADS: readonly DatasetDownload[] = [
  {
    id: 'cifar100-binary',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    file: 'cifar-100-binary.tar.gz',
    md5: '03b5dce01913d631647c71ecec9e9cb8',
    extractsTo: 'cifar-100-binary',
    description: 'CIFAR-100 binary version (161 MB): train.bin, test.bin, label names',
  },
  {
    id: 'cifar100-python',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz',
    file: 'cifar-100-python.tar.gz',
    md5: 'eb9058c3a382ffc7106e4002c42a8d85',
    extractsTo: 'cifar-100-python',
    description: 'CIFAR-100 python version (161 MB): train, test, meta pickles',
  },
  {
    id: 'imagenet-r',
    url: 'https://people.eecs.berkeley.edu/~hendrycks/imagenet-r.tar',
    file: 'imagenet-r.tar',
    md5: 'a61312130a589d0ca1a8fca1f2bd3337',
    extractsTo: 'imagenet-r',
    description:
      'ImageNet-R (2.1 GB): 30 000 images of 200 classes in <wnid>/ folders (bring the split lists)',
  },
];

{
  const seen = new Set<string>();
  for (const d of DATASET_DOWNLOADS) {
    if (seen.has(d.id)) throw new Error(`DATASET_DOWNLOADS: duplicate id '${d.id}'`);
    seen.add(d.id);
  }
}

/**
 * Options of {@link downloadDataset}.
 *
 * @category Download
 */
export interface DownloadDatasetOptions {
  onProgress?: DownloadProgress;
  /** Keep the archive after extraction (default false). */
  keepArchive?: boolean;
  /** Use another URL (a mirror). */
  url?: string;
  /** Replace the published MD5 (with `url`, for a mirror of a different archive). */
  md5?: string;
  /** Also require this SHA-256. */
  sha256?: string;
  retries?: number;
  signal?: AbortSignal;
}

/**
 * Looks up a known archive.
 *
 * @param id - e.g. 'cifar100-binary'
 * @returns its entry
 * @throws Error listing the known ids
 * @example
 * datasetDownload('imagenet-r').md5;
 * @category Download
 */
export function datasetDownload(id: string): DatasetDownload {
  const d = DATASET_DOWNLOADS.find((x) => x.id === id);
  if (!d)
    throw new Error(
      `unknown dataset download '${id}' (known: ${DATASET_DOWNLOADS.map((x) => x.id).join(', ')})`,
    );
  return d;
}

/**
 * Downloads (checksum-verified, resumable) and extracts a dataset under `root`, atomically: the
 * archive is unpacked into a temporary directory and its top folder renamed into place.
 *
 * @param id - a {@link DATASET_DOWNLOADS} id
 * @param root - where `<extractsTo>/` should appear
 * @param options - progress, mirror, keep archive
 * @returns the dataset directory (`root/<extractsTo>`); returned at once if it already exists
 * @example
 * const dir = await downloadDataset('cifar100-binary', 'data', { onProgress: progressBar('CIFAR-100') });
 * const cifar = loadCifar100('data');
 * @category Download
 */
export async function downloadDataset(
  id: string,
  root: string,
  options: DownloadDatasetOptions = {},
): Promise<string> {
  const d = datasetDownload(id);
  const target = join(root, d.extractsTo);
  if (existsSync(target)) return target;
  mkdirSync(root, { recursive: true });
  const archive = join(root, d.file);
  await downloadFile(options.url ?? d.url, archive, {
    md5: options.md5 ?? d.md5,
    sha256: options.sha256,
    onProgress: options.onProgress,
    retries: options.retries,
    signal: options.signal,
  });
  const tmp = join(root, `.extract-${d.id}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    await extractTar(archive, tmp);
    const unpacked = join(tmp, d.extractsTo);
    if (!existsSync(unpacked)) {
      throw new Error(`${d.file}: the archive holds no ${d.extractsTo}/ folder`);
    }
    renameSync(unpacked, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!options.keepArchive) rmSync(archive, { force: true });
  return target;
}
