import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { MODEL_PRESETS } from '@mamba-cl/ssm-core';
import { selectBackend } from '@mamba-cl/ssm-core/backend';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CHECKPOINT, writeGoldenModelJson } from '../testing_internal/fixture_data.js';
import { createBackbone, resolveModelConfig } from './model.js';

describe('model wiring', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'model-'));
  it('resolves presets, JSON configs and preset-plus-overrides JSON', () => {
    expect(resolveModelConfig('tiny')).toEqual(MODEL_PRESETS.tiny);
    expect(resolveModelConfig('tiny', { inChans: 3 }).inChans).toBe(3);
    expect(resolveModelConfig(writeGoldenModelJson(dir))).toMatchObject({ imgSize: 8, dModel: 16, depth: 2 });
    const p = join(dir, 'over.json');
    writeFileSync(p, JSON.stringify({ preset: 'tiny', depth: 1 }));
    expect(resolveModelConfig(p)).toEqual({ ...MODEL_PRESETS.tiny, depth: 1 });
  });
  it('says what is wrong with a bad --model', () => {
    expect(() => resolveModelConfig('huge')).toThrow(/--model huge: unknown model/);
    expect(() => resolveModelConfig(join(dir, 'none.json'))).toThrow(/file not found/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"imgSize": 8}');
    expect(() => resolveModelConfig(bad)).toThrow(/missing numeric fields patchSize, inChans/);
    writeFileSync(bad, '{"preset": "giant"}');
    expect(() => resolveModelConfig(bad)).toThrow(/unknown preset "giant"/);
  });
  it('loads an official-format .pth into a fresh backbone (x_proj split, heads dropped)', async () => {
    await selectBackend('cpu');
    const config = resolveModelConfig(writeGoldenModelJson(dir));
    const { model, missing, unexpected } = createBackbone(config, 1, GOLDEN_CHECKPOINT);
    try {
      expect(missing).toEqual([]);
      expect(unexpected.some((k) => k.includes('x_proj'))).toBe(false);
      expect(model.parameters.get('blocks.0.mixer.x_proj_B.weight')?.shape).toEqual([4, 32]);
    } finally {
      model.dispose();
    }
  });
});
