import { describe, expect, it } from 'vitest';
import { metricsFromMatrix } from './metrics_from_matrix.js';

describe('metricsFromMatrix', () => {
  const a = [
    [90, 0, 0],
    [80, 70, 0],
    [60, 75, 50],
  ];
  it('computes A_t (sample-weighted), official F_t and the averages (spec §6)', () => {
    const m = metricsFromMatrix(a, [100, 300, 100], 3);
    expect(m.accuracyAfterTask[0]).toBeCloseTo(90, 10);
    expect(m.accuracyAfterTask[1]).toBeCloseTo((100 * 80 + 300 * 70) / 400, 10);
    expect(m.accuracyAfterTask[2]).toBeCloseTo((100 * 60 + 300 * 75 + 100 * 50) / 500, 10);
    expect(m.forgettingAfterTask[0]).toBe(0);
    expect(m.forgettingAfterTask[1]).toBeCloseTo(10, 10);
    // τ=0: max(90,80,60) − 60 = 30; τ=1: max(70,75) − 75 = 0 (current row counts) → 15
    expect(m.forgettingAfterTask[2]).toBeCloseTo(15, 10);
    expect(m.finalForgetting).toBeCloseTo(15, 10);
    // standard: τ=1 max over rows 1..1 = 70 → 70−75 = −5; (30 − 5)/2
    expect(m.finalForgettingStandard).toBeCloseTo(12.5, 10);
    expect(m.averageIncrementalAccuracy).toBeCloseTo(m.accuracyAfterTask.reduce((s, x) => s + x, 0) / 3, 10);
  });
  it('reads only the finished rows of a partial run', () => {
    const m = metricsFromMatrix(a, [100, 100, 100], 2);
    expect(m.accuracyAfterTask).toHaveLength(2);
    expect(m.finalAccuracy).toBeCloseTo(75, 10);
    expect(metricsFromMatrix(a, [1, 1, 1], 0).finalAccuracy).toBe(0);
    expect(() => metricsFromMatrix(a, [1, 1, 1], 4)).toThrow(/4 tasks done but the matrix has 3 rows/);
  });
});
