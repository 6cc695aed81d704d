/**
 * The command line and config file of `mamba-cl sweep`: the flags of `run`, where a comma list of
 * a hyper-parameter (or of benchmarks, strategies, seeds) is a grid axis, plus the executor's own
 * flags. A sweep config file (JSON or YAML) holds the same fields; flags override it.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../cli/cli_error.js';
import { parseIntFlag, splitList } from '../cli/flag_values.js';
import { parseCli } from '../cli/parse_cli.js';
import { RUN_FLAGS } from '../cli/run_plan.js';
import type { SweepSpec } from './sweep_run.js';

/** `run` flags whose comma lists are grid axes (each value one run). */
export const GRID_FLAGS: ReadonlySet<string> = new Set([
  'epochs',
  'batch-size',
  'eval-batch-size',
  'lr',
  'head-lr-scale',
  'weight-decay',
  'eta',
  'expand-times',
  'max-steps',
  'limit-train',
  'limit-val',
  'limit-tasks',
  'model',
]);

/** `run` flags whose values are paths, made absolute so every machine reads the same file. */
const PATH_FLAGS: ReadonlySet<string> = new Set(['data-root', 'weights', 'cache-dir', 'plugin', 'config']);

/** Flags of `run` that a sweep does not take: it chooses each run's folder and resumes by itself. */
const NOT_FOR_SWEEPS: ReadonlySet<string> = new Set(['out', 'resume', 'help', 'strategy', 'seed']);

/** The executor's own flags. */
export const SWEEP_FLAGS = {
  config: { type: 'string' },
  executor: { type: 'string' },
  parallel: { type: 'string' },
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  attempts: { type: 'string' },
  out: { type: 'string' },
  strategy: { type: 'string', multiple: true },
  seed: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * A parsed `mamba-cl sweep` command.
 *
 * @category Sweeps
 */
export interface SweepArgs {
  readonly spec: SweepSpec;
  readonly executor: 'local' | 'bullmq';
  readonly parallel: number;
  readonly queue?: string;
  readonly queueName?: string;
  readonly attempts: number;
  /** Absolute output folder shared by every run (default `./sweeps`). */
  readonly out: string;
}

/** The fields of a sweep config file. */
interface SweepFile {
  benchmarks?: string | string[];
  strategies?: string | string[];
  seeds?: number | number[] | string;
  grid?: Record<string, (string | number)[]>;
  flags?: Record<string, string | number | boolean | (string | number)[]>;
  executor?: string;
  parallel?: number;
  queue?: string;
  queueName?: string;
  attempts?: number;
  out?: string;
}

function runFlagTable(): Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> {
  const table: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [k, o] of Object.entries(RUN_FLAGS as Record<string, { type: 'string' | 'boolean' }>)) {
    if (NOT_FOR_SWEEPS.has(k)) continue;
    table[k] = o.type === 'string' ? { type: 'string', multiple: true } : { type: 'boolean' };
  }
  return table;
}

function readSweepFile(path: string): SweepFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`sweep --config ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new CliError(
      `sweep --config ${path}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new CliError(
      `sweep --config ${path}: expected a mapping with benchmarks, strategies, seeds, grid, flags`,
    );
  }
  const known = [
    'benchmarks',
    'strategies',
    'seeds',
    'grid',
    'flags',
    'executor',
    'parallel',
    'queue',
    'queueName',
    'attempts',
    'out',
  ];
  for (const k of Object.keys(data)) {
    if (!known.includes(k)) {
      throw new CliError(`sweep --config ${path}: unknown field "${k}"`, `known fields: ${known.join(', ')}`);
    }
  }
  return data as SweepFile;
}

const asList = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : splitList(String(v));

/**
 * Parses `mamba-cl sweep …` into a spec and executor settings.
 *
 * @param argv - the arguments after `sweep`
 * @returns the parsed command, or `'help'`
 * @throws {@link CliError} for every bad flag or config field
 * @category Sweeps
 */
export function parseSweepArgs(argv: readonly string[]): SweepArgs | 'help' {
  const table = { ...runFlagTable(), ...SWEEP_FLAGS };
  const { values: v, positionals } = parseCli('sweep', argv, table);
  if (v.help) return 'help';
  const configPath = typeof v.config === 'string' ? resolve(v.config) : undefined;
  const file: SweepFile = configPath ? readSweepFile(configPath) : {};
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(p));
  // Paths become absolute so that every machine of the sweep reads the same file.
  const flagValue = (k: string, x: string) =>
    (PATH_FLAGS.has(k) && !(k === 'plugin' && !/^[./]/.test(x))) || (k === 'model' && x.endsWith('.json'))
      ? abs(x)
      : x;

  const benchmarks = positionals.length ? splitList(positionals) : asList(file.benchmarks);
  if (benchmarks.length === 0) {
    throw new CliError(
      'sweep: no benchmark given',
      'usage: mamba-cl sweep <benchmark>[,<benchmark>…] [run flags]',
    );
  }
  const strategies = v.strategy ? splitList(v.strategy as string[]) : asList(file.strategies);
  const seeds = (v.seed ? splitList(v.seed as string[]) : asList(file.seeds)).map((s) =>
    parseIntFlag('seed', s, 0),
  );

  const grid: Record<string, string[]> = {};
  for (const [k, values] of Object.entries(file.grid ?? {})) {
    if (!GRID_FLAGS.has(k)) {
      throw new CliError(
        `sweep --config: grid axis "${k}" is not a hyper-parameter flag`,
        `grid axes: ${[...GRID_FLAGS].join(', ')}`,
      );
    }
    grid[k] = values.map((x) => flagValue(k, String(x)));
  }
  const fixed = new Map<string, (string | true)[]>();
  for (const [k, value] of Object.entries(file.flags ?? {})) {
    if (!(k in table) || k in SWEEP_FLAGS) {
      throw new CliError(`sweep --config: flags.${k} is not a run flag`);
    }
    fixed.set(k, Array.isArray(value) ? value.map(String) : [value === true ? true : String(value)]);
  }
  for (const [k, value] of Object.entries(v)) {
    if (k in SWEEP_FLAGS || value === undefined || value === false) continue;
    const values = (Array.isArray(value) ? value : [value]) as (string | boolean)[];
    if (
      GRID_FLAGS.has(k) &&
      (values.length > 1 || values.some((x) => typeof x === 'string' && x.includes(',')))
    ) {
      grid[k] = splitList(values as string[]).map((x) => flagValue(k, x));
      fixed.delete(k);
    } else {
      delete grid[k];
      fixed.set(
        k,
        values.map((x) => (x === true ? true : String(x))),
      );
    }
  }
  const passthrough: string[] = [];
  for (const [k, values] of fixed) {
    for (const x of values) {
      if (x === true) passthrough.push(`--${k}`);
      else passthrough.push(`--${k}`, flagValue(k, x));
    }
  }

  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const executor = str('executor') ?? file.executor ?? 'local';
  if (executor !== 'local' && executor !== 'bullmq') {
    throw new CliError(`sweep: --executor ${executor}: unknown executor`, 'executors: local, bullmq');
  }
  const parallel =
    str('parallel') !== undefined
      ? parseIntFlag('parallel', str('parallel') as string)
      : (file.parallel ?? 1);
  const attempts =
    str('attempts') !== undefined
      ? parseIntFlag('attempts', str('attempts') as string)
      : (file.attempts ?? 3);
  const queue = str('queue') ?? file.queue;
  if (executor === 'local' && queue !== undefined) {
    throw new CliError('sweep: --queue is only used with --executor bullmq', 'add --executor bullmq');
  }
  return {
    spec: { benchmarks, strategies, seeds, grid, passthrough },
    executor,
    parallel,
    queue,
    queueName: str('queue-name') ?? file.queueName,
    attempts,
    out: abs(str('out') ?? file.out ?? 'sweeps'),
  };
}
