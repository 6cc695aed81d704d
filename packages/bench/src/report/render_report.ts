import type { RunManifest } from '../run/manifest.js';
import { RUN_FILES } from '../run/run_folder.js';
import { formatMeanStd } from './mean_std.js';
import type { RunResults, StrategyResult } from './run_results.js';
import { accuracyHeatmapSvg, groupedBarSvg, lineChartSvg, perTaskForgetting } from './svg_plots.js';

/**
 * ` on <vendor> <description> (<architecture>, software|hardware)` for a WebGPU run, else `''`
 * (written here rather than imported, so that rendering a report never loads tfjs).
 */
function adapterText(a: RunManifest['backend']['adapter']): string {
  if (a === undefined) return '';
  const name =
    [a.vendor, a.description || a.device].filter((s) => s.length > 0).join(' ') || 'unnamed adapter';
  const arch = a.architecture && a.architecture !== 'software' ? `${a.architecture}, ` : '';
  return ` on ${name} (${arch}${a.software ? 'software' : 'hardware'} adapter)`;
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

/**
 * A markdown table from a header and rows.
 *
 * @category Reports
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/**
 * The comparison table of one run: one row per strategy with final accuracy, average incremental
 * accuracy and forgetting (as plain text columns, for the terminal and for markdown).
 *
 * @category Reports
 */
export function comparisonRows(results: RunResults): string[][] {
  return results.strategies.map((s) => [
    s.strategy,
    s.status === 'complete' ? 'done' : `${s.status} (${s.tasksDone}/${results.numTasks})`,
    f2(s.finalAccuracy),
    f2(s.averageIncrementalAccuracy),
    f2(s.finalForgetting),
    s.seconds.toFixed(0),
  ]);
}

const COMPARISON_HEADER = [
  'strategy',
  'status',
  'final acc. (%)',
  'avg. incr. acc. (%)',
  'forgetting (%)',
  'time (s)',
];

/**
 * Renders a plain-text table with aligned columns (for the terminal).
 *
 * @category Reports
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The terminal comparison table of one run.
 *
 * @category Reports
 */
export function comparisonText(results: RunResults): string {
  return textTable(COMPARISON_HEADER, comparisonRows(results));
}

function matrixTable(s: StrategyResult, T: number): string {
  const header = ['after task', ...Array.from({ length: T }, (_, i) => `τ=${i + 1}`), 'A_t', 'F_t'];
  const rows: string[][] = [];
  for (let t = 0; t < s.tasksDone; t++) {
    rows.push([
      String(t + 1),
      ...Array.from({ length: T }, (_, tau) => (tau <= t ? f2(s.accuracyMatrix[t][tau]) : '')),
      f2(s.accuracyAfterTask[t]),
      f2(s.forgettingAfterTask[t]),
    ]);
  }
  return markdownTable(header, rows);
}

/**
 * The SVG plots of one run: file name → SVG text (a heatmap per strategy, accuracy after each task,
 * forgetting of each task at the end).
 *
 * @category Reports
 */
export function runPlots(results: RunResults): Map<string, string> {
  const out = new Map<string, string>();
  const withRows = results.strategies.filter((s) => s.tasksDone > 0);
  for (const s of withRows) {
    out.set(
      RUN_FILES.heatmap(s.strategy),
      accuracyHeatmapSvg(
        s.accuracyMatrix,
        `${results.benchmark}: accuracy matrix (%), ${s.strategy}`,
        s.tasksDone,
      ),
    );
  }
  out.set(
    RUN_FILES.accuracyPlot,
    lineChartSvg(
      withRows.map((s) => ({ name: s.strategy, values: s.accuracyAfterTask })),
      `${results.benchmark}: accuracy on all seen classes`,
      'accuracy (%)',
      100,
    ),
  );
  out.set(
    RUN_FILES.forgettingPlot,
    groupedBarSvg(
      withRows.map((s) => ({ name: s.strategy, values: perTaskForgetting(s.accuracyMatrix, s.tasksDone) })),
      `${results.benchmark}: forgetting of each task at the end`,
      'forgetting (%)',
      'task',
    ),
  );
  return out;
}

/**
 * Renders `report.md` of one run from its results (and manifest, if known).
 *
 * @param results - the run's `results.json`
 * @param manifest - the run's `manifest.json` (adds the configuration and the machine)
 * @returns markdown
 * @category Reports
 */
export function renderRunReport(results: RunResults, manifest?: RunManifest): string {
  const T = results.numTasks;
  const lines: string[] = [];
  lines.push(
    `# ${results.benchmark}, seed ${results.seed}${results.status === 'partial' ? ' (partial run)' : ''}`,
  );
  lines.push('');
  lines.push(
    'Accuracies in %. Final accuracy = accuracy on all classes after the last task; average incremental accuracy = mean over tasks of the accuracy on the classes seen so far; forgetting = official definition (spec §6).',
  );
  lines.push('');
  lines.push(markdownTable(COMPARISON_HEADER, comparisonRows(results)));
  lines.push('');
  lines.push(`![accuracy after each task](${RUN_FILES.accuracyPlot})`);
  lines.push('');
  lines.push(`![forgetting of each task](${RUN_FILES.forgettingPlot})`);
  lines.push('');
  for (const s of results.strategies) {
    lines.push(`## ${s.strategy}`);
    lines.push('');
    const options = (manifest?.config.strategyOptions as Record<string, object> | undefined)?.[s.strategy];
    if (options && Object.keys(options).length) lines.push(`Options: \`${JSON.stringify(options)}\``, '');
    if (s.error) lines.push(`Failed: \`${s.error}\``, '');
    if (s.tasksDone === 0) {
      lines.push('No task finished yet.', '');
      continue;
    }
    lines.push(
      `Accuracy matrix a[t][τ] (row: after training task t; column: task τ), n_τ = ${s.valCounts.join(', ')}.`,
    );
    lines.push('');
    lines.push(matrixTable(s, T));
    lines.push('');
    lines.push(`![accuracy matrix of ${s.strategy}](${RUN_FILES.heatmap(s.strategy)})`);
    lines.push('');
  }
  lines.push('## Run');
  lines.push('');
  lines.push(`Class order: ${results.classOrder.join(', ')}`);
  lines.push('');
  if (manifest) {
    lines.push(
      `Backend \`${manifest.backend.name}\`${adapterText(manifest.backend.adapter)}; ${manifest.machine.cpus} CPUs (${manifest.machine.cpuModel}), ${manifest.machine.memoryGiB} GiB, Node ${manifest.machine.node}; started ${manifest.startedAt}.`,
    );
    if (manifest.checkpoint) {
      lines.push('');
      lines.push(
        `Checkpoint: \`${manifest.checkpoint.path}\` (sha256 \`${manifest.checkpoint.sha256}\`, ${manifest.checkpoint.origin}).`,
      );
    }
    lines.push('');
    lines.push('```json');
    lines.push(JSON.stringify(manifest.config, null, 2));
    lines.push('```');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One sentence per seed that two or more runs share (of the same benchmark): their mean ± std
 * would count one class order twice, as if the runs were independent.
 *
 * @param runs - the runs' results
 * @param labels - a name per run (its folder)
 * @returns the warnings (none when every seed is distinct)
 * @category Reports
 */
export function sharedSeedWarnings(runs: readonly RunResults[], labels: readonly string[] = []): string[] {
  const by = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = `${r.benchmark}\u0000${r.seed}`;
    by.set(key, [...(by.get(key) ?? []), i]);
  });
  const out: string[] = [];
  for (const idx of by.values()) {
    if (idx.length < 2) continue;
    const r = runs[idx[0]];
    const names = idx.map((i) => labels[i] ?? `run ${i + 1}`).join(', ');
    out.push(
      `${idx.length} runs share seed ${r.seed} of ${r.benchmark} (${names}): the same class order is counted ${idx.length} times in mean ± std; use one run per seed`,
    );
  }
  return out;
}

/**
 * Renders a report over several runs of the same benchmark (normally one per seed): mean ± std of
 * each metric per strategy across the runs, and the mean accuracy after each task.
 *
 * @param runs - the runs' results (partial runs count only through their finished tasks)
 * @param labels - a name per run (its folder), for the list of inputs
 * @returns markdown, and the plot of mean accuracy after each task
 * @category Reports
 */
export function renderAggregateReport(
  runs: readonly RunResults[],
  labels: readonly string[] = [],
): { markdown: string; plots: Map<string, string> } {
  if (runs.length === 0) throw new RangeError('renderAggregateReport: no runs given');
  const benchmarks = [...new Set(runs.map((r) => r.benchmark))];
  const strategies = [...new Set(runs.flatMap((r) => r.strategies.map((s) => s.strategy)))];
  const lines: string[] = [];
  lines.push(
    `# ${benchmarks.join(' + ')}: ${runs.length} runs (seeds ${runs.map((r) => r.seed).join(', ')})`,
  );
  lines.push('');
  if (benchmarks.length > 1) {
    lines.push(
      `**Warning**: these runs belong to different benchmarks (${benchmarks.join(', ')}); the figures mix them.`,
    );
    lines.push('');
  }
  for (const w of sharedSeedWarnings(runs, labels)) lines.push(`**Warning**: ${w}`, '');
  lines.push(
    'Mean ± sample standard deviation across runs, in %. Only complete strategy runs count; partial ones are listed.',
  );
  lines.push('');
  const rows: string[][] = [];
  const curves: { name: string; values: number[] }[] = [];
  for (const name of strategies) {
    const all = runs.flatMap((r) => r.strategies.filter((s) => s.strategy === name));
    const done = all.filter((s) => s.status === 'complete');
    rows.push([
      name,
      `${done.length}/${all.length}`,
      formatMeanStd(done.map((s) => s.finalAccuracy)),
      formatMeanStd(done.map((s) => s.averageIncrementalAccuracy)),
      formatMeanStd(done.map((s) => s.finalForgetting)),
    ]);
    const T = Math.max(0, ...done.map((s) => s.accuracyAfterTask.length));
    curves.push({
      name,
      values: Array.from({ length: T }, (_, t) => {
        const v = done.map((s) => s.accuracyAfterTask[t]).filter((x) => Number.isFinite(x));
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
      }),
    });
  }
  lines.push(
    markdownTable(
      ['strategy', 'complete runs', 'final acc. (%)', 'avg. incr. acc. (%)', 'forgetting (%)'],
      rows,
    ),
  );
  lines.push('');
  lines.push(`![mean accuracy after each task](${RUN_FILES.accuracyPlot})`);
  lines.push('');
  lines.push('## Runs');
  lines.push('');
  runs.forEach((r, i) => {
    const label = labels[i] ?? `run ${i + 1}`;
    const status = r.strategies
      .map((s) => `${s.strategy} ${s.status} ${s.tasksDone}/${r.numTasks}`)
      .join('; ');
    lines.push(`- \`${label}\`: ${r.benchmark}, seed ${r.seed}: ${status}`);
  });
  lines.push('');
  const plots = new Map<string, string>();
  plots.set(
    RUN_FILES.accuracyPlot,
    lineChartSvg(
      curves,
      `${benchmarks.join(' + ')}: mean accuracy over ${runs.length} runs`,
      'accuracy (%)',
      100,
    ),
  );
  return { markdown: `${lines.join('\n')}\n`, plots };
}
