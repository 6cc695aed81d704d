/**
 * What one strategy produced in one run: the accuracy matrix and every metric (spec §6).
 * Accuracies are percentages (0–100), as the official code prints them.
 *
 * @category Results
 */
export interface StrategyResult {
  /** Strategy id (`mamba-cl`, `finetune`, …). */
  readonly strategy: string;
  /** `complete` when every task was trained and evaluated. */
  readonly status: 'complete' | 'partial' | 'failed';
  /** Tasks trained and evaluated so far. */
  readonly tasksDone: number;
  /** a[t][τ]: accuracy (%) on task τ's val split after training task t; T×T, zero above the diagonal. */
  readonly accuracyMatrix: number[][];
  /** n_τ: number of val images of each task. */
  readonly valCounts: number[];
  /** A_t: sample-weighted accuracy (%) over all seen tasks after task t. */
  readonly accuracyAfterTask: number[];
  /** F_t: forgetting (%) after task t (official definition, current row included in the max). */
  readonly forgettingAfterTask: number[];
  /** A_{T−1} (or the last finished task's A_t for a partial run). */
  readonly finalAccuracy: number;
  /** Mean of A_t over the finished tasks. */
  readonly averageIncrementalAccuracy: number;
  /** F at the last finished task. */
  readonly finalForgetting: number;
  /** F at the last finished task, standard definition (max over rows τ..t−1). */
  readonly finalForgettingStandard?: number;
  /** Backward transfer at the last finished task. */
  readonly backwardTransfer?: number;
  /** Wall-clock seconds spent on this strategy. */
  readonly seconds: number;
  /** Error message when `status` is `failed`. */
  readonly error?: string;
}

/**
 * The content of a run folder's `results.json`.
 *
 * @category Results
 */
export interface RunResults {
  /** Format tag. */
  readonly schema: 'mamba-cl/results@1';
  /** Benchmark id. */
  readonly benchmark: string;
  /** Seed of this run (the class order depends on it). */
  readonly seed: number;
  /** Number of tasks. */
  readonly numTasks: number;
  /** The class order (global class ids, task by task). */
  readonly classOrder: number[];
  /** `complete` when every strategy finished. */
  readonly status: 'complete' | 'partial';
  /** One entry per strategy, in run order. */
  readonly strategies: StrategyResult[];
}
