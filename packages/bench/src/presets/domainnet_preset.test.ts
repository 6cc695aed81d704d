import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDomainNetLists } from '../testing_internal/fixture_data.js';
import { runPreset } from '../testing_internal/run_preset.js';

describe('preset domainnet-10 end to end on fixture list files', () => {
  it('reads sdomain_{train,val}.txt and the raw tree, runs tasks of 20 classes (first 4 of 10)', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'dn-'));
    await writeDomainNetLists(root, { train: 1, val: 1 });
    const r = await runPreset('domainnet-10', root, ['--limit-tasks', '4']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.results.numTasks).toBe(4);
    expect(r.results.classOrder.slice(0, 5)).toEqual([192, 54, 163, 105, 170]);
    expect(r.results.strategies[0].status).toBe('complete');
    expect(r.results.strategies[0].valCounts).toEqual([20, 20, 20, 20]);
    expect(r.results.strategies[0].tasksDone).toBe(4);
    expect(r.manifest.config).toMatchObject({
      dataset: 'domainnet',
      pipelines: { train: 'domainnet-train', eval: 'domainnet-eval' },
    });
  });
});
