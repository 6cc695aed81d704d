import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '@mamba-cl/ssm-core';
import { selectBackend } from '@mamba-cl/ssm-core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PRETRAIN_CONFIG } from '../testing_internal/tiny_pretrain_config.js';
import { ensurePretrained } from './pretrained_cache.js';
import {
  hashFileOf,
  nonFiniteTensors,
  verifyPretrainedCache,
  writeCachedWeights,
} from './pretrained_integrity.js';

const root = mkdtempSync(join(os.tmpdir(), 'mcl-integrity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const weights = (a: number[]) =>
  writeSafetensors(
    new Map([
      ['blocks.0.mixer.A_log', { shape: [2, 2], data: new Float32Array(a) }],
      ['norm_f.weight', { shape: [2], data: new Float32Array([1, 1]) }],
    ]),
  );

describe('pretrained cache integrity', () => {
  it('stores a hash beside the file and verifies it on load', () => {
    const p = join(root, 'ok.safetensors');
    writeCachedWeights(p, weights([1, 2, 3, 4]));
    expect(readFileSync(hashFileOf(p), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(verifyPretrainedCache(p)).toEqual({ ok: true });
    // truncated
    const bytes = readFileSync(p);
    writeFileSync(p, bytes.subarray(0, bytes.length - 5));
    const r = verifyPretrainedCache(p);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.why).toMatch(/SHA-256 .* differs from the stored .*truncated or modified/);
  });

  it('names NaN and Inf weights, and refuses to cache them', () => {
    expect(
      nonFiniteTensors(
        new Map([['a', { data: new Float32Array([Number.NaN, 1, Number.POSITIVE_INFINITY]) }]]),
      ),
    ).toEqual(['a: 1 NaN, 1 Inf of 3 values']);
    const p = join(root, 'nan.safetensors');
    expect(() => writeCachedWeights(p, weights([1, Number.NaN, 3, 4]))).toThrow(
      /pretraining produced non-finite weights \(blocks\.0\.mixer\.A_log: 1 NaN of 4 values\)/,
    );
    expect(existsSync(p)).toBe(false);
    // a NaN file of an earlier version (no hash beside it) is broken, naming the tensor
    writeFileSync(p, weights([Number.NaN, Number.NaN, 3, 4]));
    expect(verifyPretrainedCache(p)).toEqual({
      ok: false,
      why: 'non-finite weights: blocks.0.mixer.A_log: 2 NaN of 4 values',
    });
  });

  it("gives an earlier version's good cache file its hash, and reports a file that does not parse", () => {
    const p = join(root, 'legacy.safetensors');
    writeFileSync(p, weights([1, 2, 3, 4]));
    expect(verifyPretrainedCache(p)).toEqual({ ok: true });
    expect(existsSync(hashFileOf(p))).toBe(true);
    const q = join(root, 'junk.safetensors');
    writeFileSync(q, 'junk');
    const r = verifyPretrainedCache(q);
    expect(!r.ok && r.why).toMatch(/junk\.safetensors: 4 bytes, shorter than the 8-byte header length/);
  });
});

describe('ensurePretrained with a broken cache', () => {
  const config = TINY_PRETRAIN_CONFIG;
  const spec = {
    kind: 'pretrain',
    dataset: 'mnist',
    epochs: 1,
    perClass: 2,
    lr: 1e-3,
    batchSize: 10,
  } as const;
  beforeAll(async () => {
    await selectBackend('wasm,cpu');
  });

  it('rebuilds a truncated cache file instead of failing every later start', async () => {
    const cacheDir = join(root, 'cache');
    const first = await ensurePretrained(config, spec, { cacheDir, name: 'tiny' });
    expect(first.created).toBe(true);
    expect(existsSync(hashFileOf(first.path))).toBe(true);
    const bytes = readFileSync(first.path);
    writeFileSync(first.path, bytes.subarray(0, 100));
    const reasons: string[] = [];
    const again = await ensurePretrained(config, spec, {
      cacheDir,
      name: 'tiny',
      onBroken: (w) => reasons.push(w),
    });
    expect(again.created).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/differs from the stored/);
    expect(verifyPretrainedCache(again.path)).toEqual({ ok: true });
    const third = await ensurePretrained(config, spec, { cacheDir, name: 'tiny' });
    expect(third).toEqual({ path: first.path, created: false });
  });
});
