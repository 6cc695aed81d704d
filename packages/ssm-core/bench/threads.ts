// Thread scaling of this machine: the package's WebAssembly SIMD kernel and a scalar loop, run by
// 1 thread and by N threads at once.
// Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/threads.ts [--threads 1,2] [--reps 40]
import { runThreadScalingPerf } from '../src/perf.js';
import { printReports } from './print_reports.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const threads = arg('--threads')?.split(',').map(Number);
const reports = await runThreadScalingPerf({
  threads,
  reps: Number(arg('--reps') ?? 40),
  log: (line) => console.error(line),
});
printReports(reports);
