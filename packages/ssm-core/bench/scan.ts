// Selective-scan benchmark: every implementation × backend, forward and forward+backward, beside
// a plain C loop compiled now with gcc. Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/scan.ts [--quick]
import { runScanPerf } from '../src/perf.js';
import { printReports } from './print_reports.js';

const quick = process.argv.includes('--quick');
const reports = await runScanPerf({ quick, log: (line) => console.error(line) });
printReports(reports);
