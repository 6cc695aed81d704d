// Inference benchmark of a backbone preset (default defocus-mamba-large, random weights, batch 1).
// Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/model.ts [--preset defocus-mamba-large] [--batch 1] [--reps 3] [--backend wasm]
import { runModelPerf } from '../src/perf.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const reports = await runModelPerf({
  preset: (arg('--preset') ?? 'defocus-mamba-large') as 'defocus-mamba-large',
  batch: Number(arg('--batch') ?? 1),
  reps: Number(arg('--reps') ?? 3),
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
