import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { RunResults } from '../report/run_results.js';
import { writeCifar100Binary, writeGoldenModelJson } from '../testing_internal/fixture_data.js';
import { runPreset, smokeFlags } from '../testing_internal/run_preset.js';

describe('run --resume and report on a real run folder', () => {
  it('continues an interrupted strategy from its checkpoint and skips finished ones', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'cifar-'));
    writeCifar100Binary(root, { train: 1, test: 1 });
    const r = await runPreset('cifar100-10', root, ['--strategy', 'mamba-cl,finetune', '--limit-tasks', '2']);
    expect(r.code).toBe(0);
    const full = r.results.strategies[1];
    expect(full.tasksDone).toBe(2);
    // simulate a run killed after finetune's first task: results.json says partial
    const partial: RunResults = {
      ...r.results,
      status: 'partial',
      strategies: [
        r.results.strategies[0],
        { ...full, status: 'partial', tasksDone: 1, accuracyMatrix: [full.accuracyMatrix[0], [0, 0]] },
      ],
    };
    writeFileSync(join(r.dir, 'results.json'), JSON.stringify(partial));
    const lines: string[] = [];
    const errs: string[] = [];
    const code = await main(['run', '--resume', r.dir, '--no-progress'], {
      log: (l) => lines.push(l),
      error: (l) => errs.push(l),
    });
    expect(errs.join('\n')).toBe('');
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('mamba-cl: already complete');
    const after = JSON.parse(readFileSync(join(r.dir, 'results.json'), 'utf8')) as RunResults;
    expect(after.status).toBe('complete');
    expect(after.strategies[1]).toMatchObject({
      status: 'complete',
      tasksDone: 2,
      accuracyMatrix: full.accuracyMatrix,
    });
    // a resumed run refuses configuration changes
    expect(
      await main(['run', '--resume', r.dir, '--epochs', '3'], { log: () => {}, error: (l) => errs.push(l) }),
    ).toBe(2);
    expect(errs.join('\n')).toContain('cannot change a run that has started');
    // report re-renders the folder
    const rep: string[] = [];
    expect(await main(['report', r.dir], { log: (l) => rep.push(l), error: (l) => rep.push(l) })).toBe(0);
    const md = readFileSync(join(r.dir, 'report.md'), 'utf8');
    expect(md).toContain('# cifar100-10, seed 2024');
    expect(md).toMatch(/\| finetune \| done \|/);
    expect(existsSync(join(r.dir, 'accuracy_matrix_finetune.svg'))).toBe(true);
  });

  it('runs several seeds into one folder each plus a mean ± std summary', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'cifar-'));
    writeCifar100Binary(root, { train: 1, test: 1 });
    const out = mkdtempSync(join(os.tmpdir(), 'seeds-'));
    const lines: string[] = [];
    const code = await main(
      [
        'run',
        'cifar100-10',
        '--data-root',
        root,
        ...smokeFlags(out, writeGoldenModelJson(out)).filter(
          (_, i, a) => a[i] !== '--seed' && a[i - 1] !== '--seed',
        ),
        '--seed',
        '2024,2025',
        '--strategy',
        'finetune',
        '--limit-tasks',
        '2',
      ],
      { log: (l) => lines.push(l), error: (l) => lines.push(l) },
    );
    expect(code).toBe(0);
    const dirs = readdirSync(out).filter((d) => d.startsWith('cifar100-10-s'));
    expect(dirs.map((d) => d.slice(0, 17)).sort()).toEqual(['cifar100-10-s2024', 'cifar100-10-s2025']);
    const orders = dirs.map((d) =>
      (JSON.parse(readFileSync(join(out, d, 'results.json'), 'utf8')) as RunResults).classOrder.slice(0, 3),
    );
    expect(orders).toContainEqual([55, 17, 75]); // seed 2024
    expect(orders).toContainEqual([79, 92, 13]); // seed 2025 (spec §5)
    for (const d of dirs) {
      const kinds = readFileSync(join(out, d, 'events.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type);
      expect(kinds[0]).toBe('phase'); // the data loading of that seed is in its own log
      expect(kinds).toContain('run-end');
    }
    const summary = readdirSync(out).find((d) => d.endsWith('-summary'));
    expect(summary).toBeDefined();
    expect(readFileSync(join(out, summary!, 'report.md'), 'utf8')).toMatch(
      /\| finetune \| 2\/2 \| [\d.]+ ± [\d.]+ \|/,
    );
    expect(lines.join('\n')).toContain('summary over 2 seeds');
  });
});
