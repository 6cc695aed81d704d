/**
 * Wraps raw pixel bytes of the binary datasets (CIFAR channel planes, MNIST grey rows) into {@link ImageRecord}s.
 *
 * @module
 */
import { DatasetFormatError } from '../io/dataset_format_error.js';
import type { ImageRecord } from './image_record.js';

/**
 * Builds an HWC record from planar CHW bytes (CIFAR-10/100: 1024 R, then 1024 G, then 1024 B, row-major).
 *
 * **Details**
 * Equivalent to `numpy.transpose(row.reshape(3, 32, 32), (1, 2, 0))` in the CIFAR pickles/binaries.
 * The bytes are copied.
 *
 * @param bytes - buffer holding the planes
 * @param offset - byte offset of the first plane (e.g. 1 + record·3073 in data_batch_1.bin)
 * @param height - rows (32 for CIFAR)
 * @param width - columns (32 for CIFAR)
 * @param channels - planes (3 for CIFAR)
 * @returns an HWC image
 * @example
 * const img = recordFromChw(batch, 1 + 37 * 3073, 32, 32, 3);
 * @category Image
 */
export function recordFromChw(
  bytes: Uint8Array,
  offset: number,
  height: number,
  width: number,
  channels: 1 | 3,
): ImageRecord {
  const plane = height * width;
  if (offset < 0 || offset + plane * channels > bytes.length) {
    throw new DatasetFormatError(
      `recordFromChw: ${channels}×${height}×${width} planes at offset ${offset} need ${plane * channels} bytes, buffer has ${bytes.length - offset}`,
    );
  }
  const out = new Uint8Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    const src = offset + c * plane;
    for (let i = 0; i < plane; i++) out[i * channels + c] = bytes[src + i] as number;
  }
  return { width, height, channels, pixels: out };
}

/**
 * Builds a grey record from row-major bytes (MNIST / Fashion-MNIST idx files: 28×28 per image).
 *
 * @param bytes - buffer holding the image
 * @param offset - byte offset of the image (16 + index·784 in an idx3 file)
 * @param height - rows (28)
 * @param width - columns (28)
 * @returns a 1-channel image (bytes copied)
 * @example
 * const digit = recordFromGrey(idx, 16 + 5 * 784, 28, 28);
 * @category Image
 */
export function recordFromGrey(
  bytes: Uint8Array,
  offset: number,
  height: number,
  width: number,
): ImageRecord {
  const n = height * width;
  if (offset < 0 || offset + n > bytes.length) {
    throw new DatasetFormatError(
      `recordFromGrey: ${height}×${width} image at offset ${offset} needs ${n} bytes, buffer has ${bytes.length - offset}`,
    );
  }
  return { width, height, channels: 1, pixels: bytes.slice(offset, offset + n) };
}
