import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CheckpointContents,
  CheckpointError,
  parseCheckpoint,
  type StoredArray,
  writeCheckpointFile,
} from './checkpoint_file.js';
import { crc32 } from './crc32.js';

const dir = mkdtempSync(join(tmpdir(), 'ckpt-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkpointBytes(name: string, contents: CheckpointContents): Uint8Array {
  const path = join(dir, name);
  writeCheckpointFile(path, contents);
  return new Uint8Array(readFileSync(path));
}

const A = checkpointBytes('a.mclckpt', {
  meta: { fingerprint: { format: 1, strategy: 'mamba-cl' }, position: { task: 2, epoch: 1, batch: 0 } },
  arrays: new Map<string, StoredArray>([
    ['model.safetensors', new Uint8Array([1, 2, 3, 4, 5, 6, 7])],
    ['heads/0/weight', new Float32Array([0.5, -1, 2, 4])],
    ['strategy/cov', new Float64Array([1, 0, 0, 1])],
  ]),
});
const B = checkpointBytes('b.mclckpt', {
  meta: { other: [1, 2, 3] },
  arrays: new Map<string, StoredArray>([['x', new Int32Array([1, 2, 3, 4, 5])]]),
});

/** Re-seals a mutated file with a correct format-2 CRC: exercises the header checks behind the CRC. */
function reseal(b: Uint8Array): Uint8Array {
  if (b.length < 24) return b;
  const c = b.slice();
  new DataView(c.buffer).setUint32(20, crc32(c.subarray(24), crc32(c.subarray(0, 20))), true);
  return c;
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; flips: { at: number; mask: number }[] }
  | { kind: 'splice'; at: number; len: number; from: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'header-length'; value: number };

const position = fc.nat({ max: A.length - 1 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('flip' as const),
    flips: fc.array(fc.record({ at: position, mask: fc.integer({ min: 1, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  // a header splice: bytes of another checkpoint (its header, its data) pasted over this one
  fc.record({
    kind: fc.constant('splice' as const),
    at: position,
    len: fc.integer({ min: 1, max: 64 }),
    from: fc.nat({ max: B.length - 1 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position, len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('header-length' as const), value: fc.nat() }),
);

function mutate(src: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'truncate':
      return src.slice(0, m.at);
    case 'flip': {
      const b = src.slice();
      for (const f of m.flips) b[f.at] ^= f.mask;
      return b;
    }
    case 'splice': {
      const b = src.slice();
      const piece = B.subarray(m.from, m.from + m.len).subarray(0, Math.max(0, b.length - m.at));
      b.set(piece, m.at);
      return b;
    }
    case 'insert':
      return new Uint8Array([...src.subarray(0, m.at), ...m.bytes, ...src.subarray(m.at)]);
    case 'delete':
      return new Uint8Array([...src.subarray(0, m.at), ...src.subarray(m.at + m.len)]);
    case 'header-length': {
      const b = src.slice();
      new DataView(b.buffer).setUint32(16, m.value >>> 0, true);
      return b;
    }
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Either the file's exact contents (when the bytes are unchanged) or a CheckpointError. */
function loadsOrNamedError(bytes: Uint8Array, resealed: boolean): void {
  let got: CheckpointContents;
  try {
    got = parseCheckpoint(bytes, 'fuzz.mclckpt');
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    expect(err.message.startsWith('fuzz.mclckpt: ')).toBe(true);
    return;
  }
  if (sameBytes(bytes, A)) {
    const want = parseCheckpoint(A, 'a.mclckpt');
    expect(got.meta).toEqual(want.meta);
    expect(got.arrays).toEqual(want.arrays);
    return;
  }
  // Only a re-sealed file may load although changed (its CRC vouches for it): then it must still
  // be well formed — typed arrays that lie inside the file.
  expect(resealed).toBe(true);
  for (const a of got.arrays.values()) {
    expect(ArrayBuffer.isView(a)).toBe(true);
    expect(a.byteLength).toBeLessThanOrEqual(bytes.length);
  }
}

describe('checkpoint mutation fuzzer', () => {
  it('every truncation, flip, splice, insertion or deletion gives the right contents or a CheckpointError', () => {
    fc.assert(
      fc.property(mutation, (m) => loadsOrNamedError(mutate(A, m), false)),
      { seed: 2024, numRuns: 400 },
    );
  });

  it('so does every such mutation re-sealed with a valid CRC (the header checks behind the CRC)', () => {
    fc.assert(
      fc.property(mutation, (m) => loadsOrNamedError(reseal(mutate(A, m)), true)),
      { seed: 2025, numRuns: 400 },
    );
  });
});
