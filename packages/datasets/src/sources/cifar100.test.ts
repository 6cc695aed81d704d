import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PickleSecurityError } from '@mamba-cl/ssm-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../io/dataset_format_error.js';
import { loadCifar100, parseCifar100Binary, parseCifar100Pickle, readCifar100Pickle } from './cifar100.js';

const FIXTURES = new URL('../../fixtures/cifar-100-python/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cifar-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** pixel k (CHW) of image i in the python fixture (scripts/make_cifar_fixtures.py) */
const px = (i: number, k: number) => (i * 37 + k * 11) % 256;

function binRecord(coarse: number, fine: number, seed: number): Uint8Array {
  const r = new Uint8Array(3074);
  r[0] = coarse;
  r[1] = fine;
  for (let k = 0; k < 3072; k++) r[2 + k] = px(seed, k);
  return r;
}

function writeBinary(root: string, train: Uint8Array[], test: Uint8Array[]) {
  const d = join(root, 'cifar-100-binary');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'train.bin'), Buffer.concat(train));
  writeFileSync(join(d, 'test.bin'), Buffer.concat(test));
  writeFileSync(
    join(d, 'fine_label_names.txt'),
    Array.from({ length: 100 }, (_, i) => `name${i}`).join('\n') + '\n',
  );
  writeFileSync(join(d, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `c${i}`).join('\n'));
}

describe('loadCifar100 (binary)', () => {
  it('reads records, fine labels and CHW→HWC pixels', async () => {
    const root = join(dir, 'bin');
    writeBinary(root, [binRecord(3, 42, 0), binRecord(19, 99, 1), binRecord(0, 0, 2)], [binRecord(1, 7, 3)]);
    const src = loadCifar100(root);
    expect(src.classNames[42]).toBe('name42');
    expect(src.train.map((it) => it.label)).toEqual([42, 99, 0]);
    expect(src.val[0].label).toBe(7);
    expect(src.train[1].key).toBe('train.bin#1');
    const img = await src.train[1].load();
    expect(img).toMatchObject({ width: 32, height: 32, channels: 3 });
    // HWC pixel (y=2, x=5): R = CHW[0*1024 + 2*32+5], G = CHW[1024 + …], B = CHW[2048 + …]
    const p = 2 * 32 + 5;
    expect(Array.from(img.pixels.subarray(p * 3, p * 3 + 3))).toEqual([
      px(1, p),
      px(1, 1024 + p),
      px(1, 2048 + p),
    ]);
    // also accepts the cifar-100-binary directory itself
    expect(loadCifar100(join(root, 'cifar-100-binary')).train.length).toBe(3);
  });

  it('names file and record on a short record or a bad label', () => {
    const root = join(dir, 'short');
    writeBinary(root, [binRecord(3, 42, 0), binRecord(3, 42, 0).subarray(0, 3000)], [binRecord(1, 7, 3)]);
    expect(() => loadCifar100(root)).toThrow(
      'train.bin: record 1 is 3000 bytes, expected 3074 (coarse label + fine label + 3072 pixels)',
    );
    const bad = join(dir, 'badlabel');
    writeBinary(bad, [binRecord(3, 42, 0)], [binRecord(1, 7, 3), binRecord(1, 100, 3)]);
    expect(() => loadCifar100(bad)).toThrow('test.bin: record 1 has fine label 100, expected 0..99');
    expect(() => loadCifar100(join(dir, 'none'))).toThrow(
      /no cifar-100-binary\/ or cifar-100-python\/ directory/,
    );
  });
});

describe('loadCifar100 (python pickles)', () => {
  it('reads python-2 style pickles (numpy.core) through the safe unpickler', async () => {
    const src = loadCifar100(FIXTURES, { format: 'python' });
    expect(src.classNames.length).toBe(100);
    expect(src.classNames[3]).toBe('fine_3');
    expect(src.train.map((it) => it.label)).toEqual([0, 7, 14, 21, 28, 35]);
    expect(src.val.map((it) => it.label)).toEqual([42, 49, 56, 63]);
    const img = await src.val[2].load(); // original index 8
    const p = 31 * 32 + 31;
    expect(Array.from(img.pixels.subarray(p * 3, p * 3 + 3))).toEqual([
      px(8, p),
      px(8, 1024 + p),
      px(8, 2048 + p),
    ]);
    // auto format finds the python version under a parent directory
    const root = join(dir, 'py');
    cpSync(FIXTURES, join(root, 'cifar-100-python'), { recursive: true });
    expect(loadCifar100(root).train.length).toBe(6);
  });

  it('reads numpy-2 protocol-4 pickles (numpy._core) identically', () => {
    const a = readCifar100Pickle(join(FIXTURES, 'train'));
    const b = readCifar100Pickle(join(FIXTURES, 'train_py3'));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Buffer.from(b.pixels).equals(Buffer.from(a.pixels))).toBe(true);
  });

  it('refuses pickles that reference other globals', () => {
    expect(() => readCifar100Pickle(join(FIXTURES, 'evil'))).toThrow(PickleSecurityError);
    expect(() => readCifar100Pickle(join(FIXTURES, 'evil'))).toThrow(/os.system/);
  });

  it('reports a missing key with the keys present', () => {
    expect(() => readCifar100Pickle(join(FIXTURES, 'meta'))).toThrow(
      /meta: key 'data' missing \(keys: .*fine_label_names/,
    );
  });
});

describe('CIFAR-100 hostile and re-saved files', () => {
  it('loads a batch re-saved by Python 3 at protocol 2 (bytes via _codecs.encode latin-1)', () => {
    // fixture made by scripts/make_cifar_proto2_fixture.py: images 0 and 1 of the train rule
    const a = readCifar100Pickle(join(FIXTURES, 'train_py3_proto2'));
    const b = readCifar100Pickle(join(FIXTURES, 'train'));
    expect(Array.from(a.labels)).toEqual([0, 7]);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels.subarray(0, 2 * 3072)))).toBe(true);
  });

  it('checks record sizes, label ranges and counts', () => {
    expect(() => parseCifar100Binary(new Uint8Array(0), 'e.bin')).toThrow(
      'e.bin: file is empty, expected records of 3074 bytes',
    );
    const two = Buffer.concat([binRecord(1, 2, 0), binRecord(1, 2, 1)]);
    expect(() => parseCifar100Binary(two.subarray(0, 3074 + 1), 'cut.bin')).toThrow(
      'cut.bin: record 1 is 1 bytes, expected 3074 (coarse label + fine label + 3072 pixels)',
    );
    expect(() => parseCifar100Binary(binRecord(20, 2, 0), 'c.bin')).toThrow(
      'c.bin: record 0 has coarse label 20, expected 0..19',
    );
    expect(parseCifar100Binary(two, 'ok.bin').labels).toEqual(Int32Array.of(2, 2));
  });

  it('names the path of a missing file', () => {
    const root = join(dir, 'missing');
    mkdirSync(join(root, 'cifar-100-binary'), { recursive: true });
    expect(() => loadCifar100(root)).toThrow(
      new RegExp(`^${join(root, 'cifar-100-binary', 'train.bin')}: cannot read CIFAR-100 file \\(ENOENT`),
    );
    expect(() => readCifar100Pickle(join(dir, 'nope'))).toThrow(DatasetFormatError);
  });
});

/** A minimal protocol-2 pickle writer for CIFAR-style batches (numpy 1.x globals, as in the originals). */
function cifarPickle(batch: { n: number; dataBytes: number; fine: number[]; coarse?: number[] }): Uint8Array {
  const out: number[] = [0x80, 0x02];
  const op = (...b: number[]) => out.push(...b);
  const u32 = (v: number) => op(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    op(0x58); // BINUNICODE
    u32(b.length);
    for (const x of b) op(x);
  };
  const global = (mod: string, name: string) => {
    op(0x63); // GLOBAL
    for (const x of Buffer.from(`${mod}\n${name}\n`)) op(x);
  };
  const int = (v: number) => {
    op(0x4a); // BININT
    u32(v);
  };
  const list = (xs: number[]) => {
    op(0x5d, 0x28); // EMPTY_LIST MARK
    for (const x of xs) int(x);
    op(0x65); // APPENDS
  };
  op(0x7d, 0x28); // EMPTY_DICT MARK
  str('data');
  global('numpy.core.multiarray', '_reconstruct');
  global('numpy', 'ndarray');
  op(0x28);
  int(0);
  op(0x74, 0x43, 1, 0x62, 0x87, 0x52); // TUPLE, SHORT_BINBYTES 'b', TUPLE3, REDUCE
  op(0x28);
  int(1);
  op(0x28);
  int(batch.n);
  int(3072);
  op(0x74); // shape tuple
  global('numpy', 'dtype');
  op(0x28);
  str('u1');
  int(0);
  int(1);
  op(0x74, 0x52, 0x28); // TUPLE REDUCE, then the dtype state
  int(3);
  str('|');
  op(0x4e, 0x4e, 0x4e); // None None None
  int(-1);
  int(-1);
  int(0);
  op(0x74, 0x62, 0x89, 0x42); // TUPLE BUILD, NEWFALSE, BINBYTES
  u32(batch.dataBytes);
  for (let i = 0; i < batch.dataBytes; i++) op(i & 255);
  op(0x74, 0x62); // state TUPLE, BUILD
  str('fine_labels');
  list(batch.fine);
  if (batch.coarse) {
    str('coarse_labels');
    list(batch.coarse);
  }
  op(0x75, 0x2e); // SETITEMS STOP
  return Uint8Array.from(out);
}

describe('CIFAR-100 pickle record checks', () => {
  it('reads a generated batch, then refuses inconsistent sizes, counts and labels', () => {
    const ok = parseCifar100Pickle(
      cifarPickle({ n: 2, dataBytes: 6144, fine: [5, 99], coarse: [0, 19] }),
      'ok',
    );
    expect(Array.from(ok.labels)).toEqual([5, 99]);
    expect(ok.pixels[3073]).toBe(3073 & 255);
    expect(() =>
      parseCifar100Pickle(cifarPickle({ n: 3, dataBytes: 6144, fine: [1, 2, 3] }), 'short'),
    ).toThrow("short: key 'data' holds 6144 bytes for shape [3,3072], expected 9216 (truncated or corrupt)");
    expect(() => parseCifar100Pickle(cifarPickle({ n: 2, dataBytes: 6144, fine: [1] }), 'few')).toThrow(
      "few: key 'fine_labels' has 1 entries, expected a list of 2 (one per image)",
    );
    expect(() => parseCifar100Pickle(cifarPickle({ n: 2, dataBytes: 6144, fine: [1, 100] }), 'big')).toThrow(
      'big: fine_labels[1] = 100, expected 0..99',
    );
    expect(() => parseCifar100Pickle(cifarPickle({ n: 2, dataBytes: 6144, fine: [1, -1] }), 'neg')).toThrow(
      'neg: fine_labels[1] = -1, expected 0..99',
    );
    expect(() =>
      parseCifar100Pickle(cifarPickle({ n: 2, dataBytes: 6144, fine: [1, 2], coarse: [0, 20] }), 'coarse'),
    ).toThrow('coarse: coarse_labels[1] = 20, expected 0..19');
    // a BINBYTES length larger than the file: refused by the unpickler before allocating
    const lying = cifarPickle({ n: 2, dataBytes: 6144, fine: [1, 2] });
    const at = Buffer.from(lying).indexOf(Buffer.from([0x89, 0x42])) + 2;
    Buffer.from(lying.buffer).writeUInt32LE(0x7fff_ffff, at);
    expect(() => parseCifar100Pickle(lying, 'lying')).toThrow(DatasetFormatError);
  });
});

describe('CIFAR-100 pickle with a hostile key', () => {
  it('names the missing key without stringifying a tuple key nested 200k deep', () => {
    // PROTO 2, EMPTY_DICT, key = ((((…()…)))) 200k deep, value None, SETITEM, STOP
    const depth = 200_000;
    const bytes = new Uint8Array(2 + 1 + 1 + depth + 1 + 1 + 1);
    let i = 0;
    bytes[i++] = 0x80;
    bytes[i++] = 2;
    bytes[i++] = 0x7d; // EMPTY_DICT
    bytes[i++] = 0x29; // EMPTY_TUPLE
    for (let d = 0; d < depth; d++) bytes[i++] = 0x85; // TUPLE1
    bytes[i++] = 0x4e; // NONE
    bytes[i++] = 0x73; // SETITEM
    bytes[i++] = 0x2e; // STOP
    expect(() => parseCifar100Pickle(bytes, 'deep')).toThrow(DatasetFormatError);
    expect(() => parseCifar100Pickle(bytes, 'deep')).toThrow(/deep: key 'data' missing \(keys: <object>\)/);
  });
});
