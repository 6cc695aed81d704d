/**
 * Performance benchmarks of `@mamba-cl/ssm-core`: functions that measure and return figures (the
 * `mamba-cl perf` command prints them). Never used by tests as timed assertions.
 *
 * @module
 */

// end scan exports
// model exports (engineer "model")
export { type ModelPerfOptions, runModelPerf } from './perf/model_perf.js';
export type { PerfReport, PerfRow } from './perf/perf_report.js';
// scan exports (engineer "scan")
export { runScanPerf, type ScanPerfOptions } from './perf/scan_perf.js';
export { runStepPerf, type StepPerfOptions } from './perf/step_perf.js';
// end model exports
