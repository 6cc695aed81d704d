/**
 * Throughput of decoding + the official transform pipelines, images per second on one core.
 *
 * @module
 */
import { decodeImage } from '../image/decode_image.js';
import type { ImageRecord } from '../image/image_record.js';
import { createRng } from '../rng/pcg64.js';
import { applyAutoAugmentOp } from '../transforms/auto_augment/auto_augment.js';
import type { AutoAugmentOpName } from '../transforms/auto_augment/policies.js';
import { pipelinePreset } from '../transforms/pipeline.js';
import { resize } from '../transforms/resize.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/** Options of {@link runTransformsPerf}. @category Perf */
export interface TransformsPerfOptions {
  /** Images per timed run (default 200). */
  readonly images?: number;
  /** Timed runs; the best is reported (default 3). */
  readonly repeats?: number;
}

function synthetic(height: number, width: number, seed: number): ImageRecord {
  // smooth colour field + texture, photo-like enough for JPEG sizes and for AutoAugment's histograms
  const px = new Uint8Array(height * width * 3);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const n = (s >>> 24) - 128;
      const o = (y * width + x) * 3;
      px[o] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 37) + n / 4));
      px[o + 1] = Math.max(0, Math.min(255, 128 + 90 * Math.cos(y / 23) + n / 4));
      px[o + 2] = Math.max(0, Math.min(255, ((x + y) * 255) / (width + height) + n / 8));
    }
  }
  return { width, height, channels: 3, pixels: px };
}

interface Rate {
  /** images per wall-clock second */
  readonly wall: number;
  /** images per CPU second of this process (all its threads): the per-core rate, robust to other load */
  readonly cpu: number;
}

async function bestRate(n: number, repeats: number, body: (i: number) => unknown): Promise<Rate> {
  let wall = 0;
  let cpu = 0;
  await body(0); // warm-up (JIT, sharp load)
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await body(i);
    const dt = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    wall = Math.max(wall, n / dt);
    cpu = Math.max(cpu, n / ((c.user + c.system) / 1e6));
  }
  return { wall, cpu };
}

/**
 * Measures decode + transform throughput on one core (sharp's own thread pool is limited to 1 thread).
 *
 * **Details**
 * Rows: CIFAR 32×32 through `cifar100-train` (AutoAugment CIFAR10 → RandomResizedCrop 192 bicubic →
 * normalise) and `cifar100-eval`; a 500×375 JPEG (made with sharp at run time, quality 90) decoded and
 * sent through `imagenet-r-train` and `imagenet-r-eval`; and the bare resizes. Best of `repeats` runs.
 *
 * @param options - images per run, repeats
 * @returns one report
 * @example
 * const [report] = await runTransformsPerf({ images: 100 });
 * @category Perf
 */
export async function runTransformsPerf(options: TransformsPerfOptions = {}): Promise<PerfReport[]> {
  const n = options.images ?? 200;
  const repeats = options.repeats ?? 3;
  const sharpMod = (await import('sharp')) as unknown as {
    default: ((...a: unknown[]) => {
      jpeg(o: { quality: number }): { toBuffer(): Promise<Buffer> };
    }) & { concurrency(n?: number): number };
  };
  const sharp = sharpMod.default;
  const prevConcurrency = sharp.concurrency();
  sharp.concurrency(1);
  try {
    const cifar = Array.from({ length: 16 }, (_, i) => synthetic(32, 32, i + 1));
    const photo = synthetic(375, 500, 99);
    const jpeg = new Uint8Array(
      await sharp(Buffer.from(photo.pixels), { raw: { width: 500, height: 375, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const rng = createRng([2024, 0]);
    const rows: PerfRow[] = [];
    const add = (what: string, rate: Rate): void => {
      rows.push({
        case: what,
        'images/CPU-s': Math.round(rate.cpu),
        'CPU ms/image': +(1000 / rate.cpu).toFixed(2),
        'images/s (wall)': Math.round(rate.wall),
      });
    };
    const cTrain = pipelinePreset('cifar100-train');
    const cEval = pipelinePreset('cifar100-eval');
    const iTrain = pipelinePreset('imagenet-r-train');
    const iEval = pipelinePreset('imagenet-r-eval');
    add(
      'CIFAR 32×32 → cifar100-train (AA + RRC 192 bicubic + normalise)',
      await bestRate(n, repeats, (i) => cTrain.apply(cifar[i % 16] as ImageRecord, rng)),
    );
    add(
      'CIFAR 32×32 → cifar100-eval (resize 192 bicubic + normalise)',
      await bestRate(n, repeats, (i) => cEval.apply(cifar[i % 16] as ImageRecord)),
    );
    add(
      'resize 32→192 bicubic only',
      await bestRate(n, repeats, (i) =>
        resize(cifar[i % 16] as ImageRecord, 192, 192, { filter: 'bicubic' }),
      ),
    );
    const m = Math.max(20, Math.round(n / 4));
    add('decode 500×375 JPEG (sharp, 1 thread)', await bestRate(m, repeats, () => decodeImage(jpeg)));
    add(
      'decode 500×375 JPEG + imagenet-r-train (AA + RRC 192 bilinear + normalise)',
      await bestRate(m, repeats, async () => iTrain.apply(await decodeImage(jpeg), rng)),
    );
    add(
      'decode 500×375 JPEG + imagenet-r-eval (resize 224 + crop 192 + normalise)',
      await bestRate(m, repeats, async () => iEval.apply(await decodeImage(jpeg))),
    );
    add(
      'resize 500×375→224×224 bilinear only',
      await bestRate(m, repeats, () => resize(photo, 224, 224, { filter: 'bilinear' })),
    );
    const opRows: PerfRow[] = [];
    const ops: Array<[AutoAugmentOpName, number]> = [
      ['ShearX', 0.167],
      ['TranslateX', 100],
      ['Rotate', 26.7],
      ['Brightness', 0.5],
      ['Color', 0.4],
      ['Contrast', 0.5],
      ['Sharpness', 0.7],
      ['Posterize', 5],
      ['Solarize', 113.3],
      ['AutoContrast', 0],
      ['Equalize', 0],
      ['Invert', 0],
    ];
    const k = Math.max(5, Math.round(n / 20));
    for (const [op, magnitude] of ops) {
      const rate = await bestRate(k, repeats, () => applyAutoAugmentOp(photo, op, magnitude, 'bilinear'));
      opRows.push({ op, magnitude, 'CPU ms/op': +(1000 / rate.cpu).toFixed(2) });
    }
    return [
      {
        title: 'datasets — AutoAugment ops on a 500×375 RGB image (one core, bilinear geometry)',
        rows: opRows,
        notes: [`best of ${repeats} runs of ${k} calls`],
      },
      {
        title: 'datasets — decode + transform throughput (one core)',
        rows,
        notes: [
          `best of ${repeats} runs of ${n} (CIFAR) / ${m} (JPEG) images; sharp.concurrency(1); one JS thread`,
          'images/CPU-s = images per second of process CPU time (user+sys, all threads) = the per-core rate; wall figures drop when other processes share the cores',
          'target: ≥ 200 images/s per core for the CIFAR train pipeline',
          'train rows include AutoAugment (random sub-policy per image) and RandomResizedCrop',
        ],
      },
    ];
  } finally {
    sharp.concurrency(prevConcurrency);
  }
}
