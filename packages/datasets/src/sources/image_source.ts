/**
 * The shapes every source produces: labelled items that decode on demand, grouped into a train and a
 * val (test) split, plus the class names indexed by global label.
 *
 * @module
 */

/**
 * A decoded raw image (same structure as `ImageRecord` from `src/image/`; pixels are HWC uint8).
 *
 * @category Sources
 */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** HWC, length height·width·channels. May be a view into a larger buffer: copy before mutating. */
  pixels: Uint8Array;
}

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
