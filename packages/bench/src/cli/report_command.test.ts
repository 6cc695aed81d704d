import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunFolder } from '../run/run_folder.js';
import { fakeManifest, writeFakeRun } from '../testing_internal/fake_results.js';
import { reportCommand } from './report_command.js';

describe('mamba-cl report', () => {
  it('re-renders report.md and the plots of one run folder', () => {
    const dir = writeFakeRun();
    const lines: string[] = [];
    expect(reportCommand([dir], (l) => lines.push(l))).toEqual([dir]);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| mamba-cl | done | 87.67 |');
    for (const f of ['accuracy_per_task.svg', 'forgetting_per_task.svg', 'accuracy_matrix_mamba-cl.svg']) {
      expect(readFileSync(join(dir, f), 'utf8')).toContain('<svg');
    }
    expect(lines[0]).toBe(`wrote ${join(dir, 'report.md')}`);
  });

  it('summarises several runs (a parent folder counts as its run folders) with mean ± std', () => {
    const parent = mkdtempSync(join(os.tmpdir(), 'rep-'));
    writeFakeRun(parent, 2024, 0);
    writeFakeRun(parent, 2025, 2);
    const out = join(parent, 'summary');
    const written = reportCommand([parent, '--out', out], () => {});
    expect(written).toHaveLength(3);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| mamba-cl \| 2\/2 \| 88\.00 ± 0\.47 \|/);
    expect(existsSync(join(out, 'accuracy_per_task.svg'))).toBe(true);
    rmSync(parent, { recursive: true });
  });

  it('explains a folder that is not a run, and a run with no results yet', () => {
    const empty = mkdtempSync(join(os.tmpdir(), 'rep-'));
    expect(() => reportCommand([empty])).toThrow(/neither a run folder nor a folder of run folders/);
    expect(() => reportCommand([join(empty, 'missing')])).toThrow(/is not a folder/);
    expect(() => reportCommand([])).toThrow(/no run folder given/);
    const started = join(empty, 'started');
    mkdirSync(started);
    RunFolder.create(started).writeManifest(fakeManifest());
    expect(() => reportCommand([started])).toThrow(/no results\.json yet/);
  });

  it('warns when two runs share a seed, in the log and in the summary', () => {
    const a = mkdtempSync(join(os.tmpdir(), 'rep-'));
    const b = mkdtempSync(join(os.tmpdir(), 'rep-'));
    const runA = writeFakeRun(a, 2024, 0);
    const runB = writeFakeRun(b, 2024, 1);
    const lines: string[] = [];
    const out = join(a, 'summary');
    reportCommand([runA, runB, '--out', out], (l) => lines.push(l));
    const warning = lines.find((l) => l.startsWith('warning: '));
    expect(warning).toBe(
      `warning: 2 runs share seed 2024 of default (${runA}, ${runB}): the same class order is counted 2 times in mean ± std; use one run per seed`,
    );
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      '**Warning**: 2 runs share seed 2024 of default',
    );
    const c = writeFakeRun(mkdtempSync(join(os.tmpdir(), 'rep-')), 2025, 0);
    const quiet: string[] = [];
    reportCommand([runA, c, '--out', join(a, 's2')], (l) => quiet.push(l));
    expect(quiet.some((l) => l.startsWith('warning'))).toBe(false);
    for (const d of [a, b, join(c, '..')]) rmSync(d, { recursive: true, force: true });
  });
});
