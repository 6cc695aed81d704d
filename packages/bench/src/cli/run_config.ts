/**
 * `--config <file>`: one JSON or YAML file that holds a whole run, turned into `mamba-cl run` flags.
 *
 * A config file and the command line meet as argument lists: {@link configToArgv} writes the file
 * as flags, {@link mergeConfig} lets the command line override them. A run's `manifest.json` is
 * itself a valid config ({@link configFromManifest}). All pure, exported for the sweep command.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { JsonValue } from '@mamba-cl/cl-trainer';
import { parse as parseYaml } from 'yaml';
import { CliError } from './cli_error.js';

/**
 * The content of a run config file. Every field is optional; flags override it.
 *
 * @example
 * // run.yaml
 * // benchmark: folder
 * // strategies: [mamba-cl, ewc]
 * // options: { ewc: { lambda: 10 } }
 * // seeds: [1, 2]
 * // train: { epochs: 2, batchSize: 16, lr: 0.001 }
 * // data: { root: ./my-images, tasks: 2, imageSize: 32, channels: 3 }
 * // model: tiny
 * // plugins: [./l2_anchor.mjs]
 * @category CLI
 */
export interface RunConfig {
  readonly benchmark?: string;
  readonly strategies?: readonly string[] | string;
  /** Options by strategy id, then key (also accepted as `strategyOptions`). */
  readonly options?: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
  readonly seeds?: readonly number[] | number;
  readonly train?: Readonly<Partial<Record<keyof typeof TRAIN_KEYS, number | readonly number[]>>>;
  readonly data?: Readonly<{
    root?: string;
    tasks?: number;
    imageSize?: number;
    channels?: number;
    limitTrain?: number;
    limitVal?: number;
    limitTasks?: number;
  }>;
  readonly model?: string;
  readonly weights?: string;
  readonly plugins?: readonly string[] | string;
  readonly out?: string;
  readonly cacheDir?: string;
  readonly backend?: string;
  readonly workers?: number;
  readonly gradWorkers?: number;
  /** Which logs to write (default both). */
  readonly logs?: readonly ('csv' | 'tensorboard')[];
  readonly checkpointEvery?: number;
}

/** `train` keys of a config (TrainSettings names) → `run` flags. */
export const TRAIN_KEYS = {
  epochs: 'epochs',
  batchSize: 'batch-size',
  evalBatchSize: 'eval-batch-size',
  lr: 'lr',
  headLrScale: 'head-lr-scale',
  weightDecay: 'weight-decay',
  eta: 'eta',
  expandTimes: 'expand-times',
  milestones: 'milestones',
  gamma: 'gamma',
  maxSteps: 'max-steps',
  limitTrainPerClass: 'limit-train',
  limitValPerClass: 'limit-val',
} as const;

const DATA_KEYS = {
  root: 'data-root',
  tasks: 'tasks',
  imageSize: 'image-size',
  channels: 'channels',
  limitTrain: 'limit-train',
  limitVal: 'limit-val',
  limitTasks: 'limit-tasks',
} as const;

const TOP_KEYS = [
  'benchmark',
  'strategies',
  'options',
  'strategyOptions',
  'seeds',
  'train',
  'data',
  'model',
  'weights',
  'plugins',
  'out',
  'cacheDir',
  'backend',
  'workers',
  'gradWorkers',
  'logs',
  'checkpointEvery',
] as const;

const PATH_FLAGS = new Set(['data-root', 'weights', 'out', 'cache-dir']);

/** The flags whose values add up from file and command line instead of being replaced. */
const ADDITIVE = new Set(['option', 'plugin']);

/**
 * Parses the text of a config file (JSON, or YAML for `.yaml`/`.yml`); a `manifest.json` is
 * turned into the config that reruns it.
 *
 * @param text - the file content
 * @param file - its name, for messages and the format
 * @returns the config
 * @throws {@link CliError} naming the file, the key and what was expected
 * @category CLI
 */
export function parseRunConfig(text: string, file: string): RunConfig {
  let raw: unknown;
  const yaml = /\.ya?ml$/i.test(extname(file));
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new CliError(
      `--config ${file}: not valid ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CliError(`--config ${file}: expected an object of settings (benchmark, strategies, …)`);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.schema === 'mamba-cl/manifest@1') return configFromManifest(obj, file);
  for (const k of Object.keys(obj)) {
    if (!(TOP_KEYS as readonly string[]).includes(k)) {
      throw new CliError(`--config ${file}: unknown key "${k}"`, `known keys: ${TOP_KEYS.join(', ')}`);
    }
  }
  const sub = (key: string, known: readonly string[]) => {
    const v = obj[key];
    if (v === undefined) return;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new CliError(`--config ${file}: "${key}" must be an object`);
    }
    for (const k of Object.keys(v)) {
      if (!known.includes(k)) {
        throw new CliError(
          `--config ${file}: unknown key "${key}.${k}"`,
          `known keys of ${key}: ${known.join(', ')}`,
        );
      }
    }
  };
  sub('train', Object.keys(TRAIN_KEYS));
  sub('data', Object.keys(DATA_KEYS));
  const opts = obj.options ?? obj.strategyOptions;
  if (opts !== undefined) {
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
      throw new CliError(`--config ${file}: "options" must map strategy ids to { key: value }`);
    }
    for (const [s, o] of Object.entries(opts)) {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        throw new CliError(`--config ${file}: options.${s} must be an object of { key: value }`);
      }
    }
  }
  const { strategyOptions: _, ...rest } = obj;
  return { ...(rest as RunConfig), ...(opts !== undefined ? { options: opts as RunConfig['options'] } : {}) };
}

/**
 * The config that reruns a run folder's `manifest.json`: its benchmark, strategies and options,
 * its seed, hyper-parameters, data, model, checkpoint and plug-ins.
 *
 * @param manifest - the parsed manifest
 * @param file - its path, for messages
 * @category CLI
 */
export function configFromManifest(manifest: Record<string, unknown>, file: string): RunConfig {
  const c = (manifest.config ?? {}) as Record<string, unknown>;
  const bad = (what: string) => new CliError(`--config ${file}: manifest has no ${what}`);
  if (typeof manifest.benchmark !== 'string') throw bad('benchmark');
  const checkpoint = manifest.checkpoint as { path?: string; origin?: string } | null | undefined;
  const folder = c.folder as { tasks?: number; imageSize?: number; channels?: number } | undefined;
  const train = { ...((c.train ?? {}) as Record<string, number | number[]>) };
  const allOptions = (c.strategyOptions ?? {}) as Record<string, Record<string, JsonValue>>;
  const userOptions = (c.userStrategyOptions ?? allOptions) as Record<string, Record<string, JsonValue>>;
  const options = Object.fromEntries(Object.entries(userOptions).filter(([, o]) => Object.keys(o).length));
  return {
    benchmark: manifest.benchmark,
    strategies: (manifest.strategies as string[]) ?? [],
    ...(Object.keys(options).length ? { options } : {}),
    seeds: typeof manifest.seed === 'number' ? [manifest.seed] : undefined,
    train: Object.fromEntries(
      Object.entries(train).filter(([k, v]) => k in TRAIN_KEYS && v !== undefined && v !== null),
    ),
    data: {
      ...(typeof c.dataRoot === 'string' ? { root: c.dataRoot } : {}),
      ...(typeof c.limitTasks === 'number' ? { limitTasks: c.limitTasks } : {}),
      ...(folder ?? {}),
    },
    ...(typeof c.model === 'string' ? { model: c.model } : {}),
    ...(checkpoint?.origin === '--weights' && checkpoint.path ? { weights: checkpoint.path } : {}),
    ...(Array.isArray(c.plugins) && c.plugins.length ? { plugins: c.plugins as string[] } : {}),
    ...(typeof c.loaderWorkers === 'number' ? { workers: c.loaderWorkers } : {}),
    ...(typeof c.gradientWorkers === 'number' ? { gradWorkers: c.gradientWorkers } : {}),
  };
}

/**
 * Reads and parses a config file.
 *
 * @param path - the file (`.json`, `.yaml`, `.yml`, or a run's `manifest.json`)
 * @returns the config and the folder its relative paths are relative to
 * @throws {@link CliError} when it cannot be read or parsed
 * @category CLI
 */
export function loadRunConfig(path: string): { config: RunConfig; baseDir: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`--config ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return { config: parseRunConfig(text, path), baseDir: dirname(resolve(path)) };
}

const list = <T>(v: readonly T[] | T | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T];

/**
 * Writes a config as `mamba-cl run` arguments (positional benchmark first).
 *
 * @param config - the config
 * @param baseDir - relative paths in the file are relative to this folder
 * @returns the arguments
 * @throws {@link CliError} for a value of the wrong type
 * @category CLI
 */
export function configToArgv(config: RunConfig, baseDir: string = process.cwd()): string[] {
  const out: string[] = [];
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const flag = (name: string, v: unknown, where: string) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) {
      if (!v.every((x) => typeof x === 'number')) {
        throw new CliError(`config: ${where} must be a number or a list of numbers`);
      }
      out.push(`--${name}`, v.join(','));
      return;
    }
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw new CliError(`config: ${where} must be a number or a string, got ${JSON.stringify(v)}`);
    }
    out.push(`--${name}`, PATH_FLAGS.has(name) && typeof v === 'string' ? path(v) : String(v));
  };
  if (config.benchmark !== undefined) out.push(String(config.benchmark));
  for (const s of list(config.strategies)) out.push('--strategy', String(s));
  for (const [s, o] of Object.entries(config.options ?? {})) {
    for (const [k, v] of Object.entries(o)) out.push('--option', `${s}.${k}=${JSON.stringify(v)}`);
  }
  for (const s of list(config.seeds)) flag('seed', s, 'seeds');
  for (const [k, v] of Object.entries(config.train ?? {}))
    flag(TRAIN_KEYS[k as keyof typeof TRAIN_KEYS], v, `train.${k}`);
  for (const [k, v] of Object.entries(config.data ?? {}))
    flag(DATA_KEYS[k as keyof typeof DATA_KEYS], v, `data.${k}`);
  flag(
    'model',
    config.model !== undefined && /\.json$/i.test(config.model) ? path(config.model) : config.model,
    'model',
  );
  flag('weights', config.weights, 'weights');
  for (const p of list(config.plugins)) {
    const s = String(p);
    out.push('--plugin', s.startsWith('.') ? path(s) : s);
  }
  flag('out', config.out, 'out');
  flag('cache-dir', config.cacheDir, 'cacheDir');
  flag('backend', config.backend, 'backend');
  flag('workers', config.workers, 'workers');
  flag('grad-workers', config.gradWorkers, 'gradWorkers');
  flag('checkpoint-every', config.checkpointEvery, 'checkpointEvery');
  if (config.logs !== undefined) {
    const off = ['csv', 'tensorboard'].filter((l) => !list(config.logs).includes(l as 'csv'));
    if (off.length) out.push('--no-logs', off.join(','));
  }
  return out;
}

/** The flag names (without `--`) given in an argument list, and its positionals. */
function flagsOf(
  argv: readonly string[],
  valued: ReadonlySet<string>,
): { names: Set<string>; positionals: string[] } {
  const names = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const name = a.slice(2).split('=')[0];
      names.add(name);
      if (!a.includes('=') && valued.has(name)) i++;
    } else if (a.startsWith('-') && a.length > 1) names.add(a.slice(1));
    else positionals.push(a);
  }
  return { names, positionals };
}

/** Splits an argument list into [flag, …values] groups and positionals. */
function groups(argv: readonly string[], valued: ReadonlySet<string>): { flag: string; args: string[] }[] {
  const out: { flag: string; args: string[] }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const name = a.slice(2).split('=')[0];
      if (!a.includes('=') && valued.has(name) && i + 1 < argv.length)
        out.push({ flag: name, args: [a, argv[++i]] });
      else out.push({ flag: name, args: [a] });
    } else out.push({ flag: '', args: [a] });
  }
  return out;
}

/**
 * Merges a config file's arguments with the command line: a flag given on the command line
 * replaces the file's values of that flag; `--option` and `--plugin` add up (a later
 * `--option` of the same key wins); a positional benchmark on the command line replaces the
 * file's.
 *
 * @param fileArgv - {@link configToArgv} of the file
 * @param cliArgv - the command-line arguments (without `--config`)
 * @param valued - names of the flags that take a value (`RUN_FLAGS` entries of type string)
 * @returns the merged arguments
 * @example
 * mergeConfig(['default', '--epochs', '2'], ['--epochs', '1'], new Set(['epochs'])); // ['default', '--epochs', '1']
 * @category CLI
 */
export function mergeConfig(
  fileArgv: readonly string[],
  cliArgv: readonly string[],
  valued: ReadonlySet<string>,
): string[] {
  const cli = flagsOf(cliArgv, valued);
  const kept = groups(fileArgv, valued).filter((g) =>
    g.flag === '' ? cli.positionals.length === 0 : ADDITIVE.has(g.flag) || !cli.names.has(g.flag),
  );
  const filePos = kept.filter((g) => g.flag === '').flatMap((g) => g.args);
  const fileFlags = kept.filter((g) => g.flag !== '').flatMap((g) => g.args);
  return [...filePos, ...fileFlags, ...cliArgv];
}
