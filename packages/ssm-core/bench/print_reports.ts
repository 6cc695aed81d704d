import type { PerfReport } from '../src/perf.js';

/** Prints reports as Markdown tables with their notes (pasted into BENCHMARKS.md). */
export function printReports(reports: readonly PerfReport[]): void {
  for (const report of reports) {
    console.log(`\n## ${report.title}\n`);
    const columns = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
    console.log(`| ${columns.join(' | ')} |`);
    console.log(`|${columns.map(() => '---').join('|')}|`);
    for (const row of report.rows) console.log(`| ${columns.map((c) => row[c] ?? '').join(' | ')} |`);
    console.log('');
    for (const note of report.notes) console.log(`- ${note}`);
  }
}
