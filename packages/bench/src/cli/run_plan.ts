import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { StrategyDefinition } from '@mamba-cl/cl-trainer';
import { defaultCacheDir as datasetsCacheDir } from '@mamba-cl/datasets';
import { parseBackendList } from '@mamba-cl/ssm-core/backend';
import type { BenchmarkPreset, TrainSettings } from '../presets/benchmark_preset.js';
import { folderPreset } from '../presets/folder_preset.js';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { resolveModelConfig } from '../wiring/model.js';
import { CliError } from './cli_error.js';
import { parseIntFlag, parseIntList, parseNumberFlag, splitList } from './flag_values.js';
import { parseCli } from './parse_cli.js';
import { configToArgv, loadRunConfig, mergeConfig } from './run_config.js';
import {
  collectStrategyOptions,
  type StrategyOptionMap,
  validateStrategyOptions,
} from './strategy_options.js';

/**
 * Everything `mamba-cl run` needs, resolved from a preset and the flags and validated.
 *
 * @category CLI
 */
export interface RunPlan {
  readonly preset: BenchmarkPreset;
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Backend preference passed to `selectBackend` (`undefined` = MAMBA_CL_BACKEND or auto). */
  readonly backend?: string;
  readonly dataRoot?: string;
  readonly weights?: string;
  readonly model: string;
  readonly out: string;
  readonly resume?: string;
  readonly cacheDir: string;
  readonly train: TrainSettings;
  readonly limitTasks?: number;
  readonly progress: boolean;
  /** DataLoader worker threads (decode + augmentation) for the paper benchmarks. */
  readonly workers: number;
  /** Gradient worker threads beside the main thread (ContinualTrainer `workers`); 0 = one thread. */
  readonly gradWorkers: number;
  /** The command line that made this plan (`run <benchmark> …`), recorded in the manifest. */
  readonly argv: readonly string[];
  /** `--option` values by strategy (what the user set; the runner adds η for mamba-cl). */
  readonly strategyOptions: StrategyOptionMap;
  /** `--plugin` values, as given (loaded before the plan is resolved). */
  readonly plugins: readonly string[];
  /** Which log files the run folder gets besides events.jsonl (`--no-logs` turns them off). */
  readonly logs: { readonly csv: boolean; readonly tensorboard: boolean };
  /** Checkpoint every n optimizer steps inside a task (`--checkpoint-every`; 0 = task boundaries only). */
  readonly checkpointEvery: number;
  /** The `folder` benchmark's settings (`--tasks`, `--image-size`, `--channels`). */
  readonly folder?: { readonly tasks: number; readonly imageSize: number; readonly channels: 1 | 3 };
}

/** The flag table of `mamba-cl run`. */
export const RUN_FLAGS = {
  strategy: { type: 'string', multiple: true },
  seed: { type: 'string', multiple: true },
  backend: { type: 'string' },
  'data-root': { type: 'string' },
  weights: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  'cache-dir': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'eval-batch-size': { type: 'string' },
  lr: { type: 'string' },
  'head-lr-scale': { type: 'string' },
  'weight-decay': { type: 'string' },
  eta: { type: 'string' },
  'expand-times': { type: 'string' },
  milestones: { type: 'string' },
  'max-steps': { type: 'string' },
  'limit-train': { type: 'string' },
  'limit-val': { type: 'string' },
  'limit-tasks': { type: 'string' },
  workers: { type: 'string' },
  'grad-workers': { type: 'string' },
  gamma: { type: 'string' },
  option: { type: 'string', multiple: true },
  plugin: { type: 'string', multiple: true },
  config: { type: 'string' },
  tasks: { type: 'string' },
  'image-size': { type: 'string' },
  channels: { type: 'string' },
  'no-logs': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'allow-partial-weights': { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The names of the `run` flags that take a value. */
export const RUN_VALUED_FLAGS: ReadonlySet<string> = new Set(
  Object.entries(RUN_FLAGS)
    .filter(([, f]) => f.type === 'string')
    .map(([k]) => k),
);

/** The log files `--no-logs` can turn off. */
export const LOG_KINDS = ['csv', 'tensorboard'] as const;

/**
 * Replaces `--config <file>` in a `run` command line by the file's settings, the command line's
 * own flags overriding them ({@link mergeConfig}).
 *
 * @param argv - arguments after `run`
 * @returns the arguments without `--config` (unchanged when there is none)
 * @throws {@link CliError} for an unreadable or invalid file
 * @category CLI
 */
export function expandConfig(argv: readonly string[]): string[] {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return [...argv];
  const inline = argv[i].includes('=');
  const file = inline ? argv[i].slice('--config='.length) : argv[i + 1];
  if (file === undefined || file === '')
    throw new CliError('run: --config needs a file (.json, .yaml or a manifest.json)');
  const rest = argv.filter((_, k) => k !== i && !(k === i + 1 && !inline));
  if (rest.some((a) => a === '--config' || a.startsWith('--config='))) {
    throw new CliError('run: --config given twice', 'one config file per run; flags override it');
  }
  const { config, baseDir } = loadRunConfig(file);
  return mergeConfig(configToArgv(config, baseDir), rest, RUN_VALUED_FLAGS);
}

/**
 * The `--plugin` values of a `run` command line (after {@link expandConfig}).
 *
 * @category CLI
 */
export function pluginSpecs(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, k) => {
    if (a === '--plugin' && argv[k + 1] !== undefined) out.push(argv[k + 1]);
    else if (a.startsWith('--plugin=')) out.push(a.slice('--plugin='.length));
  });
  return out;
}

/**
 * Default cache folder (the embedded default's pretrained checkpoint and converted npm data sets):
 * `$MAMBA_CL_CACHE_DIR`, else `$XDG_CACHE_HOME/mamba-cl`, else `~/.cache/mamba-cl` (the same rule
 * as `@mamba-cl/datasets`).
 *
 * @category CLI
 */
export function defaultCacheDir(): string {
  return datasetsCacheDir();
}

/**
 * Checks that a data root looks like the layout a benchmark reads; throws a {@link CliError} that
 * shows the expected layout otherwise.
 *
 * @param preset - the benchmark
 * @param root - the `--data-root` value
 * @category CLI
 */
export function checkDataRoot(preset: BenchmarkPreset, root: string | undefined): void {
  const layout = `expected layout for ${preset.id}:\n${preset.dataLayout.map((l) => `  ${l}`).join('\n')}\nsee the "Reproducing the paper" guide (apps/docs/guides/reproducing.md)`;
  if (root === undefined) {
    throw new CliError(
      `run ${preset.id}: --data-root is required (the ${preset.dataset} images are not shipped)`,
      layout,
    );
  }
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CliError(`run ${preset.id}: --data-root ${root} does not exist or is not a folder`, layout);
  }
  const missing = (what: string) =>
    new CliError(`run ${preset.id}: ${root} does not look like ${preset.dataset} data (${what})`, layout);
  if (preset.dataset !== 'fashion-mnist' && dataLayoutOf(preset, root) === undefined) {
    const what: Record<string, string> = {
      cifar100:
        'no train/ + val/ folders, no cifar100_train.txt + cifar100_val.txt, no cifar-100-binary/ or cifar-100-python/',
      'imagenet-r': 'no train/ + val/ folders and no imagenet_r_train.txt + imagenet_r_val.txt',
      domainnet: 'no train/ + val/ folders and no sdomain_train.txt + sdomain_val.txt',
    };
    throw missing(what[preset.dataset] ?? 'unknown layout');
  }
}

/**
 * Which of the accepted layouts a data root has (see each preset's `dataLayout`).
 *
 * @param preset - the benchmark
 * @param root - the data root
 * @returns `split-folders` (ROOT/{train,val}/<class>/<image>), `lists` (list files + raw images),
 *   `cifar-binary`, `cifar-python`, or `undefined` when none fits
 * @category CLI
 */
export function dataLayoutOf(
  preset: BenchmarkPreset,
  root: string,
): 'split-folders' | 'lists' | 'cifar-binary' | 'cifar-python' | undefined {
  const has = (p: string) => existsSync(join(root, p));
  const lists: Record<string, [string, string]> = {
    cifar100: ['cifar100_train.txt', 'cifar100_val.txt'],
    'imagenet-r': ['imagenet_r_train.txt', 'imagenet_r_val.txt'],
    domainnet: ['sdomain_train.txt', 'sdomain_val.txt'],
  };
  if (has('train') && has('val') && statSync(join(root, 'train')).isDirectory()) {
    if (readdirSync(join(root, 'train')).length > 0) return 'split-folders';
  }
  const l = lists[preset.dataset];
  if (l && has(l[0]) && has(l[1])) return 'lists';
  if (preset.dataset === 'cifar100') {
    if (has('cifar-100-binary/train.bin') || has('train.bin')) return 'cifar-binary';
    if (has('cifar-100-python/train') || (has('train') && has('meta'))) return 'cifar-python';
  }
  return undefined;
}

/**
 * Checks the `--weights` file of a benchmark that needs a checkpoint.
 *
 * @category CLI
 */
export function checkWeights(preset: BenchmarkPreset, weights: string | undefined): void {
  if (preset.weights.kind !== 'file') {
    if (weights !== undefined && (!existsSync(weights) || !statSync(weights).isFile())) {
      throw new CliError(
        `run ${preset.id}: --weights ${weights} does not exist or is not a file`,
        'omit --weights to use the pretrained checkpoint of the preset (made once and cached), or pass a .pth / .safetensors file',
      );
    }
    return;
  }
  const how = `${preset.weights.howToGet}.\nExpected: a PyTorch .pth checkpoint (its "model" entry, or the state dict itself) or a .safetensors file with the official key names (patch_embed.proj.weight, blocks.0.mixer.x_proj.weight, …).`;
  if (weights === undefined) {
    throw new CliError(
      `run ${preset.id}: --weights is required (the ${preset.weights.file} checkpoint)`,
      how,
    );
  }
  if (!existsSync(weights) || !statSync(weights).isFile()) {
    throw new CliError(`run ${preset.id}: --weights ${weights} does not exist or is not a file`, how);
  }
  if (!/\.(pth|pt|bin|ckpt|safetensors)$/i.test(weights)) {
    throw new CliError(`run ${preset.id}: --weights ${weights}: expected a .pth or .safetensors file`, how);
  }
}

/**
 * Parses and validates the arguments of `mamba-cl run`.
 *
 * **Details**
 * Strategy names are checked later against the trainer's registry (they can be plug-ins).
 *
 * @param argv - arguments after `run`
 * @param knownStrategies - strategy ids to validate against (omit to skip)
 * @returns the plan, or `'help'` when `--help` was given
 * @throws {@link CliError} for every wrong flag, missing data or weights
 * @category CLI
 */
export function resolveRunPlan(
  argv0: readonly string[],
  knownStrategies?: readonly string[],
  definition?: (id: string) => StrategyDefinition | undefined,
): RunPlan | 'help' {
  const argv = expandConfig(argv0);
  const { values: v, positionals } = parseCli('run', argv, RUN_FLAGS);
  if (v.help) return 'help';
  if (positionals.length === 0 && typeof v.resume !== 'string') {
    throw new CliError(
      'run: no benchmark given',
      `usage: mamba-cl run <benchmark>; benchmarks: ${BENCHMARKS.ids().join(', ')}`,
    );
  }
  if (positionals.length > 1) {
    throw new CliError(
      `run: one benchmark at a time, got ${positionals.join(' ')}`,
      'run them one after another',
    );
  }
  const id = positionals[0] ?? '';
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const abs0 = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(p));
  let preset: BenchmarkPreset;
  let folder: RunPlan['folder'];
  if (id === 'folder') {
    const tasks = str('tasks') !== undefined ? parseIntFlag('tasks', str('tasks')!) : undefined;
    const imageSize =
      str('image-size') !== undefined ? parseIntFlag('image-size', str('image-size')!, 2) : undefined;
    const channels = str('channels') !== undefined ? parseIntFlag('channels', str('channels')!) : undefined;
    preset = folderPreset(abs0(str('data-root')), { tasks, imageSize, channels }).preset;
    const model = str('model') ?? preset.model;
    const patch = resolveModelConfig(abs0(model.endsWith('.json') ? model : undefined) ?? model).patchSize;
    if (preset.image!.size % patch !== 0) {
      throw new CliError(
        `run folder: --image-size ${preset.image!.size} is not a multiple of the patch size ${patch} of ${model}`,
        `use e.g. --image-size ${Math.max(patch, Math.round(preset.image!.size / patch) * patch)}`,
      );
    }
    folder = { tasks: preset.numTasks, imageSize: preset.image!.size, channels: preset.image!.channels };
  } else {
    try {
      preset = BENCHMARKS.get(id);
    } catch {
      throw new CliError(
        `run: unknown benchmark "${id}"`,
        `known benchmarks: ${BENCHMARKS.ids().join(', ')}`,
      );
    }
    for (const f of ['tasks', 'image-size', 'channels']) {
      if (str(f) !== undefined) {
        throw new CliError(
          `run ${id}: --${f} is only for the folder benchmark`,
          `the ${id} benchmark fixes its tasks and images; drop --${f}`,
        );
      }
    }
  }
  const strategies = splitList(v.strategy as string[] | undefined);
  if (knownStrategies) {
    for (const s of strategies) {
      if (!knownStrategies.includes(s)) {
        throw new CliError(
          `run: --strategy ${s}: unknown strategy`,
          `known strategies: ${knownStrategies.join(', ')}`,
        );
      }
    }
  }
  const runStrategies = strategies.length ? strategies : [...preset.strategies];
  const strategyOptions = collectStrategyOptions((v.option as string[] | undefined) ?? []);
  if (definition) validateStrategyOptions(strategyOptions, runStrategies, definition);
  const offLogs = splitList(str('no-logs'));
  for (const l of offLogs) {
    if (!(LOG_KINDS as readonly string[]).includes(l)) {
      throw new CliError(`run: --no-logs ${l}: unknown log`, `logs: ${LOG_KINDS.join(', ')}`);
    }
  }
  const seeds = splitList(v.seed as string[] | undefined).map((s) => parseIntFlag('seed', s, 0));
  const backend = str('backend');
  if (backend !== undefined) {
    try {
      parseBackendList(backend, '--backend');
    } catch (err) {
      throw new CliError(
        `run: ${(err as Error).message}`,
        'see "mamba-cl list backends" for what loads here',
      );
    }
  }
  const t = preset.train;
  const n = (k: string) => str(k);
  const train: TrainSettings = {
    ...t,
    epochs: n('epochs') !== undefined ? parseIntFlag('epochs', n('epochs')!) : t.epochs,
    batchSize: n('batch-size') !== undefined ? parseIntFlag('batch-size', n('batch-size')!) : t.batchSize,
    evalBatchSize:
      n('eval-batch-size') !== undefined
        ? parseIntFlag('eval-batch-size', n('eval-batch-size')!)
        : t.evalBatchSize,
    lr: n('lr') !== undefined ? parseNumberFlag('lr', n('lr')!, { min: 0, exclusiveMin: true }) : t.lr,
    headLrScale:
      n('head-lr-scale') !== undefined
        ? parseNumberFlag('head-lr-scale', n('head-lr-scale')!, { min: 0 })
        : t.headLrScale,
    weightDecay:
      n('weight-decay') !== undefined
        ? parseNumberFlag('weight-decay', n('weight-decay')!, { min: 0 })
        : t.weightDecay,
    eta: n('eta') !== undefined ? parseNumberFlag('eta', n('eta')!, { min: 0, max: 1 }) : t.eta,
    expandTimes:
      n('expand-times') !== undefined ? parseIntFlag('expand-times', n('expand-times')!) : t.expandTimes,
    milestones:
      n('milestones') !== undefined ? parseIntList('milestones', n('milestones')!, 1) : t.milestones,
    gamma: n('gamma') !== undefined ? parseNumberFlag('gamma', n('gamma')!, { min: 0 }) : t.gamma,
    maxSteps: n('max-steps') !== undefined ? parseIntFlag('max-steps', n('max-steps')!) : t.maxSteps,
    limitTrainPerClass:
      n('limit-train') !== undefined ? parseIntFlag('limit-train', n('limit-train')!) : t.limitTrainPerClass,
    limitValPerClass:
      n('limit-val') !== undefined ? parseIntFlag('limit-val', n('limit-val')!) : t.limitValPerClass,
  };
  const limitTasks =
    n('limit-tasks') !== undefined ? parseIntFlag('limit-tasks', n('limit-tasks')!) : undefined;
  if (limitTasks !== undefined && limitTasks > preset.numTasks) {
    throw new CliError(
      `run: --limit-tasks ${limitTasks} exceeds the ${preset.numTasks} tasks of ${preset.id}`,
    );
  }
  const abs = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(p));
  const dataRoot = abs(str('data-root'));
  const weights = abs(str('weights'));
  if (preset.dataset === 'folder') {
    // checked by folderPreset
  } else if (preset.dataset !== 'fashion-mnist') checkDataRoot(preset, dataRoot);
  else if (dataRoot !== undefined) {
    throw new CliError(
      `run ${preset.id}: --data-root is not used (its data ships with npm)`,
      'drop the flag',
    );
  }
  checkWeights(preset, weights);
  return {
    preset,
    strategies: runStrategies,
    seeds: seeds.length ? [...new Set(seeds)] : preset.seeds,
    backend,
    dataRoot,
    weights,
    model: str('model') ?? preset.model,
    out: abs(str('out')) ?? resolve('runs'),
    resume: abs(str('resume')),
    cacheDir: abs(str('cache-dir')) ?? defaultCacheDir(),
    train,
    limitTasks,
    progress: v['no-progress'] !== true,
    workers:
      n('workers') !== undefined
        ? parseIntFlag('workers', n('workers')!, 0)
        : preset.dataset === 'fashion-mnist'
          ? 0
          : Math.max(0, Math.min(4, availableParallelism() - 1)),
    gradWorkers: n('grad-workers') !== undefined ? parseIntFlag('grad-workers', n('grad-workers')!, 0) : 0,
    argv: ['run', ...argv],
    strategyOptions,
    plugins: pluginSpecs(argv).map((p) => (p.startsWith('.') ? resolve(p) : p)),
    logs: { csv: !offLogs.includes('csv'), tensorboard: !offLogs.includes('tensorboard') },
    checkpointEvery:
      n('checkpoint-every') !== undefined ? parseIntFlag('checkpoint-every', n('checkpoint-every')!, 0) : 0,
    ...(folder ? { folder } : {}),
  };
}
