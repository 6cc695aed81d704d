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
  type PerfFunctionOptions,
  type PerfReport,
  type PerfRow,
  type PerfSuite,
  perfCommand,
  renderPerfReport,
} from './cli/perf_command.js';
export { expandRunDirs, reportCommand, writeRunReport } from './cli/report_command.js';
export { resumeArgs, runCommand } from './cli/run_command.js';
export {
  configFromManifest,
  configToArgv,
  loadRunConfig,
  mergeConfig,
  parseRunConfig,
  type RunConfig,
  TRAIN_KEYS,
} from './cli/run_config.js';
export {
  checkDataRoot,
  checkWeights,
  defaultCacheDir,
  expandConfig,
  LOG_KINDS,
  pluginSpecs,
  RUN_FLAGS,
  RUN_VALUED_FLAGS,
  type RunPlan,
  resolveRunPlan,
} from './cli/run_plan.js';
export {
  collectStrategyOptions,
  describeOptions,
  parseStrategyOption,
  type StrategyOptionMap,
  type StrategyOptionSetting,
  validateStrategyOptions,
} from './cli/strategy_options.js';
export { crc32c, maskedCrc32c } from './logs/crc32c.js';
export { CsvFile, csvField } from './logs/csv_file.js';
export { LOG_FILES, type LogKinds, RunLogs, runLogSink, summaryCsv } from './logs/run_logs.js';
export { encodeEvent, TfEventsWriter, tfRecord } from './logs/tfevents_writer.js';
export {
  type LoadedPlugin,
  loadedPlugins,
  loadPlugins,
  resolvePlugin,
  type StrategyApi,
} from './plugins/load_plugins.js';
export type { BenchmarkPreset, DatasetKind, TrainSettings, WeightsSpec } from './presets/benchmark_preset.js';
export { BUILTIN_PRESETS } from './presets/builtin_presets.js';
export {
  checkImageFolder,
  FOLDER_PRESET,
  folderPreset,
  type ImageFolderSummary,
} from './presets/folder_preset.js';
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
  sharedSeedWarnings,
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
