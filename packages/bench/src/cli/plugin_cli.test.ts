/**
 * End to end through the CLI, as a user outside the workspace would run it: the guide's
 * `l2_anchor.ts` (copied word for word from apps/docs/guides/adding-a-strategy.md) as a plug-in
 * that imports ITS OWN copy of @mamba-cl/cl-trainer, the guide's command on a tiny image folder,
 * then the logs, the manifest, --config <manifest>, --resume and the errors of bad input.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBmpFolder } from '../testing_internal/bmp_folder.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..', '..');
const guide = readFileSync(join(repo, 'apps', 'docs', 'guides', 'adding-a-strategy.md'), 'utf8');
const cli = join(repo, 'packages', 'bench', 'src', 'cli.ts');
const tsx = join(
  dirname(createRequire(join(repo, 'package.json')).resolve('tsx/package.json')),
  'dist',
  'loader.mjs',
);

let dir = '';

/** Runs `mamba-cl …` (the workspace CLI through tsx) in the temporary folder. */
function mambaCl(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['--import', tsx, '--conditions=@mamba-cl/source', cli, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, MAMBA_CL_BACKEND: 'cpu', MAMBA_CL_CACHE_DIR: join(dir, 'cache') },
    timeout: 240_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

/** The words of a command line (single-quoted parts kept whole). */
const words = (line: string) => (line.match(/'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^'|'$/g, ''));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamba-cl-plugin-'));
  // The plug-in's own copy of @mamba-cl/cl-trainer (its sources: the CLI runs with the source
  // condition), and its dependencies linked from the workspace.
  const nm = join(dir, 'node_modules');
  const own = join(nm, '@mamba-cl', 'cl-trainer');
  mkdirSync(own, { recursive: true });
  cpSync(join(repo, 'packages', 'cl-trainer', 'package.json'), join(own, 'package.json'));
  cpSync(join(repo, 'packages', 'cl-trainer', 'src'), join(own, 'src'), { recursive: true });
  for (const p of ['nullspace', 'ssm-core'])
    symlinkSync(join(repo, 'packages', p), join(nm, '@mamba-cl', p), 'dir');
  mkdirSync(join(nm, '@tensorflow'), { recursive: true });
  const tfjs = dirname(
    createRequire(join(repo, 'packages', 'cl-trainer', 'package.json')).resolve(
      '@tensorflow/tfjs-core/package.json',
    ),
  );
  symlinkSync(realpathSync(tfjs), join(nm, '@tensorflow', 'tfjs-core'), 'dir');
  // The guide's example, word for word.
  const code = guide.match(/```ts\n(\/\/ l2_anchor\.ts\n[\s\S]*?)```/);
  if (!code) throw new Error('adding-a-strategy.md: no ```ts block starting with // l2_anchor.ts');
  writeFileSync(join(dir, 'l2_anchor.ts'), code[1]);
  writeBmpFolder(join(dir, 'my-images'), { classes: 4, train: 4, val: 2, size: 8 });
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a plug-in strategy through the CLI, outside the workspace', () => {
  it('lists what the plug-in added', () => {
    const line = guide.split('\n').find((l) => l.startsWith('mamba-cl list strategies --plugin'));
    expect(line).toBeDefined();
    const r = mambaCl(words(line!).slice(1));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(
      /l2-anchor\s+L2 penalty towards the weights after the previous task\s+lambda=1\s+\.\/l2_anchor\.ts/,
    );
    expect(r.out).toMatch(/ewc\s+.*lambda=100, mode="separate", gamma=1\s+built-in/);
  }, 120_000);

  it('runs the guide’s folder command, writes logs and the options, reruns from the manifest, resumes', () => {
    const line = guide.split('\n').find((l) => l.startsWith('mamba-cl run folder'));
    expect(line).toBeDefined();
    const smoke = [
      '--epochs',
      '1',
      '--max-steps',
      '2',
      '--batch-size',
      '4',
      '--no-progress',
      '--out',
      'runs',
    ];
    const r = mambaCl([...words(line!).slice(1), ...smoke]);
    expect(r.code, r.out).toBe(0);
    const [run] = readdirSync(join(dir, 'runs'));
    const folder = join(dir, 'runs', run);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(
      results.strategies.map((s: { strategy: string; status: string }) => [s.strategy, s.status]),
    ).toEqual([
      ['l2-anchor', 'complete'],
      ['finetune', 'complete'],
    ]);
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    expect(manifest.config.strategyOptions).toEqual({ 'l2-anchor': { lambda: 10 }, finetune: {} });
    expect(manifest.config.folder).toEqual({ tasks: 2, imageSize: 8, channels: 3 });
    expect(readFileSync(join(folder, 'report.md'), 'utf8')).toContain('Options: `{"lambda":10}`');
    const metrics = readFileSync(join(folder, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics[0]).toBe('seed,strategy,task,accuracy,forgetting,acc_task_1,acc_task_2');
    expect(metrics.slice(1).map((l) => l.split(',').slice(1, 3).join(','))).toEqual([
      'l2-anchor,1',
      'l2-anchor,2',
      'finetune,1',
      'finetune,2',
    ]);
    expect(readFileSync(join(folder, 'loss.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 2 * 2);
    const summary = readFileSync(join(folder, 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary.map((l) => l.split(',').slice(1, 3).join(','))).toEqual([
      'strategy,status',
      'l2-anchor,complete',
      'finetune,complete',
    ]);
    for (const s of ['l2-anchor', 'finetune']) {
      expect(readdirSync(join(folder, 'tensorboard', s))[0]).toMatch(/^events\.out\.tfevents\./);
    }

    // The manifest is a config: rerun it into another folder, without TensorBoard.
    const again = mambaCl([
      'run',
      '--config',
      join(folder, 'manifest.json'),
      '--out',
      'rerun',
      '--no-logs',
      'tensorboard',
      '--no-progress',
    ]);
    expect(again.code, again.out).toBe(0);
    const [run2] = readdirSync(join(dir, 'rerun'));
    const manifest2 = JSON.parse(readFileSync(join(dir, 'rerun', run2, 'manifest.json'), 'utf8'));
    expect(manifest2.config.strategyOptions).toEqual(manifest.config.strategyOptions);
    expect(manifest2.config.train).toEqual(manifest.config.train);
    expect(manifest2.classOrder).toEqual(manifest.classOrder);
    expect(existsSync(join(dir, 'rerun', run2, 'tensorboard'))).toBe(false);

    // --resume names the folder's benchmark or none; another one is refused.
    const resumed = mambaCl(['run', 'folder', '--resume', folder, '--no-progress']);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain('l2-anchor: already complete');
    const wrong = mambaCl(['run', 'default', '--resume', folder]);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('that folder is a folder run, not default');
  }, 240_000);

  it('exits 2 naming the strategy, the key and the known keys of a bad --option', () => {
    const r = mambaCl([
      'run',
      'folder',
      '--data-root',
      'my-images',
      '--tasks',
      '2',
      '--plugin',
      './l2_anchor.ts',
      '--strategy',
      'l2-anchor',
      '--option',
      'l2-anchor.lamda=10',
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('error: --option l2-anchor.lamda: strategy "l2-anchor" has no option "lamda"');
    expect(r.out).toContain('known options of l2-anchor: lambda');
    const bad = mambaCl(['run', 'folder', '--data-root', 'my-images', '--tasks', '3']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--tasks 3 does not split the 4 classes');
  }, 120_000);

  it('stops on Ctrl-C with the resume command, and the resumed run completes', async () => {
    const args = ['run', 'folder', '--data-root', 'my-images', '--tasks', '2', '--image-size', '8'];
    const more = [
      '--strategy',
      'finetune',
      '--epochs',
      '4',
      '--batch-size',
      '2',
      '--no-progress',
      '--out',
      'stopped',
    ];
    const child = spawn(
      process.execPath,
      ['--import', tsx, '--conditions=@mamba-cl/source', cli, ...args, ...more],
      {
        cwd: dir,
        env: { ...process.env, MAMBA_CL_BACKEND: 'cpu' },
      },
    );
    let out = '';
    let sent = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!sent && /── finetune/.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(code, out).toBe(130);
    expect(out).toContain('SIGINT: stopping after the current step, with a checkpoint there');
    expect(out).toMatch(/stopped by SIGINT; checkpoint written at task 1, epoch \d+, after batch \d+/);
    const m = out.match(/resume with: mamba-cl run --resume (\S+)/);
    expect(m, out).not.toBeNull();
    const results = JSON.parse(readFileSync(join(m![1], 'results.json'), 'utf8'));
    expect(results.strategies[0]).toMatchObject({ strategy: 'finetune', status: 'partial' });
    expect(results.strategies[0].error).toMatch(
      /^training stopped on request at task 0, epoch \d+, after batch \d+; checkpoint /,
    );
    // No periodic checkpoints: the one checkpoint is the one the signal made, inside task 1
    // (4 steps per epoch × 4 epochs), at the step where it stopped.
    const events = readFileSync(join(m![1], 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const checkpoints = events.filter((e) => e.type === 'trainer' && e.event.type === 'checkpoint');
    expect(checkpoints.map((e) => [e.event.position.task, e.event.taskDone])).toEqual([[0, false]]);
    expect(existsSync(join(m![1], 'checkpoints', 'finetune', 'checkpoint.mclckpt'))).toBe(true);
    const resumed = mambaCl(['run', '--resume', m![1], '--no-progress']);
    expect(resumed.code, resumed.out).toBe(0);
    expect(JSON.parse(readFileSync(join(m![1], 'results.json'), 'utf8')).strategies[0].status).toBe(
      'complete',
    );
  }, 240_000);
});
