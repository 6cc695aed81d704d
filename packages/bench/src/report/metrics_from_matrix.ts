import {
  accuracyAfterTask,
  backwardTransfer,
  forgettingOfficial,
  forgettingStandard,
} from '@mamba-cl/cl-trainer';

/**
 * Every class-incremental metric of a (possibly partial) accuracy matrix, per finished task and at
 * the end, computed with `@mamba-cl/cl-trainer`'s metric functions (spec §6).
 *
 * **Details**
 * - A_t: sample-weighted accuracy over all seen tasks after task t.
 * - F_t: official forgetting (the max includes the current row), F_0 = 0.
 * - Average incremental accuracy: mean of A_t over the finished tasks (not in the official code).
 * - Standard forgetting (max over rows τ..t−1) and backward transfer at the last finished task.
 *
 * @param matrix - a[t][τ] in %, T×T (only the first `tasksDone` rows are read)
 * @param valCounts - n_τ, length T
 * @param tasksDone - how many rows are filled
 * @returns per-task curves and the summary figures (0 for an empty matrix)
 * @example
 * metricsFromMatrix([[90, 0], [80, 70]], [100, 100], 2).finalForgetting; // 10
 * @category Results
 */
export function metricsFromMatrix(
  matrix: readonly (readonly number[])[],
  valCounts: readonly number[],
  tasksDone: number,
): {
  accuracyAfterTask: number[];
  forgettingAfterTask: number[];
  finalAccuracy: number;
  averageIncrementalAccuracy: number;
  finalForgetting: number;
  finalForgettingStandard: number;
  backwardTransfer: number;
} {
  if (tasksDone > matrix.length) {
    throw new RangeError(
      `metricsFromMatrix: ${tasksDone} tasks done but the matrix has ${matrix.length} rows`,
    );
  }
  const rows = matrix.slice(0, tasksDone);
  const acc = rows.map((_, t) => accuracyAfterTask(rows, valCounts, t));
  const forg = rows.map((_, t) => forgettingOfficial(rows, t));
  const last = tasksDone - 1;
  return {
    accuracyAfterTask: acc,
    forgettingAfterTask: forg,
    finalAccuracy: last >= 0 ? acc[last] : 0,
    averageIncrementalAccuracy: tasksDone > 0 ? acc.reduce((s, a) => s + a, 0) / tasksDone : 0,
    finalForgetting: last >= 0 ? forg[last] : 0,
    finalForgettingStandard: last >= 0 ? forgettingStandard(rows, last) : 0,
    backwardTransfer: last >= 0 ? backwardTransfer(rows, last) : 0,
  };
}
