import { describe, expect, it } from 'vitest';
import {
  accuracyAfterTask,
  averageIncrementalAccuracy,
  backwardTransfer,
  continualMetrics,
  finalAccuracy,
  forgettingOfficial,
  forgettingStandard,
} from './accuracy_metrics.js';

// Hand-made 3-task matrix; row t = after task t.
const A = [
  [90, 0, 0],
  [70, 80, 0],
  [95, 60, 90],
];
const N = [100, 100, 200];

describe('accuracy metrics', () => {
  it('weights accuracies by validation counts', () => {
    expect(accuracyAfterTask(A, N, 0)).toBeCloseTo(90, 12);
    expect(accuracyAfterTask(A, N, 1)).toBeCloseTo(75, 12);
    expect(accuracyAfterTask(A, N, 2)).toBeCloseTo((95 * 100 + 60 * 100 + 90 * 200) / 400, 12);
    expect(finalAccuracy(A, N)).toBeCloseTo(83.75, 12);
    expect(averageIncrementalAccuracy(A, N)).toBeCloseTo((90 + 75 + 83.75) / 3, 12);
  });

  it('official forgetting includes the current row in the max; standard does not', () => {
    // official, t=2: τ=0 max(90,70,95)=95 → 0; τ=1 max(80,60)=80 → 20; /2 = 10
    expect(forgettingOfficial(A)).toBeCloseTo(10, 12);
    // standard, t=2: τ=0 max(90,70)=90 → 90−95=−5; τ=1 max(80)=80 → 20; /2 = 7.5
    expect(forgettingStandard(A)).toBeCloseTo(7.5, 12);
    // t=1: both (90−70)/1 = 20
    expect(forgettingOfficial(A, 1)).toBeCloseTo(20, 12);
    expect(forgettingStandard(A, 1)).toBeCloseTo(20, 12);
    expect(forgettingOfficial(A, 0)).toBe(0);
    expect(forgettingStandard(A, 0)).toBe(0);
  });

  it('backward transfer compares with the diagonal', () => {
    expect(backwardTransfer(A)).toBeCloseTo((95 - 90 + (60 - 80)) / 2, 12);
    expect(backwardTransfer(A, 1)).toBeCloseTo(-20, 12);
  });

  it('works on partial matrices and reports bad indices', () => {
    const partial = [[50], [40, 60]];
    expect(finalAccuracy(partial, [10, 30])).toBeCloseTo((40 * 10 + 60 * 30) / 40, 12);
    expect(() => forgettingOfficial(partial, 2)).toThrow(/outside the 2 evaluated rows/);
    expect(() => accuracyAfterTask(partial, [10], 1)).toThrow(/counts\[1\]/);
    const m = continualMetrics(A, N);
    expect(m.accuracyPerTask).toHaveLength(3);
    expect(m.forgetting).toBeCloseTo(10, 12);
    expect(m.forgettingStandard).toBeCloseTo(7.5, 12);
    expect(() => continualMetrics([], [])).toThrow(/no rows/);
  });
});
