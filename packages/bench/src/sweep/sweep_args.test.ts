import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../cli/cli_error.js';
import { parseSweepArgs, type SweepArgs } from './sweep_args.js';

const parse = (argv: string[]) => parseSweepArgs(argv) as SweepArgs;

describe('parseSweepArgs', () => {
  it('turns comma lists of hyper-parameters into grid axes and passes every other run flag through', () => {
    const a = parse([
      'default,cifar100-10',
      '--strategy',
      'mamba-cl,finetune',
      '--seed',
      '2024,2025',
      '--lr',
      '1e-3,2e-3',
      '--epochs',
      '2',
      '--milestones',
      '10,20',
      '--data-root',
      'data',
      '--no-progress',
      '--parallel',
      '2',
    ]);
    expect(a.spec.benchmarks).toEqual(['default', 'cifar100-10']);
    expect(a.spec.strategies).toEqual(['mamba-cl', 'finetune']);
    expect(a.spec.seeds).toEqual([2024, 2025]);
    expect(a.spec.grid).toEqual({ lr: ['1e-3', '2e-3'] });
    // milestones is a list-valued flag, not an axis; paths become absolute for every machine
    expect(a.spec.passthrough).toEqual([
      '--epochs',
      '2',
      '--milestones',
      '10,20',
      '--data-root',
      resolve('data'),
      '--no-progress',
    ]);
    expect(a).toMatchObject({ executor: 'local', parallel: 2, attempts: 3, out: resolve('sweeps') });
  });

  it('reads a YAML sweep file, and flags override it', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'sweep-cfg-'));
    const file = join(dir, 'sweep.yaml');
    writeFileSync(
      file,
      [
        'benchmarks: [default]',
        'strategies: [mamba-cl, ewc]',
        'seeds: [2024, 2025, 2026]',
        'grid:',
        '  lr: [0.001, 0.002]',
        'flags:',
        '  epochs: 1',
        '  option: ["ewc.lambda=10"]',
        'executor: bullmq',
        'queue: redis://127.0.0.1:6379',
        `out: ${join(dir, 'out')}`,
      ].join('\n'),
    );
    const a = parse(['--config', file, '--seed', '7', '--lr', '0.01']);
    expect(a.spec).toEqual({
      benchmarks: ['default'],
      strategies: ['mamba-cl', 'ewc'],
      seeds: [7],
      grid: {},
      passthrough: ['--epochs', '1', '--option', 'ewc.lambda=10', '--lr', '0.01'],
    });
    expect(a).toMatchObject({ executor: 'bullmq', queue: 'redis://127.0.0.1:6379', out: join(dir, 'out') });
  });

  it('names what is wrong', () => {
    expect(() => parse([])).toThrow(CliError);
    expect(() => parse([])).toThrow(/no benchmark given/);
    expect(() => parse(['default', '--executor', 'slurm'])).toThrow(/unknown executor/);
    expect(() => parse(['default', '--queue', 'redis://x:1'])).toThrow(/only used with --executor bullmq/);
    expect(() => parse(['default', '--resume', 'x'])).toThrow(CliError);
    const dir = mkdtempSync(join(os.tmpdir(), 'sweep-cfg-'));
    writeFileSync(join(dir, 'bad.yaml'), 'benchmark: default\n');
    expect(() => parse(['--config', join(dir, 'bad.yaml')])).toThrow(/unknown field "benchmark"/);
    writeFileSync(join(dir, 'grid.yaml'), 'benchmarks: [default]\ngrid:\n  data-root: [a, b]\n');
    expect(() => parse(['--config', join(dir, 'grid.yaml')])).toThrow(/not a hyper-parameter flag/);
    expect(() => parse(['--config', join(dir, 'missing.yaml')])).toThrow(/cannot read/);
  });
});
