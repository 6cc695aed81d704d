import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBmpFolder } from '../testing_internal/bmp_folder.js';
import { configFromManifest, configToArgv, mergeConfig, parseRunConfig } from './run_config.js';
import { expandConfig, RUN_VALUED_FLAGS, resolveRunPlan } from './run_plan.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'run-config-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('run config files', () => {
  it('reads JSON and YAML into the same config', () => {
    const yaml = parseRunConfig(
      'benchmark: default\nstrategies: [ewc, finetune]\noptions:\n  ewc: { lambda: 10, mode: online }\nseeds: [1, 2]\ntrain: { epochs: 1, lr: 0.001 }\n',
      'run.yaml',
    );
    const json = parseRunConfig(
      JSON.stringify({
        benchmark: 'default',
        strategies: ['ewc', 'finetune'],
        strategyOptions: { ewc: { lambda: 10, mode: 'online' } },
        seeds: [1, 2],
        train: { epochs: 1, lr: 0.001 },
      }),
      'run.json',
    );
    expect(yaml).toEqual(json);
    expect(configToArgv(yaml)).toEqual([
      'default',
      '--strategy',
      'ewc',
      '--strategy',
      'finetune',
      '--option',
      'ewc.lambda=10',
      '--option',
      'ewc.mode="online"',
      '--seed',
      '1',
      '--seed',
      '2',
      '--epochs',
      '1',
      '--lr',
      '0.001',
    ]);
  });

  it('names the file and the key of every mistake', () => {
    expect(() => parseRunConfig('{"benchmark": "default", "epoch": 3}', 'a.json')).toThrow(
      /--config a\.json: unknown key "epoch"/,
    );
    expect(() => parseRunConfig('train: { epoch: 3 }', 'a.yml')).toThrow(/unknown key "train\.epoch"/);
    expect(() => parseRunConfig('data: { folder: x }', 'a.yml')).toThrow(/unknown key "data\.folder"/);
    expect(() => parseRunConfig('{"benchmark": ', 'a.json')).toThrow(/a\.json: not valid JSON/);
    expect(() => parseRunConfig('a: [1,', 'a.yaml')).toThrow(/a\.yaml: not valid YAML/);
    expect(() => parseRunConfig('[1, 2]', 'a.json')).toThrow(/expected an object of settings/);
    expect(() => parseRunConfig('options: { ewc: 3 }', 'a.yaml')).toThrow(/options\.ewc must be an object/);
    expect(() => configToArgv({ train: { epochs: { x: 1 } as never } })).toThrow(
      /train\.epochs must be a number/,
    );
  });

  it('lets the command line override the file; --option and --plugin add up', () => {
    const file = [
      'default',
      '--strategy',
      'ewc',
      '--epochs',
      '3',
      '--option',
      'ewc.lambda=1',
      '--plugin',
      'a.mjs',
    ];
    expect(mergeConfig(file, ['--epochs', '1', '--option', 'ewc.lambda=5'], RUN_VALUED_FLAGS)).toEqual([
      'default',
      '--strategy',
      'ewc',
      '--option',
      'ewc.lambda=1',
      '--plugin',
      'a.mjs',
      '--epochs',
      '1',
      '--option',
      'ewc.lambda=5',
    ]);
    expect(mergeConfig(file, ['folder', '--strategy=lwf'], RUN_VALUED_FLAGS)).toEqual([
      '--epochs',
      '3',
      '--option',
      'ewc.lambda=1',
      '--plugin',
      'a.mjs',
      'folder',
      '--strategy=lwf',
    ]);
  });

  it('resolves a run plan from a YAML file with flags on top, paths relative to the file', () => {
    const dir = tmp();
    writeBmpFolder(join(dir, 'imgs'), { classes: 4, train: 2, val: 1 });
    const file = join(dir, 'run.yaml');
    writeFileSync(
      file,
      'benchmark: folder\nstrategies: [ewc]\noptions: { ewc: { lambda: 7 } }\nseeds: 5\ntrain: { epochs: 4, batchSize: 2 }\ndata: { root: imgs, tasks: 2, imageSize: 12 }\nout: out\nlogs: [csv]\n',
    );
    const plan = resolveRunPlan(['--config', file, '--epochs', '1', '--option', 'ewc.mode=online']);
    if (plan === 'help') throw new Error('help');
    expect(plan.preset).toMatchObject({
      id: 'folder',
      numClasses: 4,
      numTasks: 2,
      image: { size: 12, channels: 3 },
    });
    expect(plan.dataRoot).toBe(join(dir, 'imgs'));
    expect(plan.out).toBe(join(dir, 'out'));
    expect(plan.train).toMatchObject({ epochs: 1, batchSize: 2 });
    expect(plan.seeds).toEqual([5]);
    expect(plan.strategyOptions).toEqual({ ewc: { lambda: 7, mode: 'online' } });
    expect(plan.logs).toEqual({ csv: true, tensorboard: false });
    expect(plan.argv).not.toContain('--config');
    expect(() => expandConfig(['--config', join(dir, 'missing.json')])).toThrow(
      /missing\.json: cannot read it \(ENOENT\)/,
    );
    expect(() => expandConfig(['--config'])).toThrow(/--config needs a file/);
  });

  it('turns a manifest into the config that reruns it', () => {
    const manifest = {
      schema: 'mamba-cl/manifest@1',
      benchmark: 'folder',
      seed: 2025,
      strategies: ['mamba-cl', 'l2-anchor'],
      config: {
        dataRoot: '/data/x',
        model: 'tiny',
        train: { epochs: 2, batchSize: 8, lr: 0.002, milestones: [], gamma: 0.1, maxSteps: 3 },
        strategyOptions: { 'mamba-cl': { eta: 0.9 }, 'l2-anchor': { lambda: 10 } },
        userStrategyOptions: { 'l2-anchor': { lambda: 10 } },
        plugins: ['/p/l2_anchor.mjs'],
        folder: { tasks: 2, imageSize: 16, channels: 1 },
        limitTasks: null,
        loaderWorkers: 0,
        gradientWorkers: 1,
      },
      checkpoint: { path: '/w/a.safetensors', sha256: 'x', origin: '--weights' },
      argv: [],
    };
    const config = parseRunConfig(JSON.stringify(manifest), 'manifest.json');
    expect(config).toEqual(configFromManifest(manifest, 'manifest.json'));
    expect(configToArgv(config)).toEqual([
      'folder',
      '--strategy',
      'mamba-cl',
      '--strategy',
      'l2-anchor',
      '--option',
      'l2-anchor.lambda=10',
      '--seed',
      '2025',
      '--epochs',
      '2',
      '--batch-size',
      '8',
      '--lr',
      '0.002',
      '--milestones',
      '',
      '--gamma',
      '0.1',
      '--max-steps',
      '3',
      '--data-root',
      '/data/x',
      '--tasks',
      '2',
      '--image-size',
      '16',
      '--channels',
      '1',
      '--model',
      'tiny',
      '--weights',
      '/w/a.safetensors',
      '--plugin',
      '/p/l2_anchor.mjs',
      '--workers',
      '0',
      '--grad-workers',
      '1',
    ]);
  });

  it('reads the config of the "Your own data" guide', () => {
    const here = new URL('.', import.meta.url).pathname;
    const guide = readFileSync(join(here, '../../../../apps/docs/guides/your-own-data.md'), 'utf8');
    const yaml = guide.match(/```yaml\n(# run\.yaml\n[\s\S]*?)```/);
    expect(yaml).not.toBeNull();
    const config = parseRunConfig(yaml![1], 'run.yaml');
    expect(config).toMatchObject({
      benchmark: 'folder',
      data: { tasks: 2, imageSize: 32 },
      options: { ewc: { lambda: 10 } },
    });
    const argv = configToArgv(config, '/somewhere');
    expect(argv).toContain('--data-root');
    expect(argv[argv.indexOf('--data-root') + 1]).toBe('/somewhere/my-images');
    expect(argv).toContain('mamba-cl.threshold={"kind":"ratio","ratio":0.01}');
  });
});
