/**
 * Performance benchmarks of `@mamba-cl/datasets`: functions that measure and return figures (the
 * `mamba-cl perf` command prints them). Never used by tests as timed assertions.
 *
 * @module
 */

export { type LoaderPerfOptions, runLoaderPerf } from './perf/loader_perf.js';
export type { PerfReport, PerfRow } from './perf/perf_report.js';
export { runTransformsPerf, type TransformsPerfOptions } from './perf/transforms_perf.js';
