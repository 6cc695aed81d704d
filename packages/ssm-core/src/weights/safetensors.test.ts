import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { WeightsFormatError } from './weights_format_error.js';

const file = fileURLToPath(new URL('../../fixtures/golden/golden.safetensors', import.meta.url));

describe('safetensors', () => {
  it('reads a Python-written file and round-trips F32 exactly, F16/BF16 within their precision', () => {
    const { tensors, metadata } = readSafetensors(new Uint8Array(readFileSync(file)), 'golden.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('blocks.0.mixer.x_proj_step.weight')!.shape).toEqual([3, 32]);
    const again = readSafetensors(writeSafetensors(tensors, { metadata: { a: 'b' } })).tensors;
    for (const [k, t] of tensors) expect(again.get(k)!.data).toEqual(t.data);
    for (const [dtype, tol] of [
      ['F16', 2 ** -11],
      ['BF16', 2 ** -8],
    ] as const) {
      const low = readSafetensors(writeSafetensors(tensors, { dtype })).tensors;
      for (const [k, t] of tensors) {
        expect(low.get(k)!.dtype).toBe(dtype);
        t.data.forEach((v, i) => {
          expect(Math.abs(low.get(k)!.data[i] - v)).toBeLessThanOrEqual(Math.abs(v) * tol + 1e-7);
        });
      }
    }
  });

  it('names the key and the problem for malformed files', () => {
    const bytes = new Uint8Array(readFileSync(file));
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 4), 's.st')).toThrow(
      /^s\.st: tensor '[^']+': data_offsets \[\d+, \d+\] lie outside the data area/,
    );
    expect(() => readSafetensors(bytes.subarray(0, 20), 's.st')).toThrow(
      /header length \d+ exceeds the file \(20 bytes\): truncated/,
    );
    const bad = writeSafetensors(new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]));
    const text = new TextDecoder().decode(bad).replace('"shape":[2]', '"shape":[3]');
    expect(() => readSafetensors(new TextEncoder().encode(text), 'x.st')).toThrow(
      "x.st: tensor 'w': data_offsets [0, 8] hold 8 bytes, expected 12 (3 × F32)",
    );
    const i64 = new TextDecoder().decode(bad).replace('"F32"', '"I64"');
    expect(() => readSafetensors(new TextEncoder().encode(i64), 'y.st')).toThrow(WeightsFormatError);
  });
});

describe('readSafetensors validates like the reference reader (issue 14 row 6)', () => {
  /** A file from a header object (JSON-encoded as given) and a data area. */
  const file = (header: unknown, data: Uint8Array, raw?: Uint8Array): Uint8Array => {
    const h = raw ?? new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  };
  const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
  const t = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  });

  it('accepts tensors that tile the data area in any header order, and empty tensors', () => {
    const { tensors } = readSafetensors(
      file({ b: t(8, 12), a: t(0, 8), e: t(12, 12, [0, 3]) }, f32(1, 2, 3)),
    );
    expect([...tensors.keys()]).toEqual(['b', 'a', 'e']);
    expect(Array.from(tensors.get('a')!.data)).toEqual([1, 2]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([3]);
    expect(tensors.get('e')!.shape).toEqual([0, 3]);
    expect(readSafetensors(file({}, new Uint8Array(0))).tensors.size).toBe(0);
  });

  it('refuses overlapping offsets, gaps, trailing bytes and aliasing, naming the tensor', () => {
    expect(() => readSafetensors(file({ a: t(0, 8), b: t(4, 12, [2]) }, f32(1, 2, 3)), 'o.st')).toThrow(
      "o.st: tensor 'b': data_offsets [4, 12] overlap the previous tensor, expected to begin at 8 (tensors must tile the data area in order)",
    );
    expect(() => readSafetensors(file({ a: t(0, 4), b: t(0, 4) }, f32(1)), 'o.st')).toThrow(
      /overlap the previous tensor/,
    );
    expect(() => readSafetensors(file({ a: t(0, 4), b: t(8, 12) }, f32(1, 2, 3)), 'g.st')).toThrow(
      "g.st: tensor 'b': data_offsets [8, 12] leave a gap after the previous tensor, expected to begin at 4",
    );
    expect(() => readSafetensors(file({ a: t(4, 8) }, f32(1, 2)), 'g.st')).toThrow(
      /tensor 'a': .* leave a gap/,
    );
    expect(() => readSafetensors(file({ a: t(0, 4) }, f32(1, 2)), 'x.st')).toThrow(
      'x.st: the tensors cover 4 of the 8 data bytes, expected all of them (trailing bytes or a gap at the end)',
    );
  });

  it('refuses malformed headers with a WeightsFormatError, never a raw error', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [file(null, new Uint8Array(0), new Uint8Array([0xff, 0xfe])), /header is not valid UTF-8/],
      [file(null, new Uint8Array(0), new TextEncoder().encode('{"a":')), /header is not valid JSON/],
      [file([1, 2], new Uint8Array(0)), /header is not a JSON object/],
      [file({ a: [1] }, f32(1)), /tensor 'a': header entry is not an object/],
      [file({ a: { ...t(0, 4), dtype: 'Q9' } }, f32(1)), /tensor 'a': dtype "Q9" is not supported/],
      [file({ a: t(0, 4, [-1]) }, f32(1)), /shape \[-1\] is not a list of non-negative integers/],
      [file({ a: t(0, 4, [[[[1]]]] as never) }, f32(1)), /shape a list of 1 \(nested or long\)/],
      [
        file({ a: { ...t(0, 4), data_offsets: [0, 4.5] } }, f32(1)),
        /data_offsets \[0,4.5\] is not \[begin, end\]/,
      ],
      [file({ a: { ...t(0, 4), data_offsets: [0] } }, f32(1)), /data_offsets \[0\] is not \[begin, end\]/],
      [file({ a: t(0, 4, [2 ** 40, 2 ** 40]) }, f32(1)), /is too large \(overflow\)/],
      [file({ __metadata__: { a: 1 } }, new Uint8Array(0)), /__metadata__ is not an object of string values/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => readSafetensors(bytes, 'm.st')).toThrow(WeightsFormatError);
      expect(() => readSafetensors(bytes, 'm.st')).toThrow(message);
    }
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => readSafetensors(huge, 'h.st')).toThrow(
      'h.st: header length 9223372036854775808 exceeds the 100000000-byte bound (maxHeaderBytes): not a safetensors file?',
    );
    expect(() => readSafetensors(file({}, new Uint8Array(0)), { source: 'h.st', maxHeaderBytes: 1 })).toThrow(
      /header length 2 exceeds the 1-byte bound/,
    );
  });
});
