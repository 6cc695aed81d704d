/**
 * `@mamba-cl/datasets`: class-incremental data for Mamba-CL — sources (CIFAR-100, ImageNet-R,
 * DomainNet, MNIST, Fashion-MNIST), numpy-exact class orders, task splits, transforms and batching.
 *
 * @module
 */

export { defaultCacheDir } from './io/cache_dir.js';
// io/ and sources/ (engineer "sources")
export { DatasetFormatError } from './io/dataset_format_error.js';
export { type IdxArray, readIdx, writeIdx } from './io/idx.js';
export { scanJsonBytes } from './io/json_number_scanner.js';
export { classOrder } from './orders/class_order.js';
// rng/ and orders/ (engineer "sources")
export { createRng, Pcg64, type Rng } from './rng/pcg64.js';
export { entropyToWords, type SeedEntropy, SeedSequence } from './rng/seed_sequence.js';
export {
  type Cifar100Options,
  loadCifar100,
  parseCifar100Binary,
  readCifar100Pickle,
} from './sources/cifar100.js';
export { CIFAR100_CLASS_NAMES } from './sources/cifar100_class_names.js';
export {
  type FolderDataset,
  type FolderSourceOptions,
  type ListFilesOptions,
  loadImageFolder,
  loadListFiles,
} from './sources/folder_source.js';
export type { ImageSource, LabeledItem, RawImage } from './sources/image_source.js';
export {
  FASHION_MNIST_CLASS_NAMES,
  findIdxFiles,
  type IdxFiles,
  loadMnistIdx,
  loadMnistPackage,
  MNIST_CLASS_NAMES,
  type MnistKind,
  type MnistPackageOptions,
} from './sources/mnist.js';
export { type PackedSourceOptions, type PackedSplit, packedSource } from './sources/packed_source.js';
export {
  type SplitOptions,
  splitTasks,
  type Task,
  type TaskSplit,
  validateClassOrder,
} from './splits/split_tasks.js';
