/**
 * `mamba-cl` (npm package and command): the Mamba-CL CLI app. Benchmark presets, run folders, reports,
 * SVG plots, progress rendering and the perf runner, exported for tests and scripts.
 *
 * @module
 */
export { CliError } from './cli/cli_error.js';
export { main } from './cli/main.js';
export {
  PERF_SUITES,
  type PerfReport,
  type PerfRow,
  type PerfSuite,
  perfCommand,
  renderPerfReport,
} from './cli/perf_command.js';
export { expandRunDirs, reportCommand, writeRunReport } from './cli/report_command.js';
export {
  checkDataRoot,
  checkWeights,
  defaultCacheDir,
  type RunPlan,
  resolveRunPlan,
} from './cli/run_plan.js';
export type { BenchmarkPreset, DatasetKind, TrainSettings, WeightsSpec } from './presets/benchmark_preset.js';
export { BUILTIN_PRESETS } from './presets/builtin_presets.js';
export { BENCHMARKS, PresetRegistry } from './presets/preset_registry.js';
export type { BenchEvent, BenchEventSink } from './progress/bench_event.js';
export { eventProgress } from './progress/event_progress.js';
export { ProgressBar, type ProgressStream } from './progress/progress_bar.js';
export { formatMeanStd, meanStd } from './report/mean_std.js';
export { metricsFromMatrix } from './report/metrics_from_matrix.js';
export {
  comparisonText,
  markdownTable,
  renderAggregateReport,
  renderRunReport,
  runPlots,
  textTable,
} from './report/render_report.js';
export type { RunResults, StrategyResult } from './report/run_results.js';
export { accuracyHeatmapSvg, groupedBarSvg, lineChartSvg, perTaskForgetting } from './report/svg_plots.js';
export {
  type MachineInfo,
  machineInfo,
  packageVersions,
  type RunManifest,
  sha256File,
} from './run/manifest.js';
export {
  type LabeledArrays,
  type PretrainableBackbone,
  type PretrainOptions,
  pretrainBackbone,
} from './run/pretrain.js';
export { ensurePretrained, PRETRAIN_SEED, pretrainKey } from './run/pretrained_cache.js';
export {
  type BenchmarkOutcome,
  modelOverridesFor,
  type RunIo,
  runBenchmark,
  strategyOptions,
} from './run/run_benchmark.js';
export { RUN_FILES, RunFolder } from './run/run_folder.js';
export { limitPerClass } from './wiring/limit_per_class.js';
export { createBackbone, readCheckpointFor, resolveModelConfig } from './wiring/model.js';
export {
  limitSteps,
  loadBenchmarkSource,
  type PreparedData,
  pipelineOptionsFor,
  prepareData,
} from './wiring/prepare_data.js';
