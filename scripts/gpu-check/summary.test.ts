import { describe, expect, it } from 'vitest';
import { collect, formatSummary, parseLines, summarize, WASM_2_CORES_IMAGES_PER_S } from './summary.mjs';

const hardware = {
  runtime: 'dawn',
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H200',
  software: false,
};
const phase = (p: Record<string, unknown>) => ({ kind: 'mamba-cl-gpu-check-phase', backend: 'webgpu', ...p });
const torchPhase = (p: Record<string, unknown>) => ({ kind: 'mamba-cl-gpu-check-torch-phase', ...p });

describe('gpu-check summary', () => {
  it('reads JSON lines among progress output and lines cut by a timeout', () => {
    const text = [
      'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced',
      JSON.stringify(phase({ phase: 'tiny', batch: 64, depth: 4, msMean: 10, timedSteps: 5 })),
      '{"kind":"mamba-cl-gpu-check-phase","phase":"large-st',
      '',
    ].join('\n');
    expect(parseLines(text)).toHaveLength(1);
  });

  it('keeps a phase once when it appears as a phase line and in the final line', () => {
    const p = phase({ phase: 'tiny', batch: 64, depth: 4, msMean: 10, timedSteps: 5 });
    const data = collect([p, { kind: 'mamba-cl-gpu-check', adapter: hardware, phases: [p], errors: [] }]);
    expect(data.js).toHaveLength(1);
    expect(data.runs).toHaveLength(1);
  });

  it('compares each figure with its target', () => {
    const records = [
      { kind: 'mamba-cl-gpu-check', adapter: hardware, phases: [], errors: [] },
      // tiny: 64 images in 20 ms = 3200 images/s; 512 in 100 ms = 5120 (the better one counts)
      phase({ phase: 'tiny', batch: 64, depth: 4, msMean: 20, timedSteps: 10 }),
      phase({ phase: 'tiny', batch: 512, depth: 4, msMean: 100, timedSteps: 10 }),
      phase({ phase: 'wasm', backend: 'wasm', batch: 64, depth: 4, msMean: 400, timedSteps: 10 }),
      // large step: ours 16 images in 2000 ms = 8 images/s; PyTorch best 16 in 500 ms = 32 → 4× → missed
      phase({ phase: 'large-step', batch: 16, depth: 48, msMean: 2000, timedSteps: 3 }),
      torchPhase({
        phase: 'large-step',
        scan: 'sequential',
        batch: 16,
        depth: 48,
        msMean: 1000,
        timedSteps: 3,
      }),
      torchPhase({ phase: 'large-step', scan: 'logstep', batch: 16, depth: 48, msMean: 500, timedSteps: 3 }),
      // a PyTorch figure at another batch is not compared
      torchPhase({ phase: 'large-step', scan: 'logstep', batch: 8, depth: 48, msMean: 1, timedSteps: 3 }),
      // large forward at depth 24: 32 images in 400 ms = 80 images/s → ≈ 40 at depth 48 → missed (estimated)
      phase({ phase: 'large-forward', batch: 32, depth: 24, msMean: 400, timedSteps: 5 }),
    ];
    const s = summarize(collect(records));
    const [adapter, tiny, step, forward] = s.targets;
    expect(adapter.met).toBe(true);
    expect(tiny.ratio).toBeCloseTo(5120 / WASM_2_CORES_IMAGES_PER_S, 6);
    expect(tiny.met).toBe(5120 >= 10 * WASM_2_CORES_IMAGES_PER_S);
    expect(tiny.measured).toContain('batch 512');
    expect(tiny.note).toContain('160'); // the check machine's wasm: 64 images in 400 ms
    expect(step.ratio).toBeCloseTo(4, 6);
    expect(step.met).toBe(false);
    expect(step.measured).toContain('logstep');
    expect(forward.ratio).toBeCloseTo(40 / 50, 6);
    expect(forward.met).toBe(false);
    expect(forward.estimated).toBe(true);
    expect(formatSummary(s)).toContain('no (estimated)');
  });

  it('says what was not measured and reports a software adapter as not met', () => {
    const s = summarize(
      collect([
        { kind: 'mamba-cl-gpu-check', adapter: { ...hardware, software: true }, phases: [], errors: [] },
      ]),
    );
    expect(s.targets[0].met).toBe(false);
    expect(s.targets.slice(1).map((t: { met: boolean | null }) => t.met)).toEqual([null, null, null]);
    expect(formatSummary(s)).toContain('not measured');
  });

  it('uses the baseline it is given', () => {
    const s = summarize(
      collect([phase({ phase: 'tiny', batch: 64, depth: 4, msMean: 20, timedSteps: 10 })]),
      { wasmBaseline: 100 },
    );
    expect(s.targets[1].ratio).toBeCloseTo(32, 6);
    expect(s.targets[1].met).toBe(true);
  });
});
