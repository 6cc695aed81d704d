/**
 * The shapes every source produces: labelled items that decode on demand, grouped into a train and a
 * val (test) split, plus the class names indexed by global label.
 *
 * @module
 */

import type { ImageRecord } from '../image/image_record.js';

/**
 * A decoded raw image: the `ImageRecord` of `src/image/` (HWC uint8, 1 or 3 channels). Packed sources
 * may hand out views into a larger buffer: copy before mutating.
 *
 * @category Sources
 */
export type RawImage = ImageRecord;

/**
 * One labelled sample.
 *
 * @category Sources
 */
export interface LabeledItem {
  /** Global class id (spec §5 numbering). */
  readonly label: number;
  /** Where it comes from: a file path, or `'<file>#<record>'` for packed formats. */
  readonly key: string;
  /** Decodes the image (cheap for packed in-memory formats, a file read + decode for image files). */
  load(): Promise<RawImage> | RawImage;
  /**
   * Set for items backed by one encoded image file (JPEG/PNG/BMP): a loader worker decodes the file
   * itself instead of receiving pixels from the main thread.
   */
  readonly file?: string;
}

/**
 * A labelled image dataset with a train and a val split.
 *
 * @category Sources
 */
export interface ImageSource {
  readonly name: string;
  /** `classNames[label]`. */
  readonly classNames: readonly string[];
  readonly train: readonly LabeledItem[];
  readonly val: readonly LabeledItem[];
}
