import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  renderAggregateReport,
  renderRunReport,
  runPlots,
  sharedSeedWarnings,
} from '../report/render_report.js';
import type { RunResults } from '../report/run_results.js';
import { RUN_FILES, RunFolder } from '../run/run_folder.js';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { parseCli } from './parse_cli.js';

/**
 * Writes `report.md` and the SVG plots of one run folder from its `results.json`.
 *
 * @param dir - the run folder
 * @returns the results read
 * @category Reports
 */
export function writeRunReport(dir: string): RunResults {
  const folder = RunFolder.open(dir);
  const results = folder.readResults();
  const manifest = folder.readManifest();
  if (results === undefined) {
    throw new CliError(
      `${dir}: no ${RUN_FILES.results} yet (the run has not finished its first task)`,
      `wait for the first evaluation, or continue it with: mamba-cl run ${manifest.benchmark} --resume ${dir}`,
    );
  }
  folder.writeText(RUN_FILES.report, renderRunReport(results, manifest));
  for (const [name, svg] of runPlots(results)) folder.writeText(name, svg);
  return results;
}

/** Expands each argument: a run folder stays; a folder of run folders becomes its children. */
export function expandRunDirs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!existsSync(a) || !statSync(a).isDirectory()) {
      throw new CliError(
        `report: "${a}" is not a folder`,
        'pass run folders written by "mamba-cl run" (see its --out)',
      );
    }
    if (existsSync(join(a, RUN_FILES.manifest))) {
      out.push(a);
      continue;
    }
    const kids = readdirSync(a)
      .map((k) => join(a, k))
      .filter((k) => statSync(k).isDirectory() && existsSync(join(k, RUN_FILES.manifest)))
      .sort();
    if (kids.length === 0) {
      throw new CliError(
        `report: "${a}" is neither a run folder nor a folder of run folders (no ${RUN_FILES.manifest} found)`,
        'pass run folders written by "mamba-cl run" (see its --out)',
      );
    }
    out.push(...kids);
  }
  return out;
}

/**
 * `mamba-cl report <run-dir...>`.
 *
 * @param argv - arguments after `report`
 * @param log - where lines go
 * @returns the folders written (each run, then the summary if any)
 * @category CLI
 */
export function reportCommand(argv: readonly string[], log: (line: string) => void = console.log): string[] {
  const { values, positionals } = parseCli('report', argv, {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    log(HELP.report());
    return [];
  }
  if (positionals.length === 0)
    throw new CliError('report: no run folder given', 'usage: mamba-cl report <run-dir...>');
  const dirs = expandRunDirs(positionals);
  const all: RunResults[] = [];
  const labels: string[] = [];
  const written: string[] = [];
  for (const d of dirs) {
    try {
      all.push(writeRunReport(d));
      labels.push(d);
      written.push(d);
      log(`wrote ${join(d, RUN_FILES.report)}`);
    } catch (err) {
      if (dirs.length === 1) throw err;
      log(`skipped ${d}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (all.length > 1) {
    for (const w of sharedSeedWarnings(all, labels)) log(`warning: ${w}`);
    const { markdown, plots } = renderAggregateReport(all, labels);
    const out =
      typeof values.out === 'string' ? values.out : join(dirname(dirs[0]), `summary-${all[0].benchmark}`);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, RUN_FILES.report), markdown);
    for (const [name, svg] of plots) writeFileSync(join(out, name), svg);
    log(`wrote ${join(out, RUN_FILES.report)} (mean ± std over ${all.length} runs)`);
    written.push(out);
  }
  return written;
}
