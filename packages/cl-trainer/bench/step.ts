/**
 * Trainer benchmark: step time of `tiny` with mamba-cl vs finetune, and the task-boundary cost.
 *
 *   node --conditions=@mamba-cl/source --import tsx packages/cl-trainer/bench/step.ts [steps] [batch] [--paper] [--backend=cpu|wasm]
 */
import { runTrainerPerf } from '../src/perf.js';

const args = process.argv.slice(2);
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const backend = (args.find((a) => a.startsWith('--backend='))?.split('=')[1] ?? 'wasm') as 'wasm' | 'cpu';
const reports = await runTrainerPerf({
  steps: nums[0] ?? 8,
  batch: nums[1] ?? 32,
  backend,
  paperScale: args.includes('--paper'),
  log: (l) => console.error(l),
});
for (const r of reports) {
  console.log(`\n${r.title}`);
  const cols = Object.keys(r.rows[0] ?? {});
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const row of r.rows) console.log(`| ${cols.map((c) => row[c]).join(' | ')} |`);
  for (const n of r.notes) console.log(`- ${n}`);
}
