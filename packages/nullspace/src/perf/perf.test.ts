import { describe, expect, it } from 'vitest';
import { runEigenPerf } from './eigen_perf.js';
import { timeNumpyEigh } from './numpy_eigh.js';

describe('perf entry points', () => {
  it('runEigenPerf returns one row per spectrum and size (numpy skipped on request)', async () => {
    const [report] = await runEigenPerf({ sizes: [16, 40], repeats: 1, python: false });
    expect(report.rows.length).toBe(10);
    expect(report.rows.map((r) => r.n)).toEqual([16, 16, 16, 16, 16, 40, 40, 40, 40, 40]);
    expect(report.notes.join(' ')).toMatch(/numpy comparison skipped/);
    for (const row of report.rows) {
      expect(Number(row['full (s)'])).toBeGreaterThanOrEqual(0);
      expect(Number(row['‖AV−VΛ‖/‖A‖'])).toBeLessThan(1e-12);
      expect(Number(row['max|VᵀV−I|'])).toBeLessThan(1e-12);
    }
  });

  it('timeNumpyEigh reports a missing python instead of throwing', () => {
    const r = timeNumpyEigh(new Map([[2, new Float64Array([1, 0, 0, 1])]]), 1, '/nonexistent/python3');
    expect(r.seconds).toBeUndefined();
    expect(r.note).toMatch(/skipped: \/nonexistent\/python3 failed/);
  });
});
