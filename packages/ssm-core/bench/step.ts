// Training-step benchmark (forward + backward + Adam) of the tiny backbone at batch 64.
// Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/step.ts [--steps 100] [--backend wasm]
import { runStepPerf } from '../src/perf.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const reports = await runStepPerf({
  steps: Number(arg('--steps') ?? 100),
  backend: (arg('--backend') ?? 'wasm') as 'wasm',
  log: (line) => console.error(line),
});
for (const report of reports) {
  console.log(`\n## ${report.title}\n`);
  const columns = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`|${columns.map(() => '---').join('|')}|`);
  for (const row of report.rows) console.log(`| ${columns.map((c) => row[c] ?? '').join(' | ')} |`);
  console.log('');
  for (const note of report.notes) console.log(`- ${note}`);
}
