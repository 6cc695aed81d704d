/**
 * Continual-learning metrics computed from the accuracy matrix (spec §6).
 *
 * The accuracy matrix `a` is T×T (or t×T while a run is in progress): `a[t][τ]` is the top-1
 * accuracy on task τ's validation set measured after training task t (τ ≤ t). Entries with τ > t
 * are not measured and read as 0, as in the official code's zero-initialised matrix. Accuracies may
 * be fractions or percentages; every metric keeps the unit.
 *
 * @module
 */

/**
 * A (possibly partial) accuracy matrix: row t = evaluation after task t, column τ = task τ.
 *
 * @category Metrics
 */
export type AccuracyMatrix = readonly (readonly number[])[];

function entry(a: AccuracyMatrix, t: number, tau: number): number {
  const row = a[t];
  if (row === undefined) throw new RangeError(`accuracy matrix has ${a.length} rows, row ${t} requested`);
  return tau <= t ? (row[tau] ?? 0) : 0;
}

function checkRow(a: AccuracyMatrix, t: number, fn: string): void {
  if (!Number.isInteger(t) || t < 0 || t >= a.length) {
    throw new RangeError(
      `${fn}: task index ${t} is outside the ${a.length} evaluated rows (0..${a.length - 1})`,
    );
  }
}

/**
 * Sample-weighted accuracy after task t (the official `class_inc_last_acc`).
 *
 * **Details**
 * A_t = Σ_{τ≤t} n_τ·a[t][τ] / Σ_{τ≤t} n_τ, where n_τ is the number of validation images of task τ.
 * This equals the plain accuracy on the union of the seen tasks' validation sets (spec §6).
 *
 * @param a - accuracy matrix, at least t+1 rows
 * @param counts - n_τ, validation images per task (length ≥ t+1)
 * @param t - task index; default the last evaluated row
 * @returns A_t
 * @example
 * accuracyAfterTask([[0.9], [0.8, 0.6]], [100, 300], 1); // (0.8·100 + 0.6·300)/400 = 0.65
 * @category Metrics
 */
export function accuracyAfterTask(a: AccuracyMatrix, counts: readonly number[], t = a.length - 1): number {
  checkRow(a, t, 'accuracyAfterTask');
  let num = 0;
  let den = 0;
  for (let tau = 0; tau <= t; tau++) {
    const n = counts[tau];
    if (n === undefined || !(n >= 0)) {
      throw new RangeError(
        `accuracyAfterTask: counts[${tau}] is ${n}, expected a count ≥ 0 for every task ≤ ${t}`,
      );
    }
    num += n * entry(a, t, tau);
    den += n;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Final accuracy: the sample-weighted accuracy after the last evaluated task, A_{T−1}.
 *
 * **Details**
 * A_{T−1} = Σ_τ n_τ·a[T−1][τ] / Σ_τ n_τ (the headline number of the official code, spec §6).
 *
 * @param a - accuracy matrix (T rows)
 * @param counts - validation images per task
 * @returns A_{T−1}
 * @example
 * finalAccuracy([[1], [0.5, 1]], [10, 10]); // 0.75
 * @category Metrics
 */
export function finalAccuracy(a: AccuracyMatrix, counts: readonly number[]): number {
  return accuracyAfterTask(a, counts, a.length - 1);
}

/**
 * Average incremental accuracy: the mean of A_t over all evaluated tasks.
 *
 * **Details**
 * Ā = (1/T)·Σ_{t=0..T−1} A_t with A_t from {@link accuracyAfterTask}. The official code does not
 * compute it; this is the usual convention (spec §6).
 *
 * @param a - accuracy matrix (T rows)
 * @param counts - validation images per task
 * @returns Ā
 * @example
 * averageIncrementalAccuracy([[1], [0.5, 1]], [10, 10]); // (1 + 0.75)/2 = 0.875
 * @category Metrics
 */
export function averageIncrementalAccuracy(a: AccuracyMatrix, counts: readonly number[]): number {
  if (a.length === 0) return 0;
  let s = 0;
  for (let t = 0; t < a.length; t++) s += accuracyAfterTask(a, counts, t);
  return s / a.length;
}

/**
 * Forgetting after task t in the official definition (`class_inc_last_forg`).
 *
 * **Details**
 * F_t = (1/t)·Σ_{τ<t} ( max_{t'≤t} a[t'][τ] − a[t][τ] ), F_0 = 0. The max runs over every row of
 * the zero-initialised matrix, so in effect over t' ∈ [τ, t], **including the current row t**
 * (spec §6, pitfall 17); hence F_t ≥ 0 for non-negative accuracies.
 *
 * @param a - accuracy matrix, at least t+1 rows
 * @param t - task index; default the last evaluated row
 * @returns F_t
 * @example
 * forgettingOfficial([[0.9, 0], [0.7, 0.8], [0.95, 0.6, 0.9]]); // ((0.95−0.95) + (0.8−0.6))/2 = 0.1
 * @category Metrics
 */
export function forgettingOfficial(a: AccuracyMatrix, t = a.length - 1): number {
  checkRow(a, t, 'forgettingOfficial');
  if (t === 0) return 0;
  let s = 0;
  for (let tau = 0; tau < t; tau++) {
    let best = 0;
    for (let r = 0; r <= t; r++) best = Math.max(best, entry(a, r, tau));
    s += best - entry(a, t, tau);
  }
  return s / t;
}

/**
 * Forgetting after task t in the standard definition (Chaudhry et al. 2018).
 *
 * **Details**
 * F_t = (1/t)·Σ_{τ<t} ( max_{t'∈[τ, t−1]} a[t'][τ] − a[t][τ] ), F_0 = 0. Unlike
 * {@link forgettingOfficial} the current row is excluded from the max, so F_t can be negative when an
 * old task improves.
 *
 * @param a - accuracy matrix, at least t+1 rows
 * @param t - task index; default the last evaluated row
 * @returns F_t
 * @example
 * forgettingStandard([[0.9, 0], [0.7, 0.8], [0.95, 0.6, 0.9]]); // ((0.9−0.95) + (0.8−0.6))/2 = 0.075
 * @category Metrics
 */
export function forgettingStandard(a: AccuracyMatrix, t = a.length - 1): number {
  checkRow(a, t, 'forgettingStandard');
  if (t === 0) return 0;
  let s = 0;
  for (let tau = 0; tau < t; tau++) {
    let best = Number.NEGATIVE_INFINITY;
    for (let r = tau; r <= t - 1; r++) best = Math.max(best, entry(a, r, tau));
    s += best - entry(a, t, tau);
  }
  return s / t;
}

/**
 * Backward transfer after task t (Lopez-Paz & Ranzato 2017).
 *
 * **Details**
 * BWT_t = (1/t)·Σ_{τ<t} ( a[t][τ] − a[τ][τ] ), BWT_0 = 0. Negative values mean forgetting.
 *
 * @param a - accuracy matrix, at least t+1 rows
 * @param t - task index; default the last evaluated row
 * @returns BWT_t
 * @example
 * backwardTransfer([[0.9, 0], [0.7, 0.8], [0.95, 0.6, 0.9]]); // ((0.95−0.9) + (0.6−0.8))/2 = −0.075
 * @category Metrics
 */
export function backwardTransfer(a: AccuracyMatrix, t = a.length - 1): number {
  checkRow(a, t, 'backwardTransfer');
  if (t === 0) return 0;
  let s = 0;
  for (let tau = 0; tau < t; tau++) s += entry(a, t, tau) - entry(a, tau, tau);
  return s / t;
}

/**
 * Every metric of a (partial) run, as written into reports and checkpoints.
 *
 * @category Metrics
 */
export interface ContinualMetrics {
  /** A_t for every evaluated t. */
  readonly accuracyPerTask: readonly number[];
  /** A_{T−1}. */
  readonly finalAccuracy: number;
  /** Mean of A_t. */
  readonly averageIncrementalAccuracy: number;
  /** F_{T−1}, official definition (current row in the max). */
  readonly forgetting: number;
  /** F_{T−1}, standard definition (rows τ..t−1). */
  readonly forgettingStandard: number;
  /** BWT_{T−1}. */
  readonly backwardTransfer: number;
}

/**
 * Computes every metric of {@link ContinualMetrics} from an accuracy matrix.
 *
 * **Details**
 * Combines {@link accuracyAfterTask}, {@link finalAccuracy}, {@link averageIncrementalAccuracy},
 * {@link forgettingOfficial}, {@link forgettingStandard} and {@link backwardTransfer}; all taken at
 * the last evaluated row.
 *
 * @param a - accuracy matrix (≥ 1 row)
 * @param counts - validation images per task
 * @returns the metrics
 * @example
 * const m = continualMetrics(result.accuracy, result.evalCounts);
 * @category Metrics
 */
export function continualMetrics(a: AccuracyMatrix, counts: readonly number[]): ContinualMetrics {
  if (a.length === 0) throw new RangeError('continualMetrics: the accuracy matrix has no rows yet');
  const accuracyPerTask = a.map((_, t) => accuracyAfterTask(a, counts, t));
  return {
    accuracyPerTask,
    finalAccuracy: accuracyPerTask[accuracyPerTask.length - 1],
    averageIncrementalAccuracy: accuracyPerTask.reduce((s, x) => s + x, 0) / accuracyPerTask.length,
    forgetting: forgettingOfficial(a),
    forgettingStandard: forgettingStandard(a),
    backwardTransfer: backwardTransfer(a),
  };
}
