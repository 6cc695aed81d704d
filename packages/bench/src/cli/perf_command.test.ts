import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PerfSuite, perfCommand, perfFunctions, renderPerfReport } from './perf_command.js';

const fake: PerfSuite[] = [
  {
    name: '@mamba-cl/ssm-core',
    load: async () => ({
      runScanPerf: async ({ quick }: { quick: boolean }) => [
        {
          title: 'scan',
          rows: [
            { impl: 'fused', ms: quick ? 1.5 : 2.25 },
            { impl: 'reference', ms: 10 },
          ],
          notes: ['best of 3'],
        },
      ],
      helper: () => 1,
    }),
  },
  {
    name: '@mamba-cl/nullspace',
    load: async () => ({ runBrokenPerf: async () => Promise.reject(new Error('boom')) }),
  },
  { name: '@mamba-cl/datasets', load: async () => ({}) },
];

describe('mamba-cl perf', () => {
  it('finds run…Perf exports only', async () => {
    expect(perfFunctions(await fake[0].load()).map(([n]) => n)).toEqual(['runScanPerf']);
  });
  it('prints a table per report and writes JSON', async () => {
    const lines: string[] = [];
    const json = join(mkdtempSync(join(os.tmpdir(), 'perf-')), 'p.json');
    const res = await perfCommand(['--quick', '--json', json], { suites: fake, log: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toContain('## scan');
    expect(text).toMatch(/impl\s+ms\n-+\s+-+\nfused\s+1\.500\nreference\s+10/);
    expect(text).toContain('note: best of 3');
    expect(text).toContain('failed: boom');
    expect(text).toContain('@mamba-cl/datasets: no benchmarks exported yet');
    expect(res.map((r) => r.error)).toEqual([undefined, 'boom', 'no run…Perf export']);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.quick).toBe(true);
    expect(saved.results[0].reports[0].rows[0].ms).toBe(1.5);
  });
  it('--only filters suites and rejects a name that matches none', async () => {
    const lines: string[] = [];
    const json = join(mkdtempSync(join(os.tmpdir(), 'perf-')), 'p.json');
    const res = await perfCommand(['--only', 'ssm', '--json', json], {
      suites: fake,
      log: (l) => lines.push(l),
    });
    expect(res).toHaveLength(1);
    await expect(perfCommand(['--only', 'gpu'], { suites: fake, log: () => {} })).rejects.toThrow(
      /matches no suite/,
    );
  });
  it('names the backend and its WebGPU adapter, and passes a named backend to every benchmark', async () => {
    const seen: unknown[] = [];
    const suites: PerfSuite[] = [
      {
        name: '@mamba-cl/ssm-core',
        load: async () => ({
          runStepPerf: async (o: unknown) => {
            seen.push(o);
            return [];
          },
        }),
      },
    ];
    const adapter = {
      runtime: 'dawn' as const,
      vendor: 'nvidia',
      architecture: 'hopper',
      device: '',
      description: 'NVIDIA H200',
      software: false,
    };
    const lines: string[] = [];
    const json = join(mkdtempSync(join(os.tmpdir(), 'perf-')), 'p.json');
    const asked: (string | undefined)[] = [];
    await perfCommand(['--backend', 'webgpu', '--quick', '--json', json], {
      suites,
      log: (l) => lines.push(l),
      selectBackend: async (b) => {
        asked.push(b);
        return { name: 'webgpu', source: 'argument', adapter };
      },
    });
    expect(asked).toEqual(['webgpu']);
    expect(lines[0]).toBe('backend: webgpu on nvidia NVIDIA H200 (hopper, hardware, Dawn)');
    expect(seen).toEqual([{ quick: true, backend: 'webgpu', backends: ['webgpu'] }]);
    expect(JSON.parse(readFileSync(json, 'utf8')).backend).toEqual({ name: 'webgpu', adapter });

    // Through auto, each benchmark keeps its own default backend.
    seen.length = 0;
    lines.length = 0;
    await perfCommand(['--json', json], {
      suites,
      log: (l) => lines.push(l),
      selectBackend: async () => ({ name: 'wasm', source: 'default' }),
    });
    expect(lines[0]).toMatch(/^backend: wasm \(auto; each benchmark uses its own default/);
    expect(seen).toEqual([{ quick: false }]);
  });
  it('renders an empty report', () => {
    expect(renderPerfReport({ title: 't', rows: [], notes: [] })).toBe('## t\n(no rows)');
  });
});
