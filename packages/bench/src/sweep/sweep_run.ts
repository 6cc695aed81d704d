/**
 * A sweep is a grid of runs: benchmarks × strategies × seeds × hyper-parameter values. This module
 * expands a {@link SweepSpec} into {@link SweepRun}s, each one `mamba-cl run` of exactly one
 * benchmark, one strategy and one seed, named by a hash of its full configuration.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * What a sweep covers, before expansion.
 *
 * @category Sweeps
 */
export interface SweepSpec {
  /** Benchmark ids (`default`, `cifar100-10`, …). */
  readonly benchmarks: readonly string[];
  /** Strategy ids; empty = each benchmark's own strategy list, one run per strategy. */
  readonly strategies: readonly string[];
  /** Seeds; empty = each benchmark's preset seeds (resolved by the caller). */
  readonly seeds: readonly number[];
  /** Grid axes: a `run` flag (without `--`) and the values it takes, e.g. `{ lr: ['1e-3', '2e-3'] }`. */
  readonly grid: Readonly<Record<string, readonly string[]>>;
  /** `run` arguments passed unchanged to every run (`--epochs 1`, `--option ewc.lambda=10`, …). */
  readonly passthrough: readonly string[];
}

/**
 * One run of a sweep: the `mamba-cl run` arguments, and the id that names its folder.
 *
 * @category Sweeps
 */
export interface SweepRun {
  /** sha256 (hex, 16 chars) of the canonical configuration: benchmark, strategy, seed, flags. */
  readonly id: string;
  readonly benchmark: string;
  readonly strategy: string;
  readonly seed: number;
  /** The grid point: flag → value (empty without grid axes). */
  readonly point: Readonly<Record<string, string>>;
  /** Arguments after `run`, without `--out` (the executor adds the run's folder). */
  readonly argv: readonly string[];
  /** Folder name of the run inside the sweep's `--out`. */
  readonly dirName: string;
}

/** Flags that never change a run's figures, left out of its id (resubmitting with other values is the same run). */
export const ID_NEUTRAL_FLAGS: ReadonlySet<string> = new Set([
  'out',
  'no-progress',
  'workers',
  'grad-workers',
]);

/**
 * Splits `--flag value` / `--flag=value` arguments into pairs, given which flags take a value.
 *
 * @param argv - `run` arguments without positionals
 * @param valued - flag names (without `--`) that take a value (`RUN_VALUED_FLAGS`); others are boolean
 * @returns `[flag, value]` pairs in order; a boolean flag has value `true`
 * @category Sweeps
 */
export function flagPairs(argv: readonly string[], valued: ReadonlySet<string>): [string, string | true][] {
  const pairs: [string, string | true][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new RangeError(`flagPairs: expected a --flag, got "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) pairs.push([a.slice(2, eq), a.slice(eq + 1)]);
    else if (!valued.has(a.slice(2))) pairs.push([a.slice(2), true]);
    else {
      const v = argv[i + 1];
      if (v === undefined) throw new RangeError(`flagPairs: ${a} needs a value`);
      pairs.push([a.slice(2), v]);
      i++;
    }
  }
  return pairs;
}

/**
 * The id of a run: the first 16 hex digits of sha256 over its canonical configuration (benchmark,
 * strategy, seed, and every flag but those in {@link ID_NEUTRAL_FLAGS}, sorted by name; repeated
 * flags keep their order).
 *
 * @param benchmark - benchmark id
 * @param strategy - strategy id
 * @param seed - seed
 * @param flags - `[flag, value]` pairs of the run
 * @returns 16 lowercase hex digits
 * @category Sweeps
 */
export function sweepRunId(
  benchmark: string,
  strategy: string,
  seed: number,
  flags: readonly (readonly [string, string | true])[],
): string {
  const kept = flags
    .filter(([k]) => !ID_NEUTRAL_FLAGS.has(k))
    .map(([k, v], i) => ({ k, v, i }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map(({ k, v }) => [k, v]);
  const canonical = JSON.stringify({ benchmark, strategy, seed, flags: kept });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Every combination of the grid axes, in axis order (the last axis varies fastest). */
function gridPoints(grid: Readonly<Record<string, readonly string[]>>): Record<string, string>[] {
  let points: Record<string, string>[] = [{}];
  for (const [flag, values] of Object.entries(grid)) {
    if (values.length === 0) throw new RangeError(`sweep grid: --${flag} has no values`);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [flag]: v })));
  }
  return points;
}

/**
 * Expands a sweep into its runs: benchmarks × strategies × seeds × grid points, in that nesting
 * order, each with its id and folder name. Duplicate combinations (a value listed twice) appear once.
 *
 * @param spec - the sweep; `strategies` and `seeds` must be resolved (non-empty) per benchmark by
 *   `defaults`
 * @param defaults - a benchmark's own strategies and seeds, used where the spec leaves them empty
 * @param valued - `run` flags that take a value (`RUN_VALUED_FLAGS`, to read `passthrough`)
 * @returns the runs, without duplicates
 * @example
 * const runs = expandSweep(
 *   { benchmarks: ['default'], strategies: ['mamba-cl', 'finetune'], seeds: [2024, 2025], grid: { lr: ['1e-3', '2e-3'] }, passthrough: ['--epochs', '1'] },
 *   () => ({ strategies: ['mamba-cl'], seeds: [2024] }),
 *   RUN_VALUED_FLAGS,
 * ); // 8 runs
 * @category Sweeps
 */
export function expandSweep(
  spec: SweepSpec,
  defaults: (benchmark: string) => { strategies: readonly string[]; seeds: readonly number[] },
  valued: ReadonlySet<string>,
): SweepRun[] {
  const base = flagPairs(spec.passthrough, valued);
  for (const flag of Object.keys(spec.grid)) {
    if (base.some(([k]) => k === flag)) {
      throw new RangeError(`sweep: --${flag} is both a grid axis and a fixed flag`);
    }
  }
  const runs: SweepRun[] = [];
  const seen = new Set<string>();
  for (const benchmark of spec.benchmarks) {
    const d = defaults(benchmark);
    const strategies = spec.strategies.length ? spec.strategies : d.strategies;
    const seeds = spec.seeds.length ? spec.seeds : d.seeds;
    for (const strategy of strategies) {
      for (const seed of seeds) {
        for (const point of gridPoints(spec.grid)) {
          const flags: [string, string | true][] = [...base, ...Object.entries(point)];
          const id = sweepRunId(benchmark, strategy, seed, flags);
          if (seen.has(id)) continue;
          seen.add(id);
          const argv = [
            benchmark,
            '--strategy',
            strategy,
            '--seed',
            String(seed),
            ...flags.flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v])),
          ];
          runs.push({
            id,
            benchmark,
            strategy,
            seed,
            point,
            argv,
            dirName: `${benchmark}-${strategy}-s${seed}-${id}`.replace(/[^\w.-]+/g, '_'),
          });
        }
      }
    }
  }
  return runs;
}
