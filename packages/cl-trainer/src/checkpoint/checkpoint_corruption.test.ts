import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  parseCheckpoint,
  readCheckpointFile,
  writeCheckpointFile,
} from './checkpoint_file.js';
import { crc32 } from './crc32.js';

const dir = mkdtempSync(join(tmpdir(), 'ckpt-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small checkpoint (≈ 200 bytes): JSON meta plus one array of each dtype. */
function smallCheckpoint(): { path: string; bytes: Uint8Array } {
  const path = join(dir, 'small.mclckpt');
  writeCheckpointFile(path, {
    meta: { position: { task: 1, epoch: 0, batch: 2 }, name: 'x' },
    arrays: new Map<string, Float32Array | Float64Array | Int32Array | Uint8Array>([
      ['w', new Float32Array([1, -2, 3.5])],
      ['d', new Float64Array([Math.E])],
      ['i', new Int32Array([7])],
      ['u', new Uint8Array([9, 8, 7])],
    ]),
  });
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}

/** The same file in format 1: magic v1, CRC of bytes 24.. only (what earlier versions wrote). */
function asFormat1(v2: Uint8Array): Uint8Array {
  const b = v2.slice();
  b.set(new TextEncoder().encode('MAMBACL-CKPT-v1\n'), 0);
  new DataView(b.buffer).setUint32(20, crc32(b.subarray(24)), true);
  return b;
}

function expectCheckpointError(bytes: Uint8Array, name: string): CheckpointError {
  try {
    parseCheckpoint(bytes, name);
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(CheckpointError);
    return err as CheckpointError;
  }
  throw new Error(`${name}: loaded although damaged`);
}

describe('checkpoint corruption', () => {
  const { path, bytes } = smallCheckpoint();

  it('gives a CheckpointError naming the file and what to do for every single-byte flip', () => {
    expect(bytes.length).toBeLessThan(400);
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const b = bytes.slice();
        b[i] ^= mask;
        const err = expectCheckpointError(b, `flip-${i}.mclckpt`);
        expect(err.message).toContain(`flip-${i}.mclckpt: `);
        if (i >= 16) expect(err.message).toMatch(/restore it from a copy, or delete it/);
      }
    }
  });

  it('covers the header length (bytes 16–19) by the CRC', () => {
    for (let i = 16; i < 20; i++) {
      for (let mask = 1; mask < 256; mask <<= 1) {
        const b = bytes.slice();
        b[i] ^= mask;
        expect(expectCheckpointError(b, 'h.mclckpt').message).toMatch(/corrupt: CRC-32/);
      }
    }
  });

  it('gives a CheckpointError for every truncation', () => {
    for (let n = 0; n < bytes.length; n++) {
      const err = expectCheckpointError(bytes.subarray(0, n), 't.mclckpt');
      expect(err.message).toMatch(/^t\.mclckpt: (not a mamba-cl checkpoint|corrupt|truncated)/);
    }
  });

  it('still reads format 1 files, and names a damaged format-1 header length instead of a SyntaxError', () => {
    const v1 = asFormat1(bytes);
    const a = parseCheckpoint(v1, 'v1.mclckpt');
    const b = parseCheckpoint(bytes, 'v2.mclckpt');
    expect(a.meta).toEqual(b.meta);
    expect([...a.arrays.keys()]).toEqual([...b.arrays.keys()]);
    for (let i = 0; i < v1.length; i++) {
      const c = v1.slice();
      c[i] ^= 0xff;
      expectCheckpointError(c, 'v1.mclckpt');
    }
    const c = v1.slice();
    c[16] ^= 0x08; // the header length, not covered by a format-1 CRC
    expect(expectCheckpointError(c, 'v1.mclckpt').message).toMatch(
      /header .*(not valid JSON|malformed).*format 1 does not protect the header length|truncated/,
    );
  });

  it('names a newer format, a missing file and a folder', () => {
    const future = bytes.slice();
    future.set(new TextEncoder().encode('MAMBACL-CKPT-v9\n'), 0);
    expect(expectCheckpointError(future, 'f.mclckpt').message).toMatch(
      /checkpoint format 9 is newer than this version reads/,
    );
    expect(() => readCheckpointFile(join(dir, 'nope.mclckpt'))).toThrow(
      /nope\.mclckpt: no such checkpoint file/,
    );
    expect(() => readCheckpointFile(dir)).toThrow(CheckpointError);
    writeFileSync(join(dir, 'ok.mclckpt'), bytes);
    expect(readCheckpointFile(join(dir, 'ok.mclckpt')).meta).toEqual(readCheckpointFile(path).meta);
  });

  it('refuses a header that has a valid CRC but is not the index this writer makes', () => {
    const make = (header: string): Uint8Array => {
      const h = new TextEncoder().encode(header);
      const b = new Uint8Array(24 + h.length + 16);
      b.set(new TextEncoder().encode('MAMBACL-CKPT-v2\n'), 0);
      const v = new DataView(b.buffer);
      v.setUint32(16, h.length, true);
      b.set(h, 24);
      v.setUint32(20, crc32(b.subarray(24), crc32(b.subarray(0, 20))), true);
      return b;
    };
    const cases: [string, RegExp][] = [
      ['[1]', /expected a JSON object/],
      ['{"meta":1}', /"arrays" is not a list/],
      ['{"meta":1,"arrays":[{"key":"a","dtype":"f16","offset":0,"bytes":4}]}', /unknown dtype "f16"/],
      [
        '{"meta":1,"arrays":[{"key":"a","dtype":"f32","offset":0,"bytes":6}]}',
        /6 bytes, expected a multiple of 4/,
      ],
      ['{"meta":1,"arrays":[{"key":"a","dtype":"f32","offset":-8,"bytes":4}]}', /offset -8/],
      ['{"meta":1,"arrays":[{"key":"a","dtype":"u8","offset":0,"bytes":1e9}]}', /runs past the end/],
      [
        '{"meta":1,"arrays":[{"key":"a","dtype":"u8","offset":0,"bytes":1},{"key":"a","dtype":"u8","offset":8,"bytes":1}]}',
        /listed twice/,
      ],
      ['{"meta":1,', /not valid JSON/],
    ];
    for (const [header, message] of cases) {
      expect(expectCheckpointError(make(header), 'x.mclckpt').message, header).toMatch(message);
    }
  });
});
