/**
 * `@mamba-cl/datasets`: class-incremental data for Mamba-CL — sources (CIFAR-100, ImageNet-R,
 * DomainNet, MNIST, Fashion-MNIST), numpy-exact class orders, task splits, transforms and batching.
 *
 * @module
 */

// download/ (engineer "sources")
export {
  DATASET_DOWNLOADS,
  type DatasetDownload,
  type DownloadDatasetOptions,
  datasetDownload,
  downloadDataset,
} from './download/dataset_downloads.js';
export {
  DownloadError,
  type DownloadOptions,
  type DownloadProgress,
  downloadFile,
  hashFile,
  progressBar,
} from './download/download_file.js';
export {
  createTar,
  type ExtractOptions,
  extractTar,
  TAR_MAX_NAME_BYTES,
  TAR_MAX_PAX_BYTES,
} from './download/tar.js';
// image/ and transforms/ (engineer "transforms")
export { decodeBmp, isBmp } from './image/decode_bmp.js';
export {
  type DecodeMode,
  type DecodeOptions,
  decodeImage,
  jpegComponents,
} from './image/decode_image.js';
export {
  createImageRecord,
  ImageDecodeError,
  type ImageRecord,
  toGrey,
  toRgb,
} from './image/image_record.js';
export { recordFromChw, recordFromGrey } from './image/raw_records.js';
export { defaultCacheDir } from './io/cache_dir.js';
// io/ and sources/ (engineer "sources")
export { DatasetFormatError } from './io/dataset_format_error.js';
export { IDX_MAX_BYTES, type IdxArray, type ReadIdxOptions, readIdx, writeIdx } from './io/idx.js';
export { scanJsonBytes } from './io/json_number_scanner.js';
// loader/ (engineer "sources")
export { DataLoader, type DataLoaderOptions } from './loader/data_loader.js';
export {
  adaptPipeline,
  BUILTIN_PIPELINES,
  type BuiltinPipeline,
  type LoaderPipelineSpec,
  resolvePipeline,
  type SampleOutput,
  type SampleTransform,
  toFloatPipeline,
} from './loader/pipeline_spec.js';
export { type Batch, type SampleJob, sampleRng } from './loader/sample_job.js';
export { classOrder } from './orders/class_order.js';
// rng/ and orders/ (engineer "sources")
export { createRng, Pcg64, type Rng } from './rng/pcg64.js';
export { entropyToWords, type SeedEntropy, SeedSequence } from './rng/seed_sequence.js';
export {
  type Cifar100Options,
  loadCifar100,
  parseCifar100Binary,
  parseCifar100Pickle,
  readCifar100Pickle,
} from './sources/cifar100.js';
export { CIFAR100_CLASS_NAMES } from './sources/cifar100_class_names.js';
export {
  DOMAINNET_MAX_CLASSES,
  type FolderDataset,
  type FolderSourceOptions,
  LIST_FILE_MAX_BYTES,
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
// transforms/ (engineer "transforms")
export {
  type AffineInterpolation,
  type AffineMatrix,
  affineTransform,
  inverseAffineMatrix,
  rotate,
  shear,
  translate,
} from './transforms/auto_augment/affine.js';
export {
  type AutoAugmentDraw,
  type AutoAugmentOptions,
  applyAutoAugmentOp,
  autoAugment,
} from './transforms/auto_augment/auto_augment.js';
export {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustSharpness,
  blend,
  smoothFilter,
} from './transforms/auto_augment/enhance.js';
export {
  applyLut,
  autocontrast,
  equalize,
  histograms,
  invert,
  posterize,
  solarize,
} from './transforms/auto_augment/image_ops.js';
export {
  AUTOAUGMENT_POLICIES,
  type AutoAugmentOpName,
  type AutoAugmentPolicyName,
  type AutoAugmentStep,
  type AutoAugmentSubPolicy,
  autoAugmentMagnitudes,
  linspaceF32,
  type OpMagnitudes,
} from './transforms/auto_augment/policies.js';
export { centerCrop, crop, roundHalfEven } from './transforms/crop.js';
export {
  FASHION_MNIST_MEAN_STD,
  IMAGENET_MEAN,
  IMAGENET_STD,
  MNIST_MEAN_STD,
  type NormalizeOptions,
  normalizeLut,
  type TensorImage,
  toTensorNormalize,
} from './transforms/normalize.js';
export {
  BUILTIN_PIPELINE_PRESETS,
  buildPipeline,
  createPresetRegistry,
  type ImagePipeline,
  type ImagePipelineSpec,
  type NormalizationName,
  type PipelineOptions,
  type PipelinePresetDefinition,
  type PipelineStep,
  pipelinePreset,
  pipelinePresetNames,
} from './transforms/pipeline.js';
export {
  type CropBox,
  type RandomResizedCropOptions,
  randomResizedCrop,
  randomResizedCropParams,
  resizedCrop,
} from './transforms/random_resized_crop.js';
export {
  type ResampleCoefficients,
  type ResampleFilter,
  type ResizeOptions,
  resampleCoefficients,
  resize,
} from './transforms/resize.js';
