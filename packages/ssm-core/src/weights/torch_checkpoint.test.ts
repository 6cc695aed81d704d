import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PickleSecurityError } from './pickle/pickle_errors.js';
import { readTorchCheckpoint } from './torch_checkpoint.js';
import { WeightsFormatError } from './weights_format_error.js';

const path = (name: string) => fileURLToPath(new URL(`../../fixtures/golden/${name}`, import.meta.url));
const golden = JSON.parse(readFileSync(path('golden.json'), 'utf8')) as {
  keys: string[];
  normWeightFp16: number[];
  outProj0Bf16: number[];
  xProj1: number[];
};

describe('readTorchCheckpoint', () => {
  it("reads ckpt['model'] of a torch.save zip: order, shapes, strided views and storage offsets", () => {
    const sd = readTorchCheckpoint(path('golden.pth'));
    expect([...sd.keys()]).toEqual([...golden.keys, 'head.weight', 'head.bias', 'head2.weight']);
    const xp = sd.get('blocks.1.mixer.x_proj.weight')!;
    expect(xp.shape).toEqual([3 + 8, 32]);
    expect(xp.dtype).toBe('float32');
    expect(Array.from(xp.data)).toEqual(golden.xProj1.map(Math.fround));
    expect(sd.get('cls_token')!.shape).toEqual([1, 1, 16]);
    // out_proj.weight was saved as a transposed (non-contiguous) view: compare with the bf16 copy
    const op = sd.get('blocks.0.mixer.out_proj.weight')!;
    expect(op.shape).toEqual([16, 32]);
    const bf = readTorchCheckpoint(path('golden_bf16.pth')).get('blocks.0.mixer.out_proj.weight')!;
    expect(bf.dtype).toBe('bfloat16');
    expect(Array.from(bf.data)).toEqual(golden.outProj0Bf16);
    op.data.forEach((v, i) => {
      expect(Math.abs(v - bf.data[i])).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8 + 1e-12);
    });
    // norm.weight / norm.bias share one storage at offsets 5 and 5+16
    const fp16 = readTorchCheckpoint(path('golden_fp16.pth'));
    expect(fp16.get('norm.weight')!.dtype).toBe('float16');
    expect(Array.from(fp16.get('norm.weight')!.data)).toEqual(golden.normWeightFp16);
    sd.get('norm.weight')!.data.forEach((v, i) => {
      expect(Math.abs(v - golden.normWeightFp16[i])).toBeLessThan(1e-3);
    });
    expect(sd.get('norm.bias')!.data[0]).not.toBe(sd.get('norm.weight')!.data[0]);
  });

  it('refuses a checkpoint that pickles anything outside the whitelist (never executes it)', () => {
    let err: unknown;
    try {
      readTorchCheckpoint(path('evil.pth'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PickleSecurityError);
    expect((err as Error).message).toMatch(
      /evil\.pth:evil\/data\.pkl: byte \d+: global 'posix\.system' is not allowed/,
    );
  });

  it('names the file and the problem for truncated archives, missing storages and compressed entries', () => {
    const bytes = new Uint8Array(readFileSync(path('golden.pth')));
    expect(() => readTorchCheckpoint(bytes.subarray(0, bytes.length - 30), { source: 'cut.pth' })).toThrow(
      WeightsFormatError,
    );
    expect(() => readTorchCheckpoint(bytes.subarray(0, 1000), { source: 'cut.pth' })).toThrow(
      /^cut\.pth: not a zip archive \(or truncated\)/,
    );
    expect(() => readTorchCheckpoint(path('deflated.zip'))).toThrow(
      /entry 'archive\/data\.pkl' uses compression method 8; only stored entries/,
    );
    // rename entry 'golden/data/7' (central directory and local header) → its storage is missing
    const broken = bytes.slice();
    const name = new TextEncoder().encode('golden/data/7');
    const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
    for (let i = 0; i + name.length < broken.length; i++) {
      if (name.every((c, j) => broken[i + j] === c) && !isDigit(broken[i + name.length])) {
        broken[i + name.length - 1] = 0x5a; // '7' → 'Z'
      }
    }
    expect(() => readTorchCheckpoint(broken, { source: 'b.pth' })).toThrow(
      /storage '7' \(golden\/data\/7\) is missing/,
    );
  });
});
