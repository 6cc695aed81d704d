// Training-step benchmark (forward + backward + Adam) of the tiny backbone at batch 64.
// Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/step.ts [--steps 100] [--backend wasm] [--workers 0]
// --workers N: N worker threads compute gradients besides the main thread (data parallel; 0 = single thread).
import { runStepPerf } from '../src/perf.js';
import { printReports } from './print_reports.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const reports = await runStepPerf({
  steps: Number(arg('--steps') ?? 100),
  backend: (arg('--backend') ?? 'wasm') as 'wasm',
  workers: Number(arg('--workers') ?? 0),
  log: (line) => console.error(line),
});
printReports(reports);
