// Eigensolver benchmark beside numpy (single-threaded).
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/eigen.ts [sizes...]
import { runEigenPerf } from '@mamba-cl/nullspace/perf';
import { printReports } from './print_reports.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
printReports(await runEigenPerf(sizes.length ? { sizes } : {}));
