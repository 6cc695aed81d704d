/**
 * The unit of work a loader hands to a worker (or runs inline): which sample, its label, and either
 * its decoded pixels or the file to decode. Shared by the main thread and `loader_worker.ts`.
 *
 * @module
 */
import { type DecodeMode, decodeImage } from '../image/decode_image.js';
import type { ImageRecord } from '../image/image_record.js';
import { createRng } from '../rng/pcg64.js';
import type { SampleTransform } from './pipeline_spec.js';

/** One sample to produce. @category Loading */
export interface SampleJob {
  /** Index in the expanded epoch dataset (0 … expandTimes·N − 1): keys the sample's generator. */
  index: number;
  /** Index of the item in the dataset (index mod N): keys the decoded-image cache. */
  item: number;
  label: number;
  key: string;
  /** Decoded pixels (packed sources), or… */
  image?: ImageRecord;
  /** …an image file to decode here. */
  file?: string;
  decode?: DecodeMode;
}

/** A finished batch, NHWC float32 + int32 global labels. @category Loading */
export interface Batch {
  /** [size, H, W, C] row-major. */
  images: Float32Array;
  /** Global class ids, length size. */
  labels: Int32Array;
  /** Dataset item indices (expanded index mod N), length size. */
  indices: Int32Array;
  size: number;
  shape: [number, number, number, number];
}

/**
 * The generator of one sample: `default_rng([seed, epoch, index, 1])` (numpy-compatible), so a
 * sample's augmentation depends only on (seed, epoch, index), never on batching or worker count.
 *
 * @param seed - loader seed
 * @param epoch - epoch number
 * @param index - expanded sample index
 * @returns the generator
 * @example
 * sampleRng(0, 3, 17).nextFloat64();
 * @category Loading
 */
export function sampleRng(seed: number, epoch: number, index: number) {
  return createRng([seed, epoch, index, 1]);
}

/** A bounded map of decoded images (insertion-order eviction). */
export class ImageCache {
  private readonly map = new Map<number, ImageRecord>();
  constructor(private readonly maxImages: number) {}
  get(item: number): ImageRecord | undefined {
    return this.map.get(item);
  }
  set(item: number, img: ImageRecord): void {
    if (this.maxImages <= 0) return;
    if (this.map.size >= this.maxImages) {
      const first = this.map.keys().next();
      if (!first.done) this.map.delete(first.value);
    }
    this.map.set(item, img);
  }
  get size(): number {
    return this.map.size;
  }
}

/**
 * Produces one batch: decode (or take) each image, run the transform with the sample's generator,
 * pack NHWC.
 *
 * @param jobs - the samples, in batch order
 * @param transform - the per-sample pipeline
 * @param seed - loader seed
 * @param epoch - epoch number
 * @param cache - optional decoded-image cache for file items
 * @returns the batch
 * @example
 * const batch = await runJobs(jobs, toFloatPipeline(), 0, 0);
 * @category Loading
 */
export async function runJobs(
  jobs: readonly SampleJob[],
  transform: SampleTransform,
  seed: number,
  epoch: number,
  cache?: ImageCache,
): Promise<Batch> {
  let images: Float32Array | undefined;
  let shape: [number, number, number, number] = [jobs.length, 0, 0, 0];
  let per = 0;
  const labels = new Int32Array(jobs.length);
  const indices = new Int32Array(jobs.length);
  for (let b = 0; b < jobs.length; b++) {
    const job = jobs[b];
    let img = job.image;
    if (!img) {
      img = cache?.get(job.item);
      if (!img) {
        if (!job.file) throw new Error(`sample ${job.key}: neither pixels nor a file to decode`);
        img = await decodeImage(job.file, { mode: job.decode ?? 'rgb' });
        cache?.set(job.item, img);
      }
    }
    const out = transform(img, sampleRng(seed, epoch, job.index));
    if (!images) {
      shape = [jobs.length, out.height, out.width, out.channels];
      per = out.height * out.width * out.channels;
      images = new Float32Array(jobs.length * per);
    } else if (out.height !== shape[1] || out.width !== shape[2] || out.channels !== shape[3]) {
      throw new RangeError(
        `sample ${job.key}: pipeline output ${out.height}×${out.width}×${out.channels} differs from the batch's ${shape[1]}×${shape[2]}×${shape[3]}`,
      );
    }
    if (out.data.length !== per) {
      throw new RangeError(
        `sample ${job.key}: pipeline output has ${out.data.length} values, expected ${per}`,
      );
    }
    images.set(out.data, b * per);
    labels[b] = job.label;
    indices[b] = job.item;
  }
  return { images: images ?? new Float32Array(0), labels, indices, size: jobs.length, shape };
}
