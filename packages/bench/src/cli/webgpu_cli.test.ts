/**
 * The CLI on the webgpu backend: `--backend webgpu` and `MAMBA_CL_BACKEND=webgpu` for `run`, and the
 * adapter in `list`, the run log, manifest.json and report.md. The runs are skipped, with the
 * reason, where this machine has no WebGPU adapter (CI without Mesa >= 24 lavapipe).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { findWebGpuAdapter } from '@mamba-cl/ssm-core/backend';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeCifar100Binary } from '../testing_internal/fixture_data.js';
import { runPreset } from '../testing_internal/run_preset.js';
import { main } from './main.js';

const unavailable = await findWebGpuAdapter({ acceptSoftware: true }).then(
  () => undefined,
  (err: unknown) => (err instanceof Error ? err.message : String(err)),
);
if (unavailable !== undefined) console.warn(`webgpu CLI runs skipped: ${unavailable}`);

describe('mamba-cl list backends and webgpu', () => {
  it('lists webgpu with its package, and its adapter or why there is none', async () => {
    const out: string[] = [];
    expect(await main(['list', 'backends', '--json'], { log: (l) => out.push(l), error: () => {} })).toBe(0);
    const rows = JSON.parse(out.join('\n')).backends as {
      name: string;
      ok: boolean;
      reason: string;
      adapter?: { software: boolean };
    }[];
    const webgpu = rows.find((r) => r.name === 'webgpu');
    expect(webgpu).toBeDefined();
    if (unavailable !== undefined) {
      expect(webgpu?.ok).toBe(false);
      expect(webgpu?.reason.length).toBeGreaterThan(0);
      return;
    }
    expect(webgpu?.adapter).toBeDefined();
    const text: string[] = [];
    await main(['list', 'backends'], { log: (l) => text.push(l), error: () => {} });
    expect(text.join('\n')).toMatch(
      webgpu?.adapter?.software
        ? /webgpu\s+@tensorflow\/tfjs-backend-webgpu\s+if named\s+skipped by auto: the only WebGPU adapter is software \(/
        : /webgpu\s+@tensorflow\/tfjs-backend-webgpu\s+yes\s+active \(@tensorflow\/tfjs-backend-webgpu on /,
    );
  });
});

describe.skipIf(unavailable !== undefined)(
  `mamba-cl run on webgpu${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const root = mkdtempSync(join(os.tmpdir(), 'cifar-webgpu-'));
    writeCifar100Binary(root, { train: 1, test: 1 });
    afterEach(() => vi.unstubAllEnvs());

    it('--backend webgpu runs there and names the adapter in the log, manifest.json and report.md', async () => {
      const r = await runPreset('cifar100-10', root, [
        '--strategy',
        'finetune',
        '--limit-tasks',
        '1',
        '--backend',
        'webgpu',
      ]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^backend: webgpu on .+ \((software|hardware), Dawn\) \(argument\)$/m);
      expect(r.manifest.backend.name).toBe('webgpu');
      expect(r.manifest.backend.adapter).toMatchObject({ runtime: 'dawn' });
      expect(r.results.strategies[0]).toMatchObject({
        strategy: 'finetune',
        status: 'complete',
        tasksDone: 1,
      });
      expect(readFileSync(join(r.dir, 'report.md'), 'utf8')).toMatch(
        /Backend `webgpu` on .+ \((software|hardware) adapter\); /,
      );
    });

    it('MAMBA_CL_BACKEND=webgpu does the same, for mamba-cl itself (projectors included)', async () => {
      vi.stubEnv('MAMBA_CL_BACKEND', 'webgpu');
      const r = await runPreset('cifar100-10', root, ['--strategy', 'mamba-cl', '--limit-tasks', '2']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^backend: webgpu on .+ \(MAMBA_CL_BACKEND\)$/m);
      expect(r.manifest.backend.adapter).toBeDefined();
      expect(r.results.strategies[0]).toMatchObject({
        strategy: 'mamba-cl',
        status: 'complete',
        tasksDone: 2,
      });
    });
  },
);
