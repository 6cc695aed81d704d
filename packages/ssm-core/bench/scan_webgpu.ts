// Selective scan on the webgpu backend: the WGSL fused kernel vs the chunked scan of tfjs ops,
// forward and forward+backward. Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/scan_webgpu.ts \
//     [--shape 64,50,128,16] [--shape 4,145,2048,16] [--budget-ms 5000] [--reps 10]
// Default shapes: the tiny training step's scan [64, 50, 128, 16] and one defocus-mamba-large
// block [4, 145, 2048, 16]. Needs a WebGPU adapter (Dawn: npm webgpu); a software one is used too.
import { runWebGpuScanPerf } from '../src/perf.js';
import { printReports } from './print_reports.js';

const args = process.argv.slice(2);
const shapes: Array<[number, number, number, number]> = [];
let budgetMs: number | undefined;
let maxReps: number | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--shape') {
    const s = (args[++i] ?? '').split(',').map(Number);
    if (s.length !== 4 || s.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new Error(`--shape wants batch,seqLen,dInner,dState (positive integers), got "${args[i]}"`);
    }
    shapes.push(s as [number, number, number, number]);
  } else if (args[i] === '--budget-ms') budgetMs = Number(args[++i]);
  else if (args[i] === '--reps') maxReps = Number(args[++i]);
  else throw new Error(`unknown argument "${args[i]}" (known: --shape, --budget-ms, --reps)`);
}
process.env.MAMBA_CL_BACKEND ??= 'webgpu';
const reports = await runWebGpuScanPerf({
  shapes: shapes.length > 0 ? shapes : undefined,
  budgetMs,
  maxReps,
  log: (line) => console.error(line),
});
printReports(reports);
