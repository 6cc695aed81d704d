import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint_file.js';
import { crc32 } from './crc32.js';

describe('checkpoint file', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips metadata and arrays of every dtype, leaving no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-file-'));
    const path = join(dir, 'x.mclckpt');
    const arrays = new Map<string, Float32Array | Float64Array | Int32Array | Uint8Array>([
      ['a', new Float32Array([1.5, -2, Number.NaN])],
      ['b', new Float64Array([Math.PI])],
      ['c', new Int32Array([-7, 8])],
      ['d', new Uint8Array([1, 2, 3, 4, 5])],
    ]);
    writeCheckpointFile(path, { meta: { hello: 'world', n: [1, 2] }, arrays });
    const back = readCheckpointFile(path);
    expect(back.meta).toEqual({ hello: 'world', n: [1, 2] });
    for (const [k, v] of arrays) {
      const got = back.arrays.get(k);
      expect(got?.constructor).toBe(v.constructor);
      expect(Array.from(got as ArrayLike<number>)).toEqual(Array.from(v));
    }
    expect(readdirSync(dir)).toEqual(['x.mclckpt']);
    rmSync(dir, { recursive: true, force: true });
  });
});
