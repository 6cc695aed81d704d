/**
 * The aggregated report of a sweep: one section per benchmark × grid point with mean ± std per
 * strategy across seeds (the same table and plot as `mamba-cl report` over several seeds).
 *
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAggregateReport } from '../report/render_report.js';
import type { RunResults } from '../report/run_results.js';
import { writeFileAtomic } from '../run/atomic_write.js';
import { RUN_FILES } from '../run/run_folder.js';
import type { SweepJobResult } from './sweep_executor.js';

/**
 * A group of a sweep's runs that differ only in seed and strategy.
 *
 * @category Sweeps
 */
export interface SweepGroup {
  readonly benchmark: string;
  /** The grid point, `flag=value` joined by spaces; empty without grid axes. */
  readonly point: string;
  readonly results: RunResults[];
  readonly folders: string[];
}

/**
 * Groups the finished runs of a sweep by benchmark and grid point, reading each run's results.json.
 *
 * @param jobs - the executor's results (only complete or skipped ones with a folder count)
 * @returns the groups, in first-seen order
 * @category Sweeps
 */
export function groupSweepResults(jobs: readonly SweepJobResult[]): SweepGroup[] {
  const groups = new Map<string, SweepGroup>();
  for (const j of jobs) {
    if ((j.status !== 'complete' && j.status !== 'skipped') || j.folder === undefined) continue;
    const point = Object.entries(j.run.point)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const key = `${j.run.benchmark}\u0000${point}`;
    let g = groups.get(key);
    if (!g) {
      g = { benchmark: j.run.benchmark, point, results: [], folders: [] };
      groups.set(key, g);
    }
    g.results.push(JSON.parse(readFileSync(join(j.folder, RUN_FILES.results), 'utf8')) as RunResults);
    g.folders.push(j.folder);
  }
  return [...groups.values()];
}

/**
 * Writes `<dir>/report.md` (every group's table) and one accuracy plot per group.
 *
 * @param dir - the report folder (created)
 * @param jobs - the executor's results
 * @returns the markdown written
 * @category Sweeps
 */
export function writeSweepReport(dir: string, jobs: readonly SweepJobResult[]): string {
  mkdirSync(dir, { recursive: true });
  const groups = groupSweepResults(jobs);
  const failed = jobs.filter((j) => j.status === 'failed');
  const pending = jobs.filter((j) => j.status === 'pending');
  const parts: string[] = [
    `# Sweep: ${jobs.length} runs (${jobs.length - failed.length - pending.length} complete, ${failed.length} failed, ${pending.length} pending)`,
    '',
  ];
  groups.forEach((g, i) => {
    const plot = `accuracy_per_task_${i + 1}.svg`;
    const { markdown, plots } = renderAggregateReport(g.results, g.folders);
    parts.push(`## ${g.benchmark}${g.point ? ` (${g.point})` : ''}`, '');
    // The aggregate's own title line is replaced by the section heading; its plot gets a unique name.
    parts.push(
      markdown.split('\n').slice(1).join('\n').replace(`](${RUN_FILES.accuracyPlot})`, `](${plot})`),
    );
    const svg = plots.get(RUN_FILES.accuracyPlot);
    if (svg) writeFileAtomic(join(dir, plot), svg);
  });
  if (failed.length) {
    parts.push('## Failed runs', '');
    for (const j of failed) parts.push(`- \`${j.run.dirName}\`: ${j.error ?? 'failed'}`);
    parts.push('');
  }
  if (pending.length) {
    parts.push('## Not finished when the report was written', '');
    for (const j of pending) parts.push(`- \`${j.run.dirName}\``);
    parts.push('');
  }
  const markdown = `${parts.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
  writeFileAtomic(join(dir, RUN_FILES.report), markdown);
  return markdown;
}
