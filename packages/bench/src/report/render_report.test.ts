import { describe, expect, it } from 'vitest';
import { fakeManifest, fakeResults, strategyResult } from '../testing_internal/fake_results.js';
import {
  comparisonText,
  renderAggregateReport,
  renderRunReport,
  runPlots,
  textTable,
} from './render_report.js';

describe('report rendering', () => {
  it('renders the comparison table, the matrices and the configuration', () => {
    const md = renderRunReport(fakeResults(), fakeManifest());
    expect(md).toContain('# default, seed 2024');
    expect(md).toMatch(/\| mamba-cl \| done \| 87\.67 \| 91\.22 \| 7\.00 \| 12 \|/);
    expect(md).toMatch(/\| finetune \| done \| 37\.67 \| 64\.06 \| 89\.00 \| 12 \|/);
    expect(md).toContain('| 3 | 88.00 | 85.00 | 90.00 | 87.67 | 7.00 |');
    expect(md).toContain('![accuracy matrix of mamba-cl](accuracy_matrix_mamba-cl.svg)');
    expect(md).toContain('sha256 `abab');
    expect(md).toContain('"epochs": 1');
  });
  it('names the WebGPU adapter a run used', () => {
    const m = fakeManifest();
    expect(renderRunReport(fakeResults(), m)).toContain('Backend `cpu`; ');
    const adapter = {
      runtime: 'dawn' as const,
      vendor: 'nvidia',
      architecture: 'hopper',
      device: '',
      description: 'NVIDIA H200',
      software: false,
    };
    const md = renderRunReport(fakeResults(), { ...m, backend: { ...m.backend, name: 'webgpu', adapter } });
    expect(md).toContain('Backend `webgpu` on nvidia NVIDIA H200 (hopper, hardware adapter); ');
    const lavapipe = {
      ...adapter,
      vendor: 'mesa',
      architecture: 'software',
      description: 'llvmpipe',
      software: true,
    };
    expect(
      renderRunReport(fakeResults(), { ...m, backend: { ...m.backend, name: 'webgpu', adapter: lavapipe } }),
    ).toContain('Backend `webgpu` on mesa llvmpipe (software adapter); ');
  });
  it('marks partial runs and unfinished strategies', () => {
    const r = fakeResults();
    const partial = {
      ...r,
      status: 'partial' as const,
      strategies: [
        strategyResult(
          'mamba-cl',
          [
            [95, 0, 0],
            [90, 92, 0],
            [0, 0, 0],
          ],
          2,
        ),
      ],
    };
    const md = renderRunReport(partial);
    expect(md).toContain('(partial run)');
    expect(md).toContain('partial (2/3)');
    expect(comparisonText(partial)).toMatch(/mamba-cl\s+partial \(2\/3\)\s+91\.00/);
  });
  it('makes a heatmap per strategy plus the two comparison plots', () => {
    expect([...runPlots(fakeResults()).keys()].sort()).toEqual([
      'accuracy_matrix_finetune.svg',
      'accuracy_matrix_mamba-cl.svg',
      'accuracy_per_task.svg',
      'forgetting_per_task.svg',
    ]);
  });
  it('aggregates several seeds into mean ± std', () => {
    const { markdown, plots } = renderAggregateReport(
      [fakeResults(2024, 0), fakeResults(2025, 2)],
      ['a', 'b'],
    );
    // mamba-cl final accuracy: 87.667 and 88.333 → mean 88.00, std 0.47
    expect(markdown).toMatch(/\| mamba-cl \| 2\/2 \| 88\.00 ± 0\.47 \|/);
    expect(markdown).toContain('seeds 2024, 2025');
    expect(markdown).toContain('- `b`: default, seed 2025');
    expect(plots.has('accuracy_per_task.svg')).toBe(true);
    expect(() => renderAggregateReport([])).toThrow(/no runs/);
  });
  it('aligns text tables', () => {
    expect(textTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });
});
