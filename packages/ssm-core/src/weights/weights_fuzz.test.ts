import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyMutation, byteMutation } from '../testing_internal/mutate_bytes.js';
import { writeStoredZip } from '../testing_internal/stored_zip.js';
import { float32Bytes, writeTorchCheckpoint } from '../testing_internal/torch_checkpoint_writer.js';
import { BASIC_PICKLE_GLOBALS } from './pickle/basic_pickle_globals.js';
import { NUMPY_PICKLE_GLOBALS } from './pickle/numpy_pickle_globals.js';
import { PickleFormatError, PickleSecurityError } from './pickle/pickle_errors.js';
import { unpickle } from './pickle/unpickle.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { readTorchCheckpoint } from './torch_checkpoint.js';
import { WeightsFormatError } from './weights_format_error.js';
import { readZip } from './zip_reader.js';

// Mutation fuzzers (issue 14): every mutated file gives the right result or one of the project's
// named errors, never a RangeError / TypeError / SyntaxError, and never more float32 output than
// the documented bound. Fixed seeds: a failure prints the mutation, and reruns reproduce it.
// For a deeper local run: MAMBA_CL_FUZZ_SCALE=50 MAMBA_CL_FUZZ_SEED=7 pnpm vitest run <this file>.
const SCALE = Number(process.env.MAMBA_CL_FUZZ_SCALE ?? 1);
const SEED_SHIFT = Number(process.env.MAMBA_CL_FUZZ_SEED ?? 0);
const runs = (n: number, seed: number) => ({ seed: seed + SEED_SHIFT, numRuns: Math.round(n * SCALE) });

const fixture = (dir: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../fixtures/${dir}/${name}`, import.meta.url))));

const NAMED = [WeightsFormatError, PickleFormatError, PickleSecurityError];

/** How many cases of the current property loaded and how many were refused. */
const tally = { loaded: 0, refused: 0 };

/** Runs `f`; a named error is an accepted outcome, anything else fails the property. */
function named<T>(f: () => T): T | Error {
  try {
    const out = f();
    tally.loaded++;
    return out;
  } catch (e) {
    if (NAMED.some((C) => e instanceof C)) {
      tally.refused++;
      return e as Error;
    }
    throw e;
  }
}

beforeEach(() => {
  tally.loaded = 0;
  tally.refused = 0;
});

/** The mutations reached both outcomes (a fuzzer whose cases all fail early tests nothing). */
function expectBothOutcomes(): void {
  expect(tally.loaded).toBeGreaterThan(0);
  expect(tally.refused).toBeGreaterThan(0);
  tally.loaded = 0;
  tally.refused = 0;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Each tensor's data matches its shape; all of them stay within `maxBytes` of float32. */
function checkTensors(
  tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  maxBytes: number,
): void {
  let total = 0;
  for (const t of tensors.values()) {
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    total += t.data.byteLength;
  }
  expect(total).toBeLessThanOrEqual(maxBytes);
}

const plain = (m: ReadonlyMap<string, { shape: number[]; data: Float32Array }>) =>
  [...m].map(([k, t]) => [k, t.shape, Array.from(t.data)]);

describe('mutation fuzz: .pth (zip + pickle)', () => {
  const small = writeTorchCheckpoint(
    {
      'blocks.0.w': { storage: '0', size: [2, 3], stride: [3, 1] },
      'blocks.0.wT': { storage: '0', size: [3, 2], stride: [1, 3] },
      'norm.bias': { storage: '1', storageType: 'torch.HalfStorage', offset: 1, size: [2], stride: [1] },
      rep: { storage: '2', size: [3], stride: [0] },
    },
    {
      '0': float32Bytes([0, 1, 2, 3, 4, 5]),
      '1': new Uint8Array([0, 0x3c, 0, 0x40, 0, 0xc0]),
      '2': float32Bytes([9]),
    },
    { extra: [['epoch', 3]] },
  );
  const hotOf = (bytes: Uint8Array): Array<[number, number]> => {
    const pkl = [...readZip(bytes).values()].find((e) => e.name.endsWith('data.pkl'))!.data;
    const start = pkl.byteOffset - bytes.byteOffset;
    // the pickle, and the central directory + end record (the last 22 + 46·entries bytes or so)
    return [
      [start, start + pkl.length],
      [Math.max(0, bytes.length - 400), bytes.length],
    ];
  };
  const check = (base: Uint8Array, numRuns: number, seed: number) => {
    const expected = plain(readTorchCheckpoint(base));
    fc.assert(
      fc.property(byteMutation(base.length, hotOf(base)), (m) => {
        const bytes = applyMutation(base, m);
        const out = named(() => readTorchCheckpoint(bytes, { source: 'fuzz.pth' }));
        if (out instanceof Error) {
          expect(out.message).toMatch(/^fuzz\.pth/);
          return;
        }
        checkTensors(out, 8 * bytes.length + 2 ** 20);
        if (same(bytes, base)) expect(plain(out)).toEqual(expected);
      }),
      runs(numRuns, seed),
    );
    expectBothOutcomes();
  };

  it('a small generated checkpoint: 1000 mutations', () => {
    expect(plain(readTorchCheckpoint(small))).toEqual([
      ['blocks.0.w', [2, 3], [0, 1, 2, 3, 4, 5]],
      ['blocks.0.wT', [3, 2], [0, 3, 1, 4, 2, 5]],
      ['norm.bias', [2], [2, -2]],
      ['rep', [3], [9, 9, 9]],
    ]);
    check(small, 1000, 14);
  });

  it('the pickle of a valid archive (so every mutation reaches the tensor checks): 500 mutations', () => {
    const entries = [...readZip(small).values()].map((e) => [e.name, e.data.slice()] as const);
    const k = entries.findIndex(([name]) => name.endsWith('data.pkl'));
    const pkl = entries[k][1];
    fc.assert(
      fc.property(byteMutation(pkl.length), (m) => {
        const zip = writeStoredZip(entries.map((e, i) => (i === k ? [e[0], applyMutation(pkl, m)] : e)));
        const out = named(() => readTorchCheckpoint(zip, { source: 'fuzz.pth' }));
        if (out instanceof Error) expect(out.message).toMatch(/^fuzz\.pth/);
        else checkTensors(out, 8 * zip.length + 2 ** 20);
      }),
      runs(500, 141),
    );
    expectBothOutcomes();
  });

  it('the golden PyTorch checkpoint: 150 mutations', () => {
    check(fixture('golden', 'golden_fp16.pth'), 150, 1406);
  });
});

describe('property: hostile _rebuild_tensor_v2 arguments', () => {
  // sizes, strides, offsets and storage sizes drawn from valid and hostile values; a success must
  // equal a slow, obviously-correct gather from the storage
  const value = fc.oneof(
    fc.integer({ min: 0, max: 4 }),
    fc.constantFrom<number | string | null>(
      -1,
      -1900,
      1.5,
      Number.NaN,
      Infinity,
      2 ** 20,
      2 ** 30,
      2 ** 53,
      'x',
      null,
    ),
  );
  const storage = Float32Array.from({ length: 12 }, (_, i) => i + 0.5);
  const reference = (offset: number, size: number[], stride: number[]): number[] => {
    const count = size.reduce((a, b) => a * b, 1);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      let rest = i;
      let at = offset;
      for (let d = size.length - 1; d >= 0; d--) {
        at += (rest % size[d]) * stride[d];
        rest = Math.floor(rest / size[d]);
      }
      out.push(storage[at]);
    }
    return out;
  };
  it('300 random views: the right values or a WeightsFormatError naming the tensor', () => {
    const arb = fc.record({
      rank: fc.integer({ min: 0, max: 3 }),
      size: fc.array(value, { minLength: 3, maxLength: 3 }),
      stride: fc.array(value, { minLength: 3, maxLength: 3 }),
      offset: fc.oneof(fc.integer({ min: 0, max: 12 }), value),
      storageSize: fc.oneof(fc.constant(12), fc.integer({ min: 0, max: 13 }), value),
    });
    fc.assert(
      fc.property(arb, ({ rank, size, stride, offset, storageSize }) => {
        const t = {
          storage: '0',
          size: size.slice(0, rank),
          stride: stride.slice(0, rank),
          offset,
          storageSize,
        };
        const pth = writeTorchCheckpoint({ w: t }, { '0': new Uint8Array(storage.buffer) });
        const out = named(() => readTorchCheckpoint(pth, { source: 'v.pth' }));
        if (out instanceof Error) {
          expect(out).toBeInstanceOf(WeightsFormatError);
          expect(out.message).toMatch(/^v\.pth: tensor 'w'/);
          return;
        }
        const w = out.get('w')!;
        expect(w.shape).toEqual(t.size);
        expect(Array.from(w.data)).toEqual(
          reference(offset as number, t.size as number[], t.stride as number[]),
        );
      }),
      runs(300, 3),
    );
    expectBothOutcomes();
  });
});

describe('mutation fuzz: raw pickle', () => {
  const bases = [
    'basic_p2.pkl',
    'basic_p3.pkl',
    'basic_p4.pkl',
    'numpy_p2.pkl',
    'numpy_p4.pkl',
    'py2_cifar_like.pkl',
    'py3_resaved_cifar_p2.pkl',
  ].map((n) => fixture('pickle', n));
  const globals = { ...BASIC_PICKLE_GLOBALS, ...NUMPY_PICKLE_GLOBALS };

  it('python, numpy and CIFAR-like pickles: 600 mutations', () => {
    const arb = fc
      .integer({ min: 0, max: bases.length - 1 })
      .chain((i) => byteMutation(bases[i].length).map((m) => [i, m] as const));
    fc.assert(
      fc.property(arb, ([i, m]) => {
        const bytes = applyMutation(bases[i], m);
        const out = named(() => unpickle(bytes, { globals, source: 'fuzz.pkl' }));
        if (out instanceof Error) expect(out.message).toMatch(/^fuzz\.pkl: byte \d+: /);
      }),
      runs(600, 19),
    );
    expectBothOutcomes();
  });
});

/** The reference reader's rule, restated: sorted by offsets, the tensors tile the data area exactly. */
function tilesDataArea(bytes: Uint8Array): boolean {
  const hlen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen))) as Record<
    string,
    { data_offsets: [number, number] }
  >;
  const spans = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([, v]) => v.data_offsets)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [b, e] of spans) {
    if (b !== at) return false;
    at = e;
  }
  return at === bytes.length - 8 - hlen;
}

describe('mutation fuzz: safetensors', () => {
  const tensors = new Map([
    ['blocks.0.mixer.A_log', { shape: [2, 3], data: Float32Array.from([0, 1, -2, 3.5, 4, 5]) }],
    ['norm.weight', { shape: [4], data: Float32Array.from([1, 1, 1, 1]) }],
    ['empty', { shape: [0, 2], data: new Float32Array(0) }],
  ]);
  const bases = [
    writeSafetensors(tensors, { metadata: { format: 'pt' } }),
    writeSafetensors(tensors, { dtype: 'F16' }),
  ];

  it('F32 and F16 files: 500 mutations, half of them in the header', () => {
    const expected = bases.map((b) => plain(readSafetensors(b).tensors));
    const arb = fc.integer({ min: 0, max: bases.length - 1 }).chain((i) => {
      const hlen = Number(new DataView(bases[i].buffer).getBigUint64(0, true));
      return byteMutation(bases[i].length, [[0, 8 + hlen]]).map((m) => [i, m] as const);
    });
    fc.assert(
      fc.property(arb, ([i, m]) => {
        const bytes = applyMutation(bases[i], m);
        const out = named(() => readSafetensors(bytes, 'fuzz.st'));
        if (out instanceof Error) {
          expect(out.message).toMatch(/^fuzz\.st: /);
          return;
        }
        checkTensors(out.tensors, 2 * bytes.length);
        expect(tilesDataArea(bytes)).toBe(true);
        if (same(bytes, bases[i])) expect(plain(out.tensors)).toEqual(expected[i]);
      }),
      runs(500, 6),
    );
    expectBothOutcomes();
  });
});
