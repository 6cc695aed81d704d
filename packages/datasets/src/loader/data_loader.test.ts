import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageRecord } from '../image/image_record.js';
import type { Rng } from '../rng/pcg64.js';
import type { LabeledItem } from '../sources/image_source.js';
import { DataLoader } from './data_loader.js';
import type { LoaderPipelineSpec, SampleOutput } from './pipeline_spec.js';

const dir = mkdtempSync(join(tmpdir(), 'loader-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** N packed 2×2 grey items, pixel value = 10·item + p */
function packedItems(n: number): LabeledItem[] {
  return Array.from({ length: n }, (_, i) => ({
    label: i % 3,
    key: `toy#${i}`,
    load: (): ImageRecord => ({
      width: 2,
      height: 2,
      channels: 1,
      pixels: Uint8Array.from([0, 1, 2, 3], (p) => 10 * i + p),
    }),
  }));
}

/** a random "augmentation" pipeline, as data (built from a test module by the worker too) */
const NOISY: LoaderPipelineSpec = {
  preset: 'noisy',
  module: new URL('./fixtures/test_pipelines.ts', import.meta.url).href,
  exportName: 'testPipeline',
};

async function collect(loader: DataLoader, epoch: number) {
  const out: { images: number[]; labels: number[]; indices: number[]; shape: number[] }[] = [];
  for await (const b of loader.iterate(epoch)) {
    out.push({
      images: Array.from(b.images),
      labels: Array.from(b.labels),
      indices: Array.from(b.indices),
      shape: b.shape,
    });
  }
  return out;
}

describe('DataLoader (inline)', () => {
  it('batches NHWC with expandTimes, dropLast and a seeded per-epoch shuffle', async () => {
    const items = packedItems(7);
    const loader = new DataLoader(items, {
      batchSize: 4,
      expandTimes: 2,
      seed: 3,
      pipeline: { preset: 'to-float' },
    });
    expect(loader.numSamples).toBe(14);
    expect(loader.length).toBe(4);
    const e0 = await collect(loader, 0);
    expect(e0.map((b) => b.shape)).toEqual([
      [4, 2, 2, 1],
      [4, 2, 2, 1],
      [4, 2, 2, 1],
      [2, 2, 2, 1],
    ]);
    // every item appears expandTimes times
    const seen = e0.flatMap((b) => b.indices).sort((a, b) => a - b);
    expect(seen).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    // pixels/255 and labels follow the item
    const first = e0[0];
    const i0 = first.indices[0];
    expect(first.images.slice(0, 4)).toEqual([0, 1, 2, 3].map((p) => Math.fround((10 * i0 + p) / 255)));
    expect(first.labels[0]).toBe(i0 % 3);
    // another epoch, another order; same epoch, same order
    expect((await collect(loader, 1)).flatMap((b) => b.indices)).not.toEqual(e0.flatMap((b) => b.indices));
    expect(await collect(loader, 0)).toEqual(e0);
    const dropped = new DataLoader(items, {
      batchSize: 4,
      expandTimes: 2,
      dropLast: true,
      pipeline: { preset: 'to-float' },
    });
    expect(dropped.length).toBe(3);
    expect((await collect(dropped, 0)).length).toBe(3);
    const plain = new DataLoader(items, { batchSize: 3, shuffle: false, pipeline: { preset: 'to-float' } });
    expect((await collect(plain, 5)).flatMap((b) => b.indices)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('accepts a function pipeline inline but not with workers', () => {
    const fn = (img: ImageRecord, rng: Rng): SampleOutput => ({
      data: Float32Array.of(rng.nextFloat64()),
      height: 1,
      width: 1,
      channels: 1 + 0 * img.width,
    });
    expect(() => new DataLoader(packedItems(2), { batchSize: 1, pipeline: fn, workers: 1 })).toThrow(
      /pipeline as data/,
    );
    expect(() => new DataLoader(packedItems(2), { batchSize: 0, pipeline: fn })).toThrow(
      /batchSize must be an integer ≥ 1/,
    );
  });
});

describe('DataLoader (workers)', () => {
  it('0 and 1 workers give identical augmented batches, and workers are terminated', async () => {
    const items = packedItems(9);
    const opts = { batchSize: 4, expandTimes: 2, seed: 11, pipeline: NOISY };
    const inline = await collect(new DataLoader(items, { ...opts, workers: 0 }), 2);
    const loader = new DataLoader(items, { ...opts, workers: 1 });
    const threaded = await collect(loader, 2);
    expect(threaded).toEqual(inline);
    expect(loader.liveWorkers).toBe(0);
    // the same sample index in different epochs is augmented differently
    const other = await collect(new DataLoader(items, { ...opts, workers: 0 }), 3);
    expect(other).not.toEqual(inline);
  }, 20000);

  it('decodes file items in the worker, with cache, and stops workers on break', async () => {
    // 24-bit BMPs 2×1: pixel (x,0) = [R=v, G=x, B=0]
    const bmp = (v: number) => {
      const b = Buffer.alloc(54 + 8);
      b.write('BM', 0);
      b.writeUInt32LE(b.length, 2);
      b.writeUInt32LE(54, 10);
      b.writeUInt32LE(40, 14);
      b.writeInt32LE(2, 18);
      b.writeInt32LE(1, 22);
      b.writeUInt16LE(1, 26);
      b.writeUInt16LE(24, 28);
      b[54 + 2] = v;
      b[54 + 3] = 0;
      b[54 + 4] = 1;
      b[54 + 5] = v;
      return b;
    };
    mkdirSync(join(dir, 'imgs'), { recursive: true });
    const items: LabeledItem[] = Array.from({ length: 5 }, (_, i) => {
      const file = join(dir, 'imgs', `${i}.bmp`);
      writeFileSync(file, bmp(100 + i));
      return {
        label: i,
        key: file,
        file,
        load: () => {
          throw new Error('main thread must not decode');
        },
      };
    });
    const loader = new DataLoader(items, {
      batchSize: 2,
      shuffle: false,
      workers: 1,
      cache: true,
      persistentWorkers: true,
      pipeline: { preset: 'to-float' },
    });
    const batches = await collect(loader, 0);
    expect(batches.map((b) => b.labels)).toEqual([[0, 1], [2, 3], [4]]);
    expect(batches[2].images.map((v) => Math.round(v * 255))).toEqual([104, 0, 0, 104, 1, 0]);
    // persistent workers survive the epoch and an abandoned iteration, until close()
    expect(loader.liveWorkers).toBe(1);
    for await (const _ of loader) break;
    expect(loader.liveWorkers).toBe(1);
    await loader.close();
    expect(loader.liveWorkers).toBe(0);
  }, 20000);

  it('runs the transforms presets (cifar100-train) identically inline and in a worker', async () => {
    const items: LabeledItem[] = Array.from({ length: 3 }, (_, i) => ({
      label: i,
      key: `rgb#${i}`,
      load: (): ImageRecord => ({
        width: 32,
        height: 32,
        channels: 3,
        pixels: Uint8Array.from({ length: 3072 }, (_, k) => (k * (i + 3)) & 255),
      }),
    }));
    const opts = { batchSize: 2, seed: 2024, pipeline: { preset: 'cifar100-train', options: { size: 16 } } };
    const inline = await collect(new DataLoader(items, opts), 0);
    const threaded = await collect(new DataLoader(items, { ...opts, workers: 1 }), 0);
    expect(inline[0].shape).toEqual([2, 16, 16, 3]);
    expect(threaded).toEqual(inline);
  }, 20000);

  it('reports a pipeline error from the worker', async () => {
    const loader = new DataLoader(packedItems(3), {
      batchSize: 2,
      workers: 1,
      pipeline: { preset: 'no-such-preset', module: NOISY.module, exportName: 'testPipeline' },
    });
    await expect(collect(loader, 0)).rejects.toThrow(/unknown test pipeline 'no-such-preset'/);
    expect(loader.liveWorkers).toBe(0);
  }, 20000);
});
