/**
 * Prints whether worker prefetching keeps a trainer fed, and MNIST load times.
 *
 *   node --conditions=@mamba-cl/source --import tsx packages/datasets/bench/loader.ts [images] [batchSize] [computeMsPerBatch]
 */
import { runLoaderPerf } from '../src/perf/loader_perf.js';

const images = Number(process.argv[2] ?? 400);
const batchSize = Number(process.argv[3] ?? 50);
const computeMsPerBatch = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
for (const report of await runLoaderPerf({ images, batchSize, computeMsPerBatch })) {
  console.log(`## ${report.title}`);
  console.table(report.rows);
  for (const note of report.notes) console.log(`- ${note}`);
}
