/**
 * Mutation fuzzing of every format the datasets package reads (issue 14): CIFAR-100 binary and pickle,
 * IDX (raw and gzipped), BMP, tar / tar.gz and list files. Each property starts from a small valid
 * input built here (or the few-KB CIFAR pickle fixture), applies truncations, byte flips, header
 * splices and oversized 32-bit lengths, and requires either the correct result or one of the
 * project's named errors — never a RangeError, TypeError or SyntaxError, nor a named error wrapping
 * one. Declared sizes are checked against the bytes present before allocating, so every case stays
 * small: the growth of ArrayBuffer memory over each run is asserted to stay under 256 MiB.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PickleSecurityError } from '@mamba-cl/ssm-core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTar, extractTar } from '../download/tar.js';
import { decodeBmp } from '../image/decode_bmp.js';
import { ImageDecodeError } from '../image/image_record.js';
import { parseCifar100Binary, parseCifar100Pickle } from '../sources/cifar100.js';
import { type FolderDataset, parseListText } from '../sources/folder_source.js';
import { DatasetFormatError } from './dataset_format_error.js';
import { readIdx, writeIdx } from './idx.js';

const SEED = 2024;
const RUNS = 300;
const MEMORY_BOUND = 256 * 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'loaders-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'splice'; from: number; to: number; len: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'u32'; at: number; value: number; little: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    from: fc.nat(),
    to: fc.nat(),
    len: fc.integer({ min: 1, max: 600 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  // oversized (or zero, or sign-bit) declared lengths written over a header field
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 255, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 2 ** 30, 12_000),
    little: fc.boolean(),
  }),
);
/** Mostly-header mutations: positions in the first 64 bytes half of the time. */
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

function mutate(input: Uint8Array, ms: readonly Mutation[], headerBias: boolean): Uint8Array {
  let b = Buffer.from(input);
  for (const m of ms) {
    if (b.length === 0) break;
    const pos = (p: number) => (headerBias && p % 2 === 0 ? (p >> 1) % Math.min(64, b.length) : p % b.length);
    switch (m.kind) {
      case 'truncate':
        b = b.subarray(0, pos(m.at));
        break;
      case 'set':
        b[pos(m.at)] = m.value;
        break;
      case 'flip':
        b[pos(m.at)] ^= 1 << m.bit;
        break;
      case 'splice': {
        const from = m.from % b.length;
        const block = Buffer.from(b.subarray(from, from + m.len));
        block.copy(b, pos(m.to));
        break;
      }
      case 'insert': {
        const at = pos(m.at);
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      }
      case 'u32': {
        const at = pos(m.at);
        if (at + 4 <= b.length) {
          if (m.little) b.writeUInt32LE(m.value, at);
          else b.writeUInt32BE(m.value, at);
        }
        break;
      }
    }
  }
  return b;
}

const RAW_ERRORS =
  /Maximum call stack|Invalid array length|Invalid typed array length|Array buffer allocation failed|Cannot create a (Buffer|string) larger/;

/** How many cases so far ended in a (named) error. */
let rejected = 0;

/** A named project error, not one wrapping a raw engine error. */
function expectNamed(e: unknown, ...classes: (new (...a: never[]) => Error)[]): void {
  rejected++;
  const ok = classes.some((C) => e instanceof C);
  if (!ok)
    throw new Error(`expected a named error (${classes.map((c) => c.name).join(', ')}), got ${String(e)}`);
  expect((e as Error).message).not.toMatch(RAW_ERRORS);
}

/** Runs `check` on every mutated input; records how far ArrayBuffer memory grows. */
function fuzzSync(
  valid: Uint8Array,
  check: (bytes: Uint8Array) => void,
  headerBias = true,
  runs = RUNS,
): void {
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let cases = 0;
  const before = rejected;
  fc.assert(
    fc.property(mutations, (ms) => {
      cases++;
      check(mutate(valid, ms, headerBias));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }),
    { seed: SEED, numRuns: runs },
  );
  expect(peak).toBeLessThan(MEMORY_BOUND);
  // the mutations reach both outcomes: some inputs still load, others are refused
  expect(rejected - before).toBeGreaterThan(0);
  expect(cases - (rejected - before)).toBeGreaterThan(0);
}

describe('mutation fuzzing of the dataset loaders', () => {
  it('CIFAR-100 binary: correct records or DatasetFormatError', () => {
    const rec = (coarse: number, fine: number) => {
      const r = new Uint8Array(3074);
      r[0] = coarse;
      r[1] = fine;
      for (let k = 2; k < 3074; k++) r[k] = (k * 7 + fine) & 255;
      return r;
    };
    const valid = Buffer.concat([rec(3, 42), rec(19, 99), rec(0, 0)]);
    fuzzSync(valid, (bytes) => {
      let out: ReturnType<typeof parseCifar100Binary>;
      try {
        out = parseCifar100Binary(bytes, 'train.bin');
      } catch (e) {
        expectNamed(e, DatasetFormatError);
        return;
      }
      // accepted: whole records with labels in range, returned exactly
      expect(bytes.length % 3074).toBe(0);
      const n = bytes.length / 3074;
      expect(out.labels.length).toBe(n);
      for (let i = 0; i < n; i++) {
        expect(out.labels[i]).toBe(bytes[i * 3074 + 1]);
        expect(out.coarse[i]).toBeLessThan(20);
      }
      expect(Buffer.from(out.pixels.subarray(0, 3072)).equals(Buffer.from(bytes.subarray(2, 3074)))).toBe(
        true,
      );
    });
  });

  it('CIFAR-100 pickle: correct batch or DatasetFormatError / PickleSecurityError', () => {
    const valid = readFileSync(new URL('../../fixtures/cifar-100-python/test', import.meta.url));
    const reference = parseCifar100Pickle(valid, 'test');
    fuzzSync(
      valid,
      (bytes) => {
        let out: ReturnType<typeof parseCifar100Pickle>;
        try {
          out = parseCifar100Pickle(bytes, 'test');
        } catch (e) {
          expectNamed(e, DatasetFormatError, PickleSecurityError);
          return;
        }
        // accepted: consistent sizes and labels in range (a flipped pixel byte is still a valid batch)
        expect(out.pixels.length).toBe(out.labels.length * 3072);
        for (const l of Array.from(out.labels)) expect(l >= 0 && l < 100).toBe(true);
        if (out.labels.length === reference.labels.length) expect(out.file).toBe('test');
      },
      false,
    );
  });

  it('IDX raw and gzipped: exact payload or DatasetFormatError', () => {
    const valid = writeIdx(
      [3, 4, 5],
      Uint8Array.from({ length: 60 }, (_, i) => i),
    );
    const checkRaw = (bytes: Uint8Array) => {
      let out: ReturnType<typeof readIdx>;
      try {
        out = readIdx(bytes, 'x-idx3-ubyte');
      } catch (e) {
        expectNamed(e, DatasetFormatError);
        return;
      }
      const headerLen = 4 + 4 * out.dims.length;
      expect(out.dims.reduce((a, b) => a * b, 1)).toBe(out.data.length);
      if (bytes[0] !== 0x1f)
        expect(Buffer.from(out.data).equals(Buffer.from(bytes.subarray(headerLen)))).toBe(true);
    };
    fuzzSync(valid, checkRaw);
    // mutated, then gzipped: the header is read from the inflated prefix
    fuzzSync(valid, (bytes) => {
      let out: ReturnType<typeof readIdx>;
      try {
        out = readIdx(gzipSync(bytes), 'x-idx3-ubyte.gz');
      } catch (e) {
        expectNamed(e, DatasetFormatError);
        return;
      }
      expect(Buffer.from(out.data).equals(Buffer.from(bytes.subarray(4 + 4 * out.dims.length)))).toBe(true);
    });
    // the gzip bytes themselves mutated
    const gz = gzipSync(valid);
    fuzzSync(gz, (bytes) => {
      try {
        const out = readIdx(bytes, 'x-idx3-ubyte.gz');
        expect(out.dims.reduce((a, b) => a * b, 1)).toBe(out.data.length);
      } catch (e) {
        expectNamed(e, DatasetFormatError);
      }
    });
  });

  it('BMP: a consistent image or ImageDecodeError', () => {
    const bmp = (w: number, h: number, bpp: number, palette: number) => {
      const row = Math.floor((bpp * w + 31) / 32) * 4;
      const off = 54 + palette * 4;
      const b = Buffer.alloc(off + row * h);
      b.write('BM', 0);
      b.writeUInt32LE(b.length, 2);
      b.writeUInt32LE(off, 10);
      b.writeUInt32LE(40, 14);
      b.writeInt32LE(w, 18);
      b.writeInt32LE(h, 22);
      b.writeUInt16LE(1, 26);
      b.writeUInt16LE(bpp, 28);
      b.writeUInt32LE(palette, 46);
      for (let i = 54; i < b.length; i++) b[i] = (i * 13) & 255;
      return b;
    };
    for (const valid of [bmp(5, 3, 24, 0), bmp(7, 2, 8, 16), bmp(4, 4, 32, 0), bmp(9, 2, 1, 2)]) {
      fuzzSync(
        valid,
        (bytes) => {
          try {
            const img = decodeBmp(bytes, 'x.bmp', true);
            expect(img.pixels.length).toBe(img.width * img.height * img.channels);
            expect(img.width * img.height).toBeLessThanOrEqual(bytes.length * 8);
          } catch (e) {
            expectNamed(e, ImageDecodeError);
          }
        },
        true,
        RUNS / 2,
      );
    }
  });

  it('tar and tar.gz: files inside the target, or DatasetFormatError', async () => {
    const long = `${'d'.repeat(120)}/x.txt`;
    const tar = createTar([
      ['top/a.txt', Buffer.from('hello')],
      ['top/sub/b.bin', new Uint8Array(700).fill(7)],
      [long, Buffer.from('deep')],
    ]);
    let n = 0;
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const gzipped = gzipSync(tar);
    /** 'tar': mutated tar; 'gz': mutated tar, gzipped; 'gz-bytes': the gzip bytes mutated. */
    const run = async (ms: Mutation[], form: 'tar' | 'gz' | 'gz-bytes') => {
      const id = n++;
      const archive = join(dir, `a${id}.tar${form === 'tar' ? '' : '.gz'}`);
      const dest = join(dir, `x${id}`);
      const bytes =
        form === 'tar'
          ? mutate(tar, ms, false)
          : form === 'gz'
            ? gzipSync(mutate(tar, ms, false))
            : mutate(gzipped, ms, true);
      writeFileSync(archive, bytes);
      try {
        const written = await extractTar(archive, dest, { maxBytes: 2 ** 20 });
        for (const p of written) expect(resolve(p).startsWith(resolve(dest) + sep)).toBe(true);
      } catch (e) {
        expectNamed(e, DatasetFormatError);
        expect((e as Error).message.startsWith(archive)).toBe(true);
      } finally {
        rmSync(archive, { force: true });
        rmSync(dest, { recursive: true, force: true });
      }
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    };
    const before = rejected;
    await fc.assert(
      fc.asyncProperty(mutations, fc.constantFrom('tar' as const, 'gz' as const, 'gz-bytes' as const), run),
      { seed: SEED, numRuns: RUNS },
    );
    expect(peak).toBeLessThan(MEMORY_BOUND);
    expect(rejected - before).toBeGreaterThan(0);
    expect(n - (rejected - before)).toBeGreaterThan(0);
  });

  it('list files: entries inside the root with labels in range, or DatasetFormatError', () => {
    const root = '/data/root';
    const texts: [FolderDataset, string][] = [
      ['domainnet', 'real/cat/1.jpg 0\nsketch/dog/2.jpg 199\nclipart/cat/3.jpg 0\n'],
      ['imagenet-r', 'n01443537/art_0.jpg\nn01484850/cartoon_1.jpg\n'],
      ['cifar100', '07/12.bmp\n99/5.bmp\n'],
    ];
    for (const [dataset, text] of texts) {
      fuzzSync(
        Buffer.from(text),
        (bytes) => {
          let out: ReturnType<typeof parseListText>;
          try {
            out = parseListText(Buffer.from(bytes).toString('utf8'), 'list.txt', dataset, root, 200);
          } catch (e) {
            expectNamed(e, DatasetFormatError);
            return;
          }
          for (const e of out) {
            expect(resolve(root, e.rel).startsWith(root + sep)).toBe(true);
            if (e.label !== undefined)
              expect(Number.isInteger(e.label) && e.label >= 0 && e.label < 200).toBe(true);
          }
        },
        false,
        RUNS / 2,
      );
    }
  });
});
