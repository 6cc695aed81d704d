import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../model/model_config.js';
import { mapOfficialCheckpoint } from './official_checkpoint.js';

describe('mapOfficialCheckpoint', () => {
  it('splits x_proj by rows [dt | B | C], drops head keys and reports missing/unexpected keys', () => {
    const cfg = { ...MODEL_PRESETS.tiny, depth: 1, dInner: 4, dState: 2, dtRank: 1, groupNormSize: 2 };
    const xp = Float32Array.from({ length: 5 * 4 }, (_, i) => i);
    const dict = new Map([
      ['blocks.0.mixer.x_proj.weight', { shape: [5, 4], data: xp }],
      ['head.weight', { shape: [2, 64], data: new Float32Array(128) }],
      ['head2.bias', { shape: [2], data: new Float32Array(2) }],
      ['pos_embed', { shape: [1], data: new Float32Array(1) }],
    ]);
    const m = mapOfficialCheckpoint(dict, cfg);
    expect(Array.from(m.tensors.get('blocks.0.mixer.x_proj_step.weight')!.data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(m.tensors.get('blocks.0.mixer.x_proj_B.weight')!.data)).toEqual([
      4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(m.tensors.get('blocks.0.mixer.x_proj_C.weight')!.shape).toEqual([2, 4]);
    expect(m.dropped).toEqual(['head.weight', 'head2.bias']);
    expect(m.unexpected).toEqual(['pos_embed']);
    expect(m.missing).toContain('blocks.0.mixer.A_log');
    expect(m.missing).not.toContain('blocks.0.mixer.x_proj_B.weight');
    expect(() =>
      mapOfficialCheckpoint(
        new Map([['blocks.0.mixer.x_proj.weight', { shape: [4, 4], data: new Float32Array(16) }]]),
        cfg,
      ),
    ).toThrow("'blocks.0.mixer.x_proj.weight' has shape [4,4], expected [5, 4] (dtRank 1 + 2·dState 2)");
  });
});
