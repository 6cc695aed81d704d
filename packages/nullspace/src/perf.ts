/**
 * Performance benchmarks of `@mamba-cl/nullspace`: functions that measure and return figures (the
 * `mamba-cl perf` command prints them). Never used by tests as timed assertions.
 *
 * @module
 */
export { type EigenPerfOptions, type EigenSpectrum, runEigenPerf } from './perf/eigen_perf.js';
export { type EigenSuiteSpectrum, eigenSuiteMatrix, SUITE_SPECTRA } from './perf/eigen_suite_matrix.js';
export type { PerfReport, PerfRow } from './perf/perf_report.js';
export { type ProjectorPerfOptions, runProjectorPerf } from './perf/projector_perf.js';
