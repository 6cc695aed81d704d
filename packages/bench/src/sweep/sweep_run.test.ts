import { describe, expect, it } from 'vitest';
import { expandSweep, flagPairs, sweepRunId } from './sweep_run.js';

const defaults = () => ({ strategies: ['mamba-cl'], seeds: [2024] });
// the `run` flags of these tests that take a value (RUN_VALUED_FLAGS in the CLI)
const valued = new Set(['lr', 'eta', 'epochs', 'limit-train']);

describe('expandSweep', () => {
  it('takes the product of benchmarks × strategies × seeds × grid points, one strategy and one seed per run', () => {
    const runs = expandSweep(
      {
        benchmarks: ['default', 'cifar100-10'],
        strategies: ['mamba-cl', 'finetune'],
        seeds: [2024, 2025],
        grid: { lr: ['1e-3', '2e-3'], epochs: ['1', '2', '3'] },
        passthrough: ['--limit-train', '5', '--no-progress'],
      },
      defaults,
      valued,
    );
    expect(runs).toHaveLength(2 * 2 * 2 * 2 * 3);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    expect(new Set(runs.map((r) => r.dirName)).size).toBe(runs.length);
    const r = runs[0];
    expect(r).toMatchObject({
      benchmark: 'default',
      strategy: 'mamba-cl',
      seed: 2024,
      point: { lr: '1e-3', epochs: '1' },
    });
    expect(r.argv).toEqual([
      'default',
      '--strategy',
      'mamba-cl',
      '--seed',
      '2024',
      '--limit-train',
      '5',
      '--no-progress',
      '--lr',
      '1e-3',
      '--epochs',
      '1',
    ]);
    expect(r.dirName).toBe(`default-mamba-cl-s2024-${r.id}`);
  });

  it("falls back to each benchmark's own strategies and seeds, and lists a repeated combination once", () => {
    const runs = expandSweep(
      { benchmarks: ['a', 'b'], strategies: [], seeds: [], grid: { lr: ['1', '1'] }, passthrough: [] },
      (b) => (b === 'a' ? { strategies: ['x', 'y'], seeds: [1] } : { strategies: ['z'], seeds: [1, 2, 3] }),
      valued,
    );
    expect(runs.map((r) => `${r.benchmark}/${r.strategy}/${r.seed}`)).toEqual([
      'a/x/1',
      'a/y/1',
      'b/z/1',
      'b/z/2',
      'b/z/3',
    ]);
  });

  it('refuses a flag that is both fixed and a grid axis', () => {
    expect(() =>
      expandSweep(
        {
          benchmarks: ['a'],
          strategies: ['x'],
          seeds: [1],
          grid: { lr: ['1', '2'] },
          passthrough: ['--lr', '3'],
        },
        defaults,
        valued,
      ),
    ).toThrow(/--lr is both a grid axis and a fixed flag/);
  });
});

describe('sweepRunId', () => {
  it('depends on the configuration, not on flag order or on flags that never change figures', () => {
    const a = sweepRunId('default', 'ewc', 2024, [
      ['lr', '1e-3'],
      ['epochs', '2'],
      ['out', '/x'],
      ['grad-workers', '1'],
    ]);
    const b = sweepRunId('default', 'ewc', 2024, [
      ['epochs', '2'],
      ['lr', '1e-3'],
    ]);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(
      sweepRunId('default', 'ewc', 2025, [
        ['epochs', '2'],
        ['lr', '1e-3'],
      ]),
    ).not.toBe(a);
    expect(
      sweepRunId('default', 'ewc', 2024, [
        ['epochs', '3'],
        ['lr', '1e-3'],
      ]),
    ).not.toBe(a);
    expect(
      sweepRunId('default', 'lwf', 2024, [
        ['epochs', '2'],
        ['lr', '1e-3'],
      ]),
    ).not.toBe(a);
  });

  it('keeps the order of a repeated flag (two --option values are not interchangeable with their order lost)', () => {
    const x = sweepRunId('d', 's', 1, [
      ['option', 'ewc.lambda=1'],
      ['option', 'ewc.lambda=2'],
    ]);
    const y = sweepRunId('d', 's', 1, [
      ['option', 'ewc.lambda=2'],
      ['option', 'ewc.lambda=1'],
    ]);
    expect(x).not.toBe(y);
  });
});

describe('flagPairs', () => {
  it('reads --flag value, --flag=value and boolean flags', () => {
    expect(flagPairs(['--lr', '1', '--eta=0.9', '--no-progress', '--epochs', '2'], valued)).toEqual([
      ['lr', '1'],
      ['eta', '0.9'],
      ['no-progress', true],
      ['epochs', '2'],
    ]);
    expect(() => flagPairs(['--lr'], valued)).toThrow(/needs a value/);
    expect(() => flagPairs(['lr'], valued)).toThrow(/expected a --flag/);
  });
});
