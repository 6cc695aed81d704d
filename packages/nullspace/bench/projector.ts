// Projector build per matrix (extrapolated to a paper-model task boundary) and per-step apply cost.
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/projector.ts [n] [backend]

import { runProjectorPerf } from '@mamba-cl/nullspace/perf';
import { selectBackend } from '@mamba-cl/ssm-core/backend';
import { printReports } from './print_reports.js';

const n = Number(process.argv[2] ?? 2048);
await selectBackend((process.argv[3] ?? 'wasm') as 'wasm');
printReports(await runProjectorPerf({ n }));
