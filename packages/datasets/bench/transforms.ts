/**
 * Prints decode + transform throughput (images/s on one core).
 *
 *   node --conditions=@mamba-cl/source --import tsx packages/datasets/bench/transforms.ts [images] [repeats]
 */
import { runTransformsPerf } from '../src/perf/transforms_perf.js';

const images = Number(process.argv[2] ?? 200);
const repeats = Number(process.argv[3] ?? 3);
for (const report of await runTransformsPerf({ images, repeats })) {
  console.log(`## ${report.title}`);
  console.table(report.rows);
  for (const note of report.notes) console.log(`- ${note}`);
}
