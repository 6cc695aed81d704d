/**
 * Performance benchmarks of `@mamba-cl/cl-trainer`: functions that measure and return figures (the
 * `mamba-cl perf` command prints them). Never used by tests as timed assertions.
 *
 * @module
 */
export {
  type BoundaryPerfOptions,
  type BoundaryPerfResult,
  type GramThroughputOptions,
  runBoundaryPerf,
  runGramThroughput,
  summarizeBoundaryPerf,
} from './perf/boundary_perf.js';
export type { PerfReport, PerfRow } from './perf/perf_report.js';
export { runTrainerPerf, type TrainerPerfOptions } from './perf/trainer_perf.js';
