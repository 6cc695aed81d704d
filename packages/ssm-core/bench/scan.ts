// Selective-scan benchmark: every implementation × backend, forward and forward+backward, beside
// a plain C loop compiled now with gcc. Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/scan.ts [--quick]
import { runScanPerf } from '../src/perf.js';

const quick = process.argv.includes('--quick');
const reports = await runScanPerf({ quick, log: (line) => console.error(line) });
for (const report of reports) {
  console.log(`\n## ${report.title}\n`);
  const columns = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`|${columns.map(() => '---').join('|')}|`);
  for (const row of report.rows) console.log(`| ${columns.map((c) => row[c] ?? '').join(' | ')} |`);
  console.log('');
  for (const note of report.notes) console.log(`- ${note}`);
}
