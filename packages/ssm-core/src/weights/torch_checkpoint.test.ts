import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type PickleValue, writePickle } from '../testing_internal/pickle_writer.js';
import { writeStoredZip } from '../testing_internal/stored_zip.js';
import {
  float32Bytes,
  type WrittenTensor,
  writeTorchCheckpoint,
} from '../testing_internal/torch_checkpoint_writer.js';
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

describe('readTorchCheckpoint on hostile views (issue 14 rows 1-3)', () => {
  const one = { '0': float32Bytes([7]) };
  const read = (t: WrittenTensor, storages: Record<string, Uint8Array> = one, opts = {}) =>
    readTorchCheckpoint(writeTorchCheckpoint({ 'blocks.0.w': t }, storages), { source: 'h.pth', ...opts });
  const refused = (t: WrittenTensor, message: RegExp, storages?: Record<string, Uint8Array>, opts = {}) => {
    let err: unknown;
    try {
      read(t, storages, opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeightsFormatError);
    expect((err as Error).message).toMatch(/^h\.pth: tensor 'blocks\.0\.w'/);
    expect((err as Error).message).toMatch(message);
  };

  it('reads the generated checkpoint itself: contiguous, transposed and stride-0 views', () => {
    const six = { '0': float32Bytes([0, 1, 2, 3, 4, 5]) };
    expect(
      Array.from(read({ storage: '0', size: [2, 3], stride: [3, 1] }, six).get('blocks.0.w')!.data),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    expect(
      Array.from(read({ storage: '0', size: [3, 2], stride: [1, 3] }, six).get('blocks.0.w')!.data),
    ).toEqual([0, 3, 1, 4, 2, 5]);
    const rep = read({ storage: '0', offset: 0, size: [4], stride: [0] }).get('blocks.0.w')!;
    expect(rep.shape).toEqual([4]);
    expect(Array.from(rep.data)).toEqual([7, 7, 7, 7]);
    expect(read({ storage: '0', size: [0, 5], stride: [5, 1] }).get('blocks.0.w')!.data.length).toBe(0);
  });

  it('row 1: negative sizes and strides on a 1-element storage never read past the storage', () => {
    refused(
      { storage: '0', size: [-1, -1900], stride: [-1900, 1] },
      /dimension 0 has size -1 and stride -1900, expected non-negative integers/,
    );
  });

  it('row 2: a stride-0 view claiming 2^30 elements of a 1-element storage is refused before allocating', () => {
    const pth = writeTorchCheckpoint({ 'blocks.0.w': { storage: '0', size: [2 ** 30], stride: [0] } }, one);
    expect(pth.length).toBeLessThan(1024);
    refused(
      { storage: '0', size: [2 ** 30], stride: [0] },
      /would take 4294967296 bytes as float32, above maxTensorBytes \(2147483648\)/,
    );
    refused({ storage: '0', size: [2 ** 30], stride: [0] }, /above maxTensorBytes \(1024\)/, one, {
      maxTensorBytes: 1024,
      maxTotalBytes: Infinity,
    });
    // an explicit, larger limit lets a trusted file through
    expect(
      read({ storage: '0', size: [1000], stride: [0] }, one, { maxTotalBytes: 4000 }).get('blocks.0.w')!.data
        .length,
    ).toBe(1000);
    refused({ storage: '0', size: [1001], stride: [0] }, /above maxTotalBytes \(4000;/, one, {
      maxTotalBytes: 4000,
    });
  });

  it('row 3: huge shapes, negative strides, NaN or string sizes and offsets, fractional shapes', () => {
    refused(
      { storage: '0', size: [2 ** 20, 2 ** 20], stride: [2 ** 20, 1] },
      /reaches element 1099511627775 of storage '0', which has 1 elements/,
    );
    refused({ storage: '0', size: [2 ** 20, 2 ** 20], stride: [0, 0] }, /above maxTensorBytes/);
    refused(
      { storage: '0', size: [2], stride: [-1] },
      /dimension 0 has size 2 and stride -1, expected non-negative integers/,
    );
    refused(
      { storage: '0', storageSize: Number.NaN, size: [1], stride: [1] },
      /storage '0' declares size NaN, expected a non-negative integer element count/,
    );
    refused(
      { storage: '0', storageSize: 'many', size: [1], stride: [1] },
      /storage '0' declares size 'many'/,
    );
    refused(
      { storage: '0', storageSize: 1000, size: [1], stride: [1] },
      /storage '0' has 4 bytes, expected 4000 \(1000 × float32\): truncated/,
    );
    refused(
      { storage: '0', offset: Number.NaN, size: [64], stride: [0] },
      /storage offset NaN, expected a non-negative integer/,
    );
    refused({ storage: '0', size: [1.5], stride: [1] }, /dimension 0 has size 1.5/);
    refused({ storage: '0', size: [1, 1], stride: [1] }, /expected two tuples of the same length/);
    refused({ storage: '0', size: 'x', stride: [1] }, /size 'x' and stride a tuple of 1/);
    refused(
      { storage: '0', size: [2 ** 30, 2 ** 30, 2 ** 30], stride: [0, 0, 0] },
      /more than 2\^53 elements/,
    );
    refused(
      { storage: '0', offset: 1, size: [1], stride: [1] },
      /reaches element 1 of storage '0', which has 1 elements/,
    );
  });

  it('names a tensor stored under a non-string key and an unexpected persistent id', () => {
    const bytes = writeStoredZip([
      ['a/data.pkl', writePickle(new Map<PickleValue, PickleValue>([[{ $persid: [1, 2] }, 1]]))],
    ]);
    expect(() => readTorchCheckpoint(bytes, { source: 'p.pth' })).toThrow(
      /^p\.pth: unexpected persistent id a tuple of 2, expected \('storage', type, key, location, size\)/,
    );
  });
});

describe('readTorchCheckpoint on a pickled rank of 5·10^4', () => {
  it('reads a [2, 1 × 50000, 3] view (size-1 dimensions are dropped before the gather)', () => {
    const ones = Array(50_000).fill(1);
    const sd = readTorchCheckpoint(
      writeTorchCheckpoint(
        { t: { storage: '0', size: [2, ...ones, 3], stride: [1, ...ones, 2] } },
        { '0': float32Bytes([0, 1, 2, 3, 4, 5]) },
      ),
    );
    expect(sd.get('t')!.shape.length).toBe(50_002);
    expect(Array.from(sd.get('t')!.data)).toEqual([0, 2, 4, 1, 3, 5]);
  });
});
