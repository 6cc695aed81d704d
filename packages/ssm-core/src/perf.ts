/**
 * `@mamba-cl/ssm-core/perf`: benchmarks that print figures (scan kernels, the training step,
 * the large backbone's forward, thread scaling). Scripts in `bench/` run them.
 *
 * @module
 */
export {
  type ClassifierStep,
  type ClassifierStepOptions,
  createClassifierStep,
} from './perf/classifier_step.js';
export { type ModelPerfOptions, runModelPerf } from './perf/model_perf.js';
export type { PerfReport, PerfRow } from './perf/perf_report.js';
export { runScanPerf, type ScanPerfOptions } from './perf/scan_perf.js';
export { runStepPerf, type StepPerfOptions } from './perf/step_perf.js';
export { runThreadScalingPerf, type ThreadScalingPerfOptions } from './perf/threads_perf.js';
export { runWebGpuScanPerf, type WebGpuScanPerfOptions } from './perf/webgpu_scan_perf.js';
