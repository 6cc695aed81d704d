import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunFolder } from '../run/run_folder.js';
import { writeBmpFolder } from '../testing_internal/bmp_folder.js';
import { writeFakeRun } from '../testing_internal/fake_results.js';
import { CliError } from './cli_error.js';
import { resumeArgs } from './run_command.js';
import { type RunPlan, resolveRunPlan } from './run_plan.js';

function plan(argv: string[], known?: string[]): RunPlan {
  const p = resolveRunPlan(argv, known);
  if (p === 'help') throw new Error('help');
  return p;
}

function cifarRoot(): { root: string; weights: string } {
  const root = mkdtempSync(join(os.tmpdir(), 'plan-'));
  mkdirSync(join(root, 'train', '00'), { recursive: true });
  mkdirSync(join(root, 'val', '00'), { recursive: true });
  const weights = join(root, 'defocus_mamba_large_cls_21k.pth');
  writeFileSync(weights, 'x');
  return { root, weights };
}

describe('resolveRunPlan', () => {
  it('takes the preset and applies overrides; lists and repeats both work', () => {
    const { root, weights } = cifarRoot();
    const p = plan([
      'cifar100-10',
      '--data-root',
      root,
      '--weights',
      weights,
      '--strategy',
      'mamba-cl,finetune',
      '--strategy',
      'joint',
      '--seed',
      '2024',
      '--seed',
      '2025,2026',
      '--epochs',
      '2',
      '--lr',
      '1e-3',
      '--eta',
      '0.9',
      '--milestones',
      '1,2',
      '--max-steps',
      '3',
      '--limit-train',
      '4',
    ]);
    expect(p.preset.id).toBe('cifar100-10');
    expect(p.strategies).toEqual(['mamba-cl', 'finetune', 'joint']);
    expect(p.seeds).toEqual([2024, 2025, 2026]);
    expect(p.train).toMatchObject({
      epochs: 2,
      lr: 1e-3,
      eta: 0.9,
      milestones: [1, 2],
      maxSteps: 3,
      limitTrainPerClass: 4,
      batchSize: 200,
    });
    expect(p.dataRoot).toBe(root);
  });
  it('uses the preset defaults', () => {
    const p = plan(['default']);
    expect(p.strategies).toEqual(['mamba-cl', 'finetune', 'joint']);
    expect(p.seeds).toEqual([2024]);
    expect(p.model).toBe('tiny');
    expect(p.progress).toBe(true);
    expect(p.gradWorkers).toBe(0);
    expect(plan(['default', '--grad-workers', '1']).gradWorkers).toBe(1);
  });
  const bad: [string[], RegExp][] = [
    [[], /no benchmark given/],
    [['nope'], /unknown benchmark "nope"/],
    [['default', '--epochs', 'ten'], /--epochs: "ten" is not an integer/],
    [['default', '--epochs', '0'], /--epochs: 0 must be an integer ≥ 1/],
    [['default', '--lr=-1'], /--lr: -1 must be > 0/],
    [['default', '--lr', '-1'], /argument is ambiguous.*--lr=-XYZ/s],
    [['default', '--eta', '1.5'], /--eta: 1.5 must be ≤ 1/],
    [['default', '--seed', '1.5'], /--seed: "1.5" is not an integer/],
    [['default', '--grad-workers', 'two'], /--grad-workers: "two" is not an integer/],
    [['default', '--backend', 'cuda'], /unknown backend "cuda"/],
    [['default', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['default', '--limit-tasks', '9'], /--limit-tasks 9 exceeds the 5 tasks/],
    [['default', '--data-root', '/tmp'], /--data-root is not used/],
    [['default', '--weights', '/nonexistent.pth'], /--weights \/nonexistent\.pth does not exist/],
    [['cifar100-10'], /--data-root is required/],
    [['cifar100-10', '--data-root', '/nonexistent/x'], /does not exist/],
    [
      ['imagenet-r-10', '--data-root', os.tmpdir()],
      /does not look like imagenet-r data \(no train\/ \+ val\/ folders and no imagenet_r_train\.txt/,
    ],
    [['domainnet-10', '--data-root', os.tmpdir()], /no sdomain_train\.txt/],
  ];
  it.each(bad)('rejects %j clearly', (argv, msg) => {
    expect(() => plan(argv)).toThrow(CliError);
    expect(() => plan(argv)).toThrow(msg);
  });
  it('explains where to get missing weights and the expected data layout', () => {
    const { root } = cifarRoot();
    try {
      plan(['cifar100-10', '--data-root', root]);
      expect.unreachable();
    } catch (err) {
      expect((err as CliError).message).toMatch(
        /--weights is required \(the defocus_mamba_large_cls_21k\.pth checkpoint\)/,
      );
      expect((err as CliError).hint).toMatch(/OpenGVLab\/De-focus-Attention-Networks/);
    }
    try {
      plan(['imagenet-r-20', '--data-root', os.tmpdir()]);
      expect.unreachable();
    } catch (err) {
      expect((err as CliError).hint).toMatch(/<data-root>\/train\/<wnid>\/<file>\.jpg/);
    }
    expect(() => plan(['cifar100-10', '--data-root', root, '--weights', join(root, 'train')])).toThrow(
      /not a file/,
    );
  });
  it('checks strategies against the known ids', () => {
    expect(() => plan(['default', '--strategy', 'ewc,foo'], ['mamba-cl', 'ewc'])).toThrow(
      /--strategy foo: unknown strategy/,
    );
  });
  it('returns help', () => {
    expect(resolveRunPlan(['--help'])).toBe('help');
  });

  it('reads the folder-only flags, --no-logs, --gamma, --checkpoint-every and refuses misplaced ones', () => {
    expect(() => plan(['default', '--tasks', '2'])).toThrow(/--tasks is only for the folder benchmark/);
    expect(() => plan(['default', '--channels', '1'])).toThrow(/--channels is only for the folder benchmark/);
    expect(() => plan(['default', '--no-logs', 'wandb'])).toThrow(/--no-logs wandb: unknown log/);
    const p = plan(['default', '--no-logs', 'csv', '--gamma', '0.5', '--checkpoint-every', '10']);
    expect(p.logs).toEqual({ csv: false, tensorboard: true });
    expect(p.train.gamma).toBe(0.5);
    expect(p.checkpointEvery).toBe(10);
    expect(plan(['default']).logs).toEqual({ csv: true, tensorboard: true });
    expect(() => plan(['folder', '--tasks', '2'])).toThrow(/run folder: --data-root is required/);
    const root = mkdtempSync(join(os.tmpdir(), 'plan-folder-'));
    writeBmpFolder(root, { classes: 2, train: 1, val: 1 });
    expect(() => plan(['folder', '--data-root', root, '--tasks', '2', '--image-size', '30'])).toThrow(
      /--image-size 30 is not a multiple of the patch size 4 of tiny/,
    );
    expect(plan(['folder', '--data-root', root, '--tasks', '1', '--channels', '1']).folder).toEqual({
      tasks: 1,
      imageSize: 28,
      channels: 1,
    });
  });
});

describe('resumeArgs', () => {
  it('accepts the folder’s own benchmark beside --resume and refuses another', () => {
    const parent = mkdtempSync(join(os.tmpdir(), 'resume-args-'));
    const dir = writeFakeRun(parent);
    const r = resumeArgs(['default', '--resume', dir, '--backend', 'cpu']);
    expect(r?.argv).toEqual(['default', '--seed', '2024', '--backend', 'cpu']);
    expect(resumeArgs(['--resume', dir])?.argv).toEqual(['default', '--seed', '2024']);
    expect(() => resumeArgs(['cifar100-10', '--resume', dir])).toThrow(
      /that folder is a default run, not cifar100-10/,
    );
    expect(() => resumeArgs(['--resume', join(parent, 'nope')])).toThrow(/run --resume .*nope: /);
    expect(resumeArgs(['default'])).toBeUndefined();
    // Plug-ins resume from the absolute paths the manifest recorded.
    const withPlugin = writeFakeRun(mkdtempSync(join(os.tmpdir(), 'resume-plugin-')));
    const folder = RunFolder.open(withPlugin);
    const m = folder.readManifest();
    folder.writeManifest({
      ...m,
      argv: ['run', 'default', '--plugin', './p.mjs'],
      config: { ...m.config, plugins: ['/abs/p.mjs'] },
    });
    expect(resumeArgs(['--resume', withPlugin])?.argv).toEqual([
      'default',
      '--plugin',
      '/abs/p.mjs',
      '--seed',
      '2024',
    ]);
  });
});
