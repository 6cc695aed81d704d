import { metricsFromMatrix } from './metrics_from_matrix.js';
import type { StrategyResult } from './run_results.js';

/**
 * One strategy's entry of `results.json`: its accuracy matrix with every metric computed from it.
 *
 * @param strategy - strategy id
 * @param matrix - accuracy matrix a[t][τ] (%), rows past `tasksDone` ignored
 * @param valCounts - evaluation images per task
 * @param tasksDone - tasks trained so far
 * @param seconds - training time
 * @param status - complete, partial or failed
 * @param error - the failure's message
 * @returns the result
 * @category Report
 */
export function strategyResult(
  strategy: string,
  matrix: number[][],
  valCounts: number[],
  tasksDone: number,
  seconds: number,
  status: StrategyResult['status'],
  error?: string,
): StrategyResult {
  const m = metricsFromMatrix(matrix, valCounts, tasksDone);
  return {
    strategy,
    status,
    tasksDone,
    accuracyMatrix: matrix,
    valCounts,
    accuracyAfterTask: m.accuracyAfterTask,
    forgettingAfterTask: m.forgettingAfterTask,
    finalAccuracy: m.finalAccuracy,
    averageIncrementalAccuracy: m.averageIncrementalAccuracy,
    finalForgetting: m.finalForgetting,
    finalForgettingStandard: m.finalForgettingStandard,
    backwardTransfer: m.backwardTransfer,
    seconds,
    ...(error ? { error } : {}),
  };
}
