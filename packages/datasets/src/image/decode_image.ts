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

type SharpFactory = (
  input: Uint8Array,
  options?: { ignoreIcc?: boolean },
) => {
  metadata(): Promise<{ channels?: number; space?: string }>;
  removeAlpha(): ReturnType<SharpFactory>;
  pipelineColourspace(space: string): ReturnType<SharpFactory>;
  toColourspace(space: string): ReturnType<SharpFactory>;
  raw(options?: { depth?: string }): ReturnType<SharpFactory>;
  toBuffer(options: {
    resolveWithObject: true;
  }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
};

let sharpPromise: Promise<SharpFactory> | undefined;
function loadSharp(): Promise<SharpFactory> {
  sharpPromise ??= import('sharp').then(
    (m) => (m.default ?? m) as unknown as SharpFactory,
    (cause: unknown) => {
      sharpPromise = undefined;
      // an optional peer of @mamba-cl/datasets: only JPEG/PNG/WebP/GIF/TIFF decoding needs it
      throw new Error(
        'decodeImage: decoding JPEG/PNG/WebP/GIF/TIFF needs the npm package "sharp" (an optional peer of ' +
          '@mamba-cl/datasets, not installed or not loadable); install it: npm install sharp@^0.34.5',
        { cause },
      );
    },
  );
  return sharpPromise;
}

/**
 * Number of colour components of a JPEG (from its first SOF marker), or 0 when the bytes are not a JPEG
 * or no SOF is found.
 *
 * @param bytes - file bytes
 * @returns 1 (grey), 3 (YCbCr/RGB), 4 (CMYK/YCCK) or 0
 * @example
 * jpegComponents(readFileSync('photo.jpg')); // 3
 * @category Image
 */
export function jpegComponents(bytes: Uint8Array): number {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return 0;
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return 0;
    const marker = bytes[p + 1] as number;
    if (marker === 0xff) {
      p++;
      continue;
    }
    const len = ((bytes[p + 2] as number) << 8) | (bytes[p + 3] as number);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return p + 9 < bytes.length ? (bytes[p + 9] as number) : 0;
    if (marker === 0xda || marker === 0xd9) return 0;
    p += 2 + len;
  }
  return 0;
}

/** Pillow's naive `cmyk2rgb`: v = clip(255 − K − C·(255 − K)/255) with its integer MULDIV255. */
function cmykToRgb(cmyk: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
    const nk = 255 - (cmyk[s + 3] as number);
    for (let c = 0; c < 3; c++) {
      const t = (cmyk[s + c] as number) * nk + 128;
      const v = nk - (((t >> 8) + t) >> 8);
      out[o + c] = v < 0 ? 0 : v;
    }
  }
  return out;
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
 * JPEG pixels come from libjpeg-turbo (mozjpeg) like Pillow's, so they match Pillow exactly (checked on
 * fixtures: 4:2:0 and 4:4:4 colour, grey, CMYK). Like Pillow, nothing is colour-managed: embedded ICC
 * profiles are ignored (sharp's `ignoreIcc`) and CMYK JPEGs use Pillow's naive CMYK → RGB formula. EXIF
 * orientation is ignored, as by Pillow. Known deviation: 16-bit PNGs are reduced to their high byte
 * (Pillow clips 16-bit grey instead).
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
  if (jpegComponents(bytes) === 4) {
    // CMYK/YCCK JPEG: Pillow converts the raw CMYK naively (no ICC); sharp would colour-manage it
    try {
      const { data, info } = await sharp(bytes, { ignoreIcc: true })
        .pipelineColourspace('cmyk')
        .toColourspace('cmyk')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new Error(`expected 4 CMYK channels, got ${info.channels}`);
      const rgb = cmykToRgb(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        info.width * info.height,
      );
      return applyMode({ width: info.width, height: info.height, channels: 3, pixels: rgb }, mode);
    } catch (e) {
      throw new ImageDecodeError(`${source}: cannot decode CMYK JPEG (${(e as Error).message})`);
    }
  }
  let data: Buffer;
  let info: { width: number; height: number; channels: number };
  try {
    ({ data, info } = await sharp(bytes, { ignoreIcc: true })
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
