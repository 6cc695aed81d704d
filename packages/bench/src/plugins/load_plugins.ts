/**
 * `--plugin <file-or-package>`: loads a user's module before a run so it can add strategies or
 * benchmark presets.
 *
 * A plug-in either calls `registerStrategy` itself (with whichever copy of
 * `@mamba-cl/cl-trainer` it resolves: the strategy registry is process-global), or exports
 * definitions that the CLI registers: `strategies` / `strategy` (StrategyDefinition) and
 * `benchmarks` / `benchmark` (BenchmarkPreset), also under `default`.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StrategyDefinition } from '@mamba-cl/cl-trainer';
import { CliError } from '../cli/cli_error.js';
import type { BenchmarkPreset } from '../presets/benchmark_preset.js';
import { BENCHMARKS } from '../presets/preset_registry.js';

/**
 * What one plug-in added.
 *
 * @category Plugins
 */
export interface LoadedPlugin {
  /** The `--plugin` value as given. */
  readonly spec: string;
  /** The file that was imported. */
  readonly path: string;
  /** Strategy ids it added (registered itself or exported). */
  readonly strategies: readonly string[];
  /** Benchmark ids it added. */
  readonly benchmarks: readonly string[];
}

/** Where plug-ins' additions are remembered for `mamba-cl list` (this process). */
const LOADED: LoadedPlugin[] = [];

/**
 * The plug-ins loaded so far in this process, in load order.
 *
 * @category Plugins
 */
export function loadedPlugins(): readonly LoadedPlugin[] {
  return LOADED;
}

/** The parts of the strategy API the loader needs (the CLI's copy of cl-trainer). */
export interface StrategyApi {
  readonly listStrategies: () => { id: string }[];
  readonly registerStrategy: (d: StrategyDefinition) => void;
}

const looksLikePath = (spec: string) =>
  spec.startsWith('.') || isAbsolute(spec) || /\.(m?[jt]s|cjs)$/i.test(spec) || spec.includes('\\');

/**
 * Resolves a `--plugin` value to a file: a path (relative to `cwd`), or a package name resolved
 * from `cwd` like Node does (its `exports` "import"/"default" entry, else `main`).
 *
 * @param spec - file or package name
 * @param cwd - the folder relative paths and packages are resolved from
 * @returns the absolute file path
 * @throws {@link CliError} naming what was looked for
 * @category Plugins
 */
export function resolvePlugin(spec: string, cwd: string = process.cwd()): string {
  if (looksLikePath(spec)) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) {
      throw new CliError(
        `--plugin ${spec}: ${path} does not exist`,
        'give a .js/.mjs file (or .ts with tsx installed) or an installed package name',
      );
    }
    return path;
  }
  const req = createRequire(join(cwd, 'noop.js'));
  try {
    return req.resolve(spec);
  } catch {
    // ESM-only packages: read package.json and pick the import entry.
  }
  let pkgJson: string | undefined;
  // An `exports` map may hide package.json from require.resolve: walk node_modules like Node does.
  for (let d = resolve(cwd); ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', spec, 'package.json');
    if (existsSync(candidate)) {
      pkgJson = candidate;
      break;
    }
    if (dirname(d) === d) break;
  }
  if (pkgJson === undefined) {
    throw new CliError(
      `--plugin ${spec}: no such file, and no package "${spec}" is installed where ${cwd} resolves packages`,
      `install it (npm i ${spec}) or pass a path such as ./${spec}.js`,
    );
  }
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as {
    exports?: unknown;
    main?: string;
    module?: string;
  };
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      if ('.' in o) return pick(o['.']);
      return pick(o.import) ?? pick(o.default) ?? pick(o.node);
    }
    return undefined;
  };
  const entry = pick(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
  return resolve(dirname(pkgJson), entry);
}

/**
 * Imports a `.ts` plug-in through tsx (`tsImport`, which needs no `"type": "module"` beside the
 * file), when tsx is installed beside the plug-in or beside the CLI; a CLI already running under
 * tsx imports it directly.
 */
async function importTypeScript(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (process.execArgv.some((a) => a.includes('tsx'))) return (await import(url)) as Record<string, unknown>;
  for (const base of [join(dirname(path), 'noop.js'), import.meta.url]) {
    let api: string;
    try {
      const pkg = createRequire(base).resolve('tsx/package.json');
      api = join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs');
    } catch {
      continue;
    }
    const mod = (await import(pathToFileURL(api).href)) as {
      tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
    };
    return mod.tsImport(url, import.meta.url);
  }
  throw new CliError(
    `--plugin ${path}: a TypeScript plug-in needs tsx (npm i -D tsx), or compile it to .js first`,
  );
}

function isStrategyDefinition(x: unknown): x is StrategyDefinition {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as StrategyDefinition).id === 'string' &&
    typeof (x as StrategyDefinition).create === 'function'
  );
}

function isPreset(x: unknown): x is BenchmarkPreset {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as BenchmarkPreset).id === 'string' &&
    typeof (x as BenchmarkPreset).numTasks === 'number' &&
    typeof (x as BenchmarkPreset).dataset === 'string'
  );
}

function exported(mod: Record<string, unknown>, one: string, many: string): unknown[] {
  const out: unknown[] = [];
  for (const src of [mod, mod.default as Record<string, unknown> | undefined]) {
    if (src === undefined || src === null || typeof src !== 'object') continue;
    if (src[one] !== undefined) out.push(src[one]);
    if (Array.isArray(src[many])) out.push(...(src[many] as unknown[]));
  }
  return out;
}

/**
 * Imports each plug-in in order and registers what it exports.
 *
 * **Details**
 * Exported strategy definitions whose id is already registered are skipped when they are the
 * same object (the module also called `registerStrategy`); another definition under a taken id is
 * an error. What each plug-in added is returned and kept for `mamba-cl list`.
 *
 * @param specs - `--plugin` values
 * @param api - the strategy registry functions of the CLI's cl-trainer
 * @param cwd - where relative paths and packages resolve from
 * @returns what each plug-in added
 * @throws {@link CliError} for a missing module, a failing import, a clash of ids
 * @category Plugins
 */
export async function loadPlugins(
  specs: readonly string[],
  api: StrategyApi,
  cwd: string = process.cwd(),
): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  for (const spec of specs) {
    const path = resolvePlugin(spec, cwd);
    const already = LOADED.find((p) => p.path === path);
    if (already) {
      out.push(already);
      continue;
    }
    const before = new Set(api.listStrategies().map((s) => s.id));
    const beforeBench = new Set(BENCHMARKS.ids());
    let mod: Record<string, unknown>;
    try {
      mod = /\.[mc]?ts$/i.test(extname(path))
        ? await importTypeScript(path)
        : ((await import(pathToFileURL(path).href)) as Record<string, unknown>);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(
        `--plugin ${spec}: importing ${path} failed: ${err instanceof Error ? err.message : String(err)}`,
        'a plug-in is an ES module that calls registerStrategy(...) or exports `strategies` / `benchmarks`',
      );
    }
    for (const d of exported(mod, 'strategy', 'strategies')) {
      if (!isStrategyDefinition(d)) {
        throw new CliError(
          `--plugin ${spec}: an exported strategy is not a StrategyDefinition ({ id, description, create })`,
        );
      }
      const known = api.listStrategies().some((s) => s.id === d.id);
      if (known && !before.has(d.id)) continue; // the module registered it itself
      try {
        api.registerStrategy(d);
      } catch (err) {
        throw new CliError(`--plugin ${spec}: ${(err as Error).message}`);
      }
    }
    for (const p of exported(mod, 'benchmark', 'benchmarks')) {
      if (!isPreset(p)) {
        throw new CliError(`--plugin ${spec}: an exported benchmark is not a BenchmarkPreset`);
      }
      if (beforeBench.has(p.id) || BENCHMARKS.has(p.id)) {
        if (BENCHMARKS.get(p.id) === p) continue;
        throw new CliError(`--plugin ${spec}: benchmark "${p.id}" is already defined`);
      }
      try {
        BENCHMARKS.register(p);
      } catch (err) {
        throw new CliError(`--plugin ${spec}: ${(err as Error).message}`);
      }
    }
    const loaded: LoadedPlugin = {
      spec,
      path,
      strategies: api
        .listStrategies()
        .map((s) => s.id)
        .filter((id) => !before.has(id)),
      benchmarks: BENCHMARKS.ids().filter((id) => !beforeBench.has(id)),
    };
    if (loaded.strategies.length === 0 && loaded.benchmarks.length === 0) {
      throw new CliError(
        `--plugin ${spec}: the module loaded but added no strategy and no benchmark`,
        'call registerStrategy({ id, description, create }) in it, or export `strategies`; if it imports @mamba-cl/cl-trainer, check that version is ≥ the one with the process-wide registry',
      );
    }
    LOADED.push(loaded);
    out.push(loaded);
  }
  return out;
}
