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
