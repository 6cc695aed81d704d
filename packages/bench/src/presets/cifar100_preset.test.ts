import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCifar100Binary } from '../testing_internal/fixture_data.js';
import { runPreset } from '../testing_internal/run_preset.js';

describe('preset cifar100-10 end to end on fixture data', () => {
  it('trains mamba-cl over all 10 tasks from an official-format .pth and writes the run folder', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'cifar-'));
    writeCifar100Binary(root, { train: 1, test: 1 });
    const r = await runPreset('cifar100-10', root, ['--strategy', 'mamba-cl,finetune']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.results.status).toBe('complete');
    expect(r.results.numTasks).toBe(10);
    // official class order of seed 2024 (spec §5)
    expect(r.results.classOrder.slice(0, 10)).toEqual([55, 17, 75, 11, 2, 29, 49, 48, 41, 45]);
    for (const s of r.results.strategies) {
      expect(s.status).toBe('complete');
      expect(s.tasksDone).toBe(10);
      expect(s.valCounts).toEqual(new Array(10).fill(10));
      expect(s.accuracyMatrix[9].every((a) => a >= 0 && a <= 100)).toBe(true);
    }
    expect(r.manifest.config).toMatchObject({
      benchmark: 'cifar100-10',
      pipelines: { train: 'cifar100-train', eval: 'cifar100-eval' },
    });
    expect((r.manifest.config.train as { eta: number }).eta).toBe(0.95);
    expect((r.manifest.config.train as { headLrScale: number }).headLrScale).toBe(50);
    expect(r.manifest.checkpoint?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.manifest.machine.cpus).toBeGreaterThan(0);
    for (const f of [
      'report.md',
      'events.jsonl',
      'accuracy_per_task.svg',
      'forgetting_per_task.svg',
      'accuracy_matrix_mamba-cl.svg',
    ]) {
      expect(existsSync(join(r.dir, f))).toBe(true);
    }
    const events = readFileSync(join(r.dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'trainer' && e.event.type === 'eval')).toHaveLength(20);
    expect(r.out).toMatch(/mamba-cl\s+done/);
  });
});
