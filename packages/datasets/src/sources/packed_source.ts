import { DatasetFormatError } from '../io/dataset_format_error.js';
import type { ImageSource, LabeledItem, RawImage } from './image_source.js';

/**
 * One split of fixed-size images packed back to back in one byte buffer.
 *
 * @category Sources
 */
export interface PackedSplit {
  /** All images, N·H·W·C bytes. */
  readonly pixels: Uint8Array;
  /** N global labels. */
  readonly labels: ArrayLike<number>;
  /** Optional: item i reads record `records[i]` of `pixels` (default i); lets splits share one buffer. */
  readonly records?: ArrayLike<number>;
  /** File name used in item keys (`'<file>#<index>'`). */
  readonly file: string;
}

/**
 * Options of {@link packedSource}.
 *
 * @category Sources
 */
export interface PackedSourceOptions {
  name: string;
  classNames: readonly string[];
  height: number;
  width: number;
  channels: 1 | 3;
  /** Pixel layout of each record: 'hwc' (served as views, no copy) or 'chw' (CIFAR; transposed on load). */
  layout?: 'hwc' | 'chw';
  train: PackedSplit;
  val: PackedSplit;
}

function splitItems(o: PackedSourceOptions, split: PackedSplit): LabeledItem[] {
  const { height, width, channels } = o;
  const size = height * width * channels;
  const n = split.labels.length;
  const records = split.records;
  if (records) {
    if (records.length !== n) {
      throw new DatasetFormatError(
        `${o.name}: ${split.file} has ${records.length} record indices for ${n} labels`,
      );
    }
    const available = Math.floor(split.pixels.length / size);
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(records[i]) || records[i] < 0 || records[i] >= available) {
        throw new DatasetFormatError(
          `${o.name}: ${split.file} item ${i} points at record ${records[i]}, expected 0..${available - 1}`,
        );
      }
    }
  } else if (split.pixels.length !== n * size) {
    throw new DatasetFormatError(
      `${o.name}: ${split.file} has ${split.pixels.length} pixel bytes for ${n} labels, expected ${n * size}`,
    );
  }
  const chw = o.layout === 'chw';
  const items: LabeledItem[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const label = split.labels[i];
    const record = records ? records[i] : i;
    const offset = record * size;
    items[i] = {
      label,
      key: `${split.file}#${record}`,
      load(): RawImage {
        const rec = split.pixels.subarray(offset, offset + size);
        if (!chw) return { width, height, channels, pixels: rec };
        const hw = height * width;
        const out = new Uint8Array(size);
        for (let p = 0; p < hw; p++) {
          for (let c = 0; c < channels; c++) out[p * channels + c] = rec[c * hw + p];
        }
        return { width, height, channels, pixels: out };
      },
    };
  }
  return items;
}

/**
 * Builds an {@link ImageSource} over images packed in memory (MNIST, CIFAR).
 *
 * **Details**
 * Items are created eagerly (cheap closures) and decode lazily: `load()` returns a view (HWC) or a
 * transposed copy (CHW). Labels, sizes and record indices are validated against the class list and the
 * pixel buffer; a mismatch is a {@link DatasetFormatError} naming the split file.
 *
 * @param options - geometry, class names and the two splits
 * @returns the source
 * @example
 * const src = packedSource({ name: 'toy', classNames: ['a', 'b'], height: 2, width: 2, channels: 1,
 *   train: { pixels: new Uint8Array(8), labels: [0, 1], file: 'train' },
 *   val: { pixels: new Uint8Array(4), labels: [1], file: 'val' } });
 * @category Sources
 */
export function packedSource(options: PackedSourceOptions): ImageSource {
  for (const split of [options.train, options.val]) {
    for (let i = 0; i < split.labels.length; i++) {
      const l = split.labels[i];
      if (!Number.isInteger(l) || l < 0 || l >= options.classNames.length) {
        throw new DatasetFormatError(
          `${options.name}: ${split.file} record ${i} has label ${l}, expected 0..${options.classNames.length - 1}`,
        );
      }
    }
  }
  return {
    name: options.name,
    classNames: options.classNames,
    train: splitItems(options, options.train),
    val: splitItems(options, options.val),
  };
}
