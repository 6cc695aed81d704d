import type { PerfReport } from '@mamba-cl/nullspace/perf';

/** Prints reports as Markdown tables (pasted into BENCHMARKS.md). */
export function printReports(reports: readonly PerfReport[]): void {
  for (const r of reports) {
    console.log(`\n### ${r.title}\n`);
    const cols = Object.keys(r.rows[0] ?? {});
    console.log(`| ${cols.join(' | ')} |`);
    console.log(`|${cols.map(() => '---').join('|')}|`);
    for (const row of r.rows) console.log(`| ${cols.map((c) => row[c]).join(' | ')} |`);
    for (const note of r.notes) console.log(`\n- ${note}`);
  }
}
