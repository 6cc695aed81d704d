import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '@mamba-cl/ssm-core';
import { selectBackend } from '@mamba-cl/ssm-core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PRETRAIN_CONFIG } from '../testing_internal/tiny_pretrain_config.js';
import { ensurePretrained, pretrainKey } from './pretrained_cache.js';

const config = TINY_PRETRAIN_CONFIG;
const spec = { kind: 'pretrain', dataset: 'mnist', epochs: 1, perClass: 3, lr: 1e-3, batchSize: 15 } as const;

describe('ensurePretrained', () => {
  const cacheDir = mkdtempSync(join(os.tmpdir(), 'mcl-cache-'));
  beforeAll(async () => {
    await selectBackend('wasm,cpu');
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('pretrains on MNIST once, caches the checkpoint under a config hash, and reuses it', async () => {
    const events: string[] = [];
    const first = await ensurePretrained(config, spec, {
      cacheDir,
      name: 'tiny',
      onStart: (n) => events.push(`start ${n}`),
      onStep: (s) => events.push(`step ${s}`),
      onEnd: () => events.push('end'),
    });
    expect(first.created).toBe(true);
    expect(first.path).toBe(
      join(cacheDir, 'pretrained', `tiny-mnist-${pretrainKey(config, spec)}.safetensors`),
    );
    expect(events).toEqual(['start 2', 'step 1', 'step 2', 'end']);
    expect(first.accuracy).toBeGreaterThanOrEqual(0);
    const { tensors, metadata } = readSafetensors(new Uint8Array(readFileSync(first.path)));
    expect(tensors.get('blocks.0.mixer.A_log')?.shape).toEqual([16, 4]);
    expect(metadata.origin).toMatch(/pretrained on MNIST/);
    const again = await ensurePretrained(config, spec, {
      cacheDir,
      name: 'tiny',
      onStart: () => events.push('again'),
    });
    expect(again).toEqual({ path: first.path, created: false });
    expect(events).not.toContain('again');
    expect(existsSync(`${first.path}.tmp-${process.pid}`)).toBe(false);
  });

  it('keys the cache by the model and the pretraining settings', () => {
    const k = pretrainKey(config, spec);
    expect(pretrainKey({ ...config, depth: 2 }, spec)).not.toBe(k);
    expect(pretrainKey(config, { ...spec, epochs: 2 })).not.toBe(k);
    expect(pretrainKey(config, spec)).toBe(k);
  });
});
