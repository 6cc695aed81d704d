/**
 * Image files → {@link ImageRecord}: JPEG/PNG/WebP/GIF/TIFF through sharp (libvips), BMP through our own decoder.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { decodeBmp, isBmp } from './decode_bmp.js';
import { ImageDecodeError, type ImageRecord, toGrey, toRgb } from './image_record.js';

/**
 * How many channels a decoded image gets.
 * `'rgb'` = PIL `convert("RGB")` (what the official loaders do), `'grey'` = PIL `convert("L")`,
 * `'auto'` = grey files stay grey, everything else RGB.
 *
 * @category Image
 */
export type DecodeMode = 'rgb' | 'grey' | 'auto';

/** Options of {@link decodeImage}. @category Image */
export interface DecodeOptions {
  /** Channel handling (default `'rgb'`). */
  readonly mode?: DecodeMode;
  /** Name used in error messages (default: the path, or `'<bytes>'`). */
  readonly source?: string;
}

type SharpFactory = (input: Uint8Array) => {
  metadata(): Promise<{ channels?: number; space?: string }>;
  removeAlpha(): ReturnType<SharpFactory>;
  raw(options?: { depth?: string }): ReturnType<SharpFactory>;
  toBuffer(options: {
    resolveWithObject: true;
  }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
};

let sharpPromise: Promise<SharpFactory> | undefined;
function loadSharp(): Promise<SharpFactory> {
  sharpPromise ??= import('sharp').then((m) => (m.default ?? m) as unknown as SharpFactory);
  return sharpPromise;
}

function applyMode(img: ImageRecord, mode: DecodeMode): ImageRecord {
  if (mode === 'rgb') return toRgb(img);
  if (mode === 'grey') return toGrey(img);
  return img;
}

/**
 * Decodes an encoded image (bytes or a file path) to raw uint8 HWC pixels.
 *
 * **Details**
 * BMP is decoded here (uncompressed 1/4/8/16/24/32-bit); JPEG, PNG, WebP, GIF and TIFF go through sharp.
 * The alpha channel is dropped without compositing and grey is replicated, as PIL `convert("RGB")` does.
 * JPEG pixels come from libjpeg-turbo (mozjpeg) like Pillow's, so they match Pillow exactly for baseline
 * files (checked on fixtures). Embedded ICC profiles and EXIF orientation are ignored by Pillow; sharp
 * ignores orientation too but may apply an embedded ICC profile (rare in these datasets).
 * Errors are {@link ImageDecodeError}s that name the file.
 *
 * @param input - file bytes, or a path to read
 * @param options - channel mode and source name
 * @returns the decoded image
 * @example
 * const img = await decodeImage('/data/imagenet-r/train/n01443537/art_0.jpg');
 * @category Image
 */
export async function decodeImage(
  input: Uint8Array | string,
  options: DecodeOptions = {},
): Promise<ImageRecord> {
  const mode = options.mode ?? 'rgb';
  let bytes: Uint8Array;
  let source = options.source;
  if (typeof input === 'string') {
    source ??= input;
    try {
      bytes = await readFile(input);
    } catch (e) {
      throw new ImageDecodeError(`${source}: cannot read file (${(e as Error).message})`);
    }
  } else {
    bytes = input;
  }
  source ??= '<bytes>';
  if (bytes.length === 0) throw new ImageDecodeError(`${source}: file is empty`);
  if (isBmp(bytes)) return applyMode(decodeBmp(bytes, source, mode !== 'rgb'), mode);
  const sharp = await loadSharp();
  let data: Buffer;
  let info: { width: number; height: number; channels: number };
  try {
    ({ data, info } = await sharp(bytes)
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new ImageDecodeError(
      `${source}: cannot decode image (${(e as Error).message}); expected JPEG, PNG, BMP, WebP, GIF or TIFF`,
    );
  }
  const { width, height, channels } = info;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let img: ImageRecord;
  if (channels === 1 || channels === 3) {
    img = { width, height, channels, pixels };
  } else {
    throw new ImageDecodeError(
      `${source}: decoded to ${channels} channels (after dropping alpha), expected 1 or 3`,
    );
  }
  if (mode === 'auto' && channels === 3) {
    const meta = await sharp(bytes).metadata();
    if (meta.space === 'b-w' || meta.channels === 1 || meta.channels === 2) {
      return toGrey(img); // exact: the three channels are equal
    }
  }
  return applyMode(img, mode);
}
