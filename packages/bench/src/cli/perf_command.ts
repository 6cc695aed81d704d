import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BackendChoice, formatBackendChoice } from '@mamba-cl/ssm-core/backend';
import { textTable } from '../report/render_report.js';
import { CliError } from './cli_error.js';
import { splitList } from './flag_values.js';
import { HELP } from './help.js';
import { parseCli } from './parse_cli.js';

/** One row of a perf table (the libraries' `PerfRow`). */
export type PerfRow = Record<string, string | number>;
/** One perf table (the libraries' `PerfReport`). */
export interface PerfReport {
  readonly title: string;
  readonly rows: readonly PerfRow[];
  readonly notes: readonly string[];
}

/** A perf suite: a package's `./perf` entry point, loaded lazily. */
export interface PerfSuite {
  readonly name: string;
  readonly load: () => Promise<Record<string, unknown>>;
}

/**
 * The perf entry points of the four libraries.
 *
 * @category Perf
 */
export const PERF_SUITES: readonly PerfSuite[] = [
  {
    name: '@mamba-cl/ssm-core',
    load: () => import('@mamba-cl/ssm-core/perf') as Promise<Record<string, unknown>>,
  },
  {
    name: '@mamba-cl/nullspace',
    load: () => import('@mamba-cl/nullspace/perf') as Promise<Record<string, unknown>>,
  },
  {
    name: '@mamba-cl/datasets',
    load: () => import('@mamba-cl/datasets/perf') as Promise<Record<string, unknown>>,
  },
  {
    name: '@mamba-cl/cl-trainer',
    load: () => import('@mamba-cl/cl-trainer/perf') as Promise<Record<string, unknown>>,
  },
];

/**
 * What `mamba-cl perf` passes each benchmark: `quick`, and the backend the user named, if any.
 *
 * @category Perf
 */
export interface PerfFunctionOptions {
  readonly quick: boolean;
  /** The backend named by `--backend` or `MAMBA_CL_BACKEND` (resolved by `selectBackend`). */
  readonly backend?: string;
  /** The same, as a list, for benchmarks that sweep backends. */
  readonly backends?: readonly string[];
}

/**
 * The benchmark functions a perf module exports: every function named `run…Perf`, called with
 * {@link PerfFunctionOptions} and returning `PerfReport[]` (or one `PerfReport`).
 *
 * @category Perf
 */
export function perfFunctions(
  mod: Record<string, unknown>,
): [string, (o: PerfFunctionOptions) => Promise<unknown>][] {
  return Object.entries(mod)
    .filter(([k, v]) => /^run\w*Perf$/.test(k) && typeof v === 'function')
    .map(([k, v]) => [k, v as (o: PerfFunctionOptions) => Promise<unknown>]);
}

function isReport(x: unknown): x is PerfReport {
  return typeof x === 'object' && x !== null && 'title' in x && Array.isArray((x as PerfReport).rows);
}

/**
 * Renders one perf report as a text table with its notes.
 *
 * @category Perf
 */
export function renderPerfReport(r: PerfReport): string {
  const cols = [...new Set(r.rows.flatMap((row) => Object.keys(row)))];
  const cell = (v: string | number | undefined) =>
    v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v;
  const table = r.rows.length
    ? textTable(
        cols,
        r.rows.map((row) => cols.map((c) => cell(row[c]))),
      )
    : '(no rows)';
  return [`## ${r.title}`, table, ...r.notes.map((n) => `  note: ${n}`)].join('\n');
}

/**
 * `mamba-cl perf`: runs the perf suites, prints their tables, writes JSON.
 *
 * @param argv - arguments after `perf`
 * @param options - suites to use (tests pass fakes), where lines go
 * @returns every report, by suite
 * @category CLI
 */
export async function perfCommand(
  argv: readonly string[],
  options: {
    suites?: readonly PerfSuite[];
    log?: (line: string) => void;
    selectBackend?: (b?: string) => Promise<Pick<BackendChoice, 'name' | 'source' | 'adapter'>>;
  } = {},
): Promise<{ suite: string; fn: string; reports: PerfReport[]; error?: string }[]> {
  const log = options.log ?? console.log;
  const { values, positionals } = parseCli('perf', argv, {
    quick: { type: 'boolean' },
    only: { type: 'string', multiple: true },
    json: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    log(HELP.perf());
    return [];
  }
  if (positionals.length > 0)
    throw new CliError(`perf: unexpected argument "${positionals[0]}"`, 'see "mamba-cl perf --help"');
  const all = options.suites ?? PERF_SUITES;
  const only = splitList(values.only as string[] | undefined);
  const suites = only.length ? all.filter((s) => only.some((o) => s.name.includes(o))) : all;
  if (suites.length === 0) {
    throw new CliError(
      `perf: --only ${only.join(',')} matches no suite`,
      `suites: ${all.map((s) => s.name.replace('@mamba-cl/', '')).join(', ')}`,
    );
  }
  // A backend the user named (--backend, MAMBA_CL_BACKEND) is passed to every benchmark as `backend`
  // (and `backends`); otherwise each keeps its own default (wasm for the model benchmarks).
  let backend: Pick<BackendChoice, 'name' | 'adapter'> | undefined;
  let named = false;
  if (options.selectBackend) {
    const choice = await options.selectBackend(values.backend as string | undefined);
    backend = { name: choice.name, ...(choice.adapter ? { adapter: choice.adapter } : {}) };
    named = choice.source !== 'default';
    log(
      `backend: ${formatBackendChoice(choice)}${named ? '' : ' (auto; each benchmark uses its own default unless --backend or MAMBA_CL_BACKEND names one)'}`,
    );
  }
  const quick = values.quick === true;
  const out: { suite: string; fn: string; reports: PerfReport[]; error?: string }[] = [];
  for (const suite of suites) {
    const mod = await suite.load();
    const fns = perfFunctions(mod);
    if (fns.length === 0) {
      log(`# ${suite.name}: no benchmarks exported yet (no run…Perf function in its ./perf entry)`);
      out.push({ suite: suite.name, fn: '', reports: [], error: 'no run…Perf export' });
      continue;
    }
    for (const [name, fn] of fns) {
      log(`# ${suite.name} ${name}${quick ? ' (quick)' : ''}`);
      const t0 = performance.now();
      try {
        const res = await fn(
          named && backend ? { quick, backend: backend.name, backends: [backend.name] } : { quick },
        );
        const reports = (Array.isArray(res) ? res : [res]).filter(isReport);
        for (const r of reports) log(`${renderPerfReport(r)}\n`);
        log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        out.push({ suite: suite.name, fn: name, reports });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        log(`  failed: ${msg}`);
        out.push({ suite: suite.name, fn: name, reports: [], error: msg });
      }
    }
  }
  const file =
    typeof values.json === 'string'
      ? values.json
      : join('runs', `perf-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ quick, ...(backend ? { backend } : {}), results: out }, null, 2)}\n`,
  );
  log(`wrote ${file}`);
  return out;
}
