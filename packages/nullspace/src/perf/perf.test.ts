import { describe, expect, it } from 'vitest';
import { runEigenPerf } from './eigen_perf.js';
import { timeNumpyEigh } from './numpy_eigh.js';

describe('perf entry points', () => {
  it('runEigenPerf returns one row per size (numpy skipped on request)', async () => {
    const [report] = await runEigenPerf({ sizes: [16, 40], repeats: 1, python: false });
    expect(report.rows.map((r) => r.n)).toEqual([16, 40]);
    expect(report.notes.join(' ')).toMatch(/numpy comparison skipped/);
    expect(Number(report.rows[0]['full (s)'])).toBeGreaterThanOrEqual(0);
  });

  it('timeNumpyEigh reports a missing python instead of throwing', () => {
    const r = timeNumpyEigh(new Map([[2, new Float64Array([1, 0, 0, 1])]]), 1, '/nonexistent/python3');
    expect(r.seconds).toBeUndefined();
    expect(r.note).toMatch(/skipped: \/nonexistent\/python3 failed/);
  });
});
