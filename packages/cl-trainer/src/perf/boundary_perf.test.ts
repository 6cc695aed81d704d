import { describe, expect, it } from 'vitest';
import { type BoundaryPerfResult, summarizeBoundaryPerf } from './boundary_perf.js';

const MiB = 2 ** 20;
const cov = 4 * 2048 * 2048 * 8; // 128 MiB: the four distinct float64 covariances of a block

/** A run whose memory grows by `perBlock` bytes per block; times grow with depth (and images). */
function run(depth: number, perBlock: number, store: 'memory' | 'disk' = 'memory'): BoundaryPerfResult {
  return {
    backend: 'cpu',
    depth,
    images: 20,
    batch: 20,
    gramKernel: 'exact',
    store,
    collect: 'per-block',
    collectSeconds: 2 * depth,
    gramSeconds: 10 * depth,
    projectorSeconds: 30 * depth,
    rssStart: 200 * MiB,
    rssPeakCollect: 300 * MiB + depth * perBlock,
    rssPeakProjectors: 300 * MiB + depth * perBlock,
    maxRss: 400 * MiB + depth * perBlock,
    tapBytesPerBlock: 68 * MiB,
    covarianceBytesPerBlock: cov,
    tensorBytesStart: 10 * MiB + depth * 26 * MiB,
    tensorBytesEnd: 10 * MiB + depth * 28 * MiB,
  };
}

describe('summarizeBoundaryPerf', () => {
  it('fits the memory slope, sets it beside the per-block state and extrapolates the times', () => {
    // new path: slope = 𝒦 + K_t + tensors (256 + 28 MiB)
    const r = summarizeBoundaryPerf([2, 4, 8].map((d) => run(d, 2 * cov + 28 * MiB)));
    expect(r.rows.map((x) => x.depth)).toEqual([2, 4, 8]);
    const notes = r.notes.join('\n');
    expect(notes).toContain('maxRSS slope over depth: 284 MiB per block (intercept 400 MiB)');
    expect(notes).toContain('slope / per-block state = 1.00');
    expect(notes).toContain('slope / (state + taps) = 0.81');
    // per block and image: collect 0.1 s, Grams 0.5 s; eigh 30 s per block
    expect(notes).toContain('collect 100 ms, Grams 500 ms; per block eigh+projectors 30.0 s');
    expect(notes).toContain(
      'collect 24000 s (6.7 h), Grams 120000 s (33.3 h), eigh+projectors 1440 s (0.4 h)',
    );
  });

  it('counts only K_t with the disk store, and refuses no runs', () => {
    const r = summarizeBoundaryPerf([1, 2].map((d) => run(d, cov + 28 * MiB, 'disk')));
    expect(r.title).toContain('store disk');
    expect(r.notes.join('\n')).toContain('slope / per-block state = 1.00');
    expect(() => summarizeBoundaryPerf([])).toThrow(/no runs/);
  });
});
