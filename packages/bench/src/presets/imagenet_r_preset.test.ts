import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeImagenetRFolders } from '../testing_internal/fixture_data.js';
import { runPreset } from '../testing_internal/run_preset.js';

describe('presets imagenet-r-10 and imagenet-r-20 end to end on fixture JPEGs', () => {
  const root = mkdtempSync(join(os.tmpdir(), 'imr-'));
  beforeAll(async () => {
    await writeImagenetRFolders(root, { train: 1, val: 1 });
  });

  it('imagenet-r-10: tasks of 20 classes (first 3 of 10), η 0.90, official seed-2024 order', async () => {
    // 3 of the 10 tasks keep the file fast; the task split and evaluation cover all 10 × 20 classes' layout
    const r = await runPreset('imagenet-r-10', root, ['--limit-tasks', '3']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.results.numTasks).toBe(3);
    expect(r.results.classOrder.slice(0, 5)).toEqual([192, 54, 163, 105, 170]);
    const s = r.results.strategies[0];
    expect(s.strategy).toBe('mamba-cl');
    expect(s.status).toBe('complete');
    expect(s.valCounts).toEqual([20, 20, 20]);
    expect(r.manifest.config.classesPerTask).toBe(20);
    expect(r.manifest.config).toMatchObject({
      pipelines: { train: 'imagenet-r-train', eval: 'imagenet-r-eval' },
    });
    expect((r.manifest.config.train as { eta: number }).eta).toBe(0.9);
    expect(r.manifest.config.strategyOptions).toEqual({ 'mamba-cl': { eta: 0.9 } });
  });

  it('imagenet-r-20: 20 tasks × 10 classes (first 3 run)', async () => {
    const r = await runPreset('imagenet-r-20', root, ['--limit-tasks', '3']);
    expect(r.code).toBe(0);
    expect(r.results.numTasks).toBe(3);
    expect(r.results.strategies[0].tasksDone).toBe(3);
    expect(r.results.strategies[0].valCounts).toEqual([10, 10, 10]);
    expect(r.results.classOrder).toHaveLength(200);
    expect((r.manifest.config.train as { eta: number }).eta).toBe(0.95);
  });
});
