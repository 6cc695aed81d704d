// Inference benchmark of a backbone preset (default defocus-mamba-large, random weights, batch 1).
// Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/model.ts [--preset defocus-mamba-large] [--batch 1] [--reps 3] [--backend wasm]
import { runModelPerf } from '../src/perf.js';
import { printReports } from './print_reports.js';

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
printReports(reports);
