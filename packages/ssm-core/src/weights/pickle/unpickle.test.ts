import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type PickleValue, writePickle } from '../../testing_internal/pickle_writer.js';
import { BASIC_PICKLE_GLOBALS } from './basic_pickle_globals.js';
import { NUMPY_PICKLE_GLOBALS, ndarrayToTypedArray, PickledNdarray } from './numpy_pickle_globals.js';
import { PickleFormatError, PickleLimitError, PickleSecurityError } from './pickle_errors.js';
import { PICKLE_STATE, PickleGlobalRef, unpickle } from './unpickle.js';

const list = (a: ArrayLike<number | bigint>): Array<number | bigint> => Array.from(a);

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../fixtures/pickle/${name}`, import.meta.url))));

describe('unpickle', () => {
  for (const proto of [2, 3, 4]) {
    it(`decodes plain Python values written with protocol ${proto}`, () => {
      const v = unpickle(fixture(`basic_p${proto}.pkl`), {
        globals: BASIC_PICKLE_GLOBALS,
        source: `basic_p${proto}.pkl`,
      }) as Map<string, unknown>;
      expect(v).toBeInstanceOf(Map);
      expect(v.get('a')).toBe(1);
      expect(v.get('neg')).toBe(-5);
      expect(v.get('i2')).toBe(40000);
      expect(v.get('i4')).toBe(-100000);
      expect(v.get('big')).toBe(2n ** 70n);
      expect(v.get('negbig')).toBe(-(2n ** 65n));
      expect(v.get('f')).toBe(1.5);
      expect(v.get('s')).toBe('h\u00e9llo \u2603');
      expect(Array.from(v.get('b') as Uint8Array)).toEqual([0, 255, 16]);
      expect(v.get('t')).toEqual([1, 2, 3]);
      expect(v.get('l')).toEqual([1, [2, 'x']]);
      expect(v.get('none')).toBeNull();
      expect(v.get('true')).toBe(true);
      expect(v.get('false')).toBe(false);
      expect([...(v.get('od') as Map<string, number>)]).toEqual([
        ['x', 1],
        ['y', 2],
      ]);
      expect(v.get('empty')).toEqual([]);
      const shared = v.get('shared') as unknown[][];
      expect(shared[0]).toEqual([7, 8]);
      expect(shared[0]).toBe(shared[1]); // memo: one object referenced twice
    });
  }

  for (const proto of [2, 4]) {
    it(`rebuilds numpy arrays (protocol ${proto}) through the numpy whitelist`, () => {
      const v = unpickle(fixture(`numpy_p${proto}.pkl`), {
        globals: { ...BASIC_PICKLE_GLOBALS, ...NUMPY_PICKLE_GLOBALS },
      }) as Map<string, unknown>;
      const data = v.get('data') as PickledNdarray;
      expect(data).toBeInstanceOf(PickledNdarray);
      expect(data.shape).toEqual([2, 12]);
      expect(list(ndarrayToTypedArray(data))).toEqual(Array.from({ length: 24 }, (_, i) => i));
      expect(list(ndarrayToTypedArray(v.get('f') as PickledNdarray))).toEqual([1.5, -2, 0.25]);
      expect(list(ndarrayToTypedArray(v.get('i') as PickledNdarray))).toEqual([-1n, 2n ** 40n]);
      expect(v.get('labels')).toEqual([3, 1]);
    });
  }

  it('decodes python-2 str as latin1 strings or as bytes, as the caller picks', () => {
    const bytes = fixture('py2_cifar_like.pkl');
    const a = unpickle(bytes, { globals: NUMPY_PICKLE_GLOBALS, py2Strings: 'latin1' }) as Map<
      string,
      unknown
    >;
    expect([...a.keys()]).toEqual(['data', 'fine_labels', 'batch_label']);
    const data = a.get('data') as PickledNdarray;
    expect(data.shape).toEqual([2, 3]);
    expect(list(ndarrayToTypedArray(data))).toEqual([0, 1, 2, 250, 254, 255]);
    expect(a.get('fine_labels')).toEqual([1, 2]);
    expect(a.get('batch_label')).toBe('training batch 1 of 1');
    const b = unpickle(bytes, { globals: NUMPY_PICKLE_GLOBALS, py2Strings: 'bytes' }) as Map<
      unknown,
      unknown
    >;
    const keys = [...b.keys()] as Uint8Array[];
    expect(new TextDecoder().decode(keys[0])).toBe('data');
    expect(list(ndarrayToTypedArray(b.get(keys[0]) as PickledNdarray))).toEqual([0, 1, 2, 250, 254, 255]);
  });

  it('refuses globals outside the whitelist, naming the global and the offset, without executing', () => {
    const cases: Array<[string, string, number]> = [
      ['evil_posix_system_p2.pkl', 'posix.system', 13],
      ['evil_os_system_p0glob.pkl', 'os.system', 2],
    ];
    for (const [file, name, offset] of cases) {
      let err: unknown;
      try {
        unpickle(fixture(file), { globals: BASIC_PICKLE_GLOBALS, source: file });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PickleSecurityError);
      const e = err as PickleSecurityError;
      expect(e.globalName).toBe(name);
      expect(e.offset).toBe(offset);
      expect(e.message).toContain(`${file}: byte ${offset}: global '${name}' is not allowed`);
    }
    expect(() => unpickle(fixture('evil_stack_global_p4.pkl'), { globals: {} })).toThrow(
      /global 'posix.system' is not allowed \(allowed: none\)/,
    );
  });

  it('reports truncated and malformed input with the source and byte offset', () => {
    const good = fixture('basic_p2.pkl');
    for (const cut of [1, 10, 50, good.length - 1]) {
      expect(() =>
        unpickle(good.subarray(0, cut), { globals: BASIC_PICKLE_GLOBALS, source: 'b.pkl' }),
      ).toThrow(PickleFormatError);
    }
    expect(() =>
      unpickle(good.subarray(0, good.length - 1), { globals: BASIC_PICKLE_GLOBALS, source: 'b.pkl' }),
    ).toThrow(/^b\.pkl: byte \d+: truncated: end of data before STOP/);
    expect(() =>
      unpickle(new Uint8Array([0x80, 2, 0x58, 10, 0, 0, 0, 65]), { globals: {}, source: 's.pkl' }),
    ).toThrow('s.pkl: byte 2: truncated: BINUNICODE needs 10 bytes at byte 7, 1 left');
    expect(() => unpickle(new Uint8Array([0x80, 2, 0xff, 0x2e]), { globals: {} })).toThrow(
      '<pickle>: byte 2: unsupported or invalid opcode 0xff',
    );
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x68, 3, 0x2e]), { globals: {} })).toThrow(
      'BINGET: memo index 3 was never stored',
    );
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x2e]), { globals: {} })).toThrow('STOP: stack underflow');
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x4e, 0x51, 0x2e]), { globals: {} })).toThrow(
      'persistent id found but no persistentLoad',
    );
  });

  it('passes persistent ids to persistentLoad, globals as refs, and BUILD state to setState', () => {
    // (PROTO 2) GLOBAL m.f, MARK, BININT1 5, GLOBAL m.C, TUPLE, REDUCE, BININT1 9, BUILD,
    // BININT1 1, BINPERSID, TUPLE2, STOP
    const enc = (s: string) => Array.from(new TextEncoder().encode(s));
    const bytes = new Uint8Array([
      0x80,
      2,
      0x63,
      ...enc('m\nf\n'),
      0x28,
      0x4b,
      5,
      0x63,
      ...enc('m\nC\n'),
      0x74,
      0x52,
      0x4b,
      9,
      0x62,
      0x4b,
      1,
      0x51,
      0x86,
      0x2e,
    ]);
    const out = unpickle(bytes, {
      globals: {
        'm.f': {
          call: (args) => {
            const obj: { args: unknown[]; state: unknown; setState(s: unknown): void } = {
              args,
              state: undefined,
              setState(s) {
                obj.state = s;
              },
            };
            return obj;
          },
        },
        'm.C': {},
      },
      persistentLoad: (pid) => `storage-${pid}`,
    }) as [{ args: unknown[]; state: unknown }, string];
    expect(out[0].args[0]).toBe(5);
    expect(out[0].args[1]).toBeInstanceOf(PickleGlobalRef);
    expect((out[0].args[1] as PickleGlobalRef).name).toBe('m.C');
    expect(out[0].state).toBe(9);
    expect(out[1]).toBe('storage-1');
    // BUILD on a dict keeps the state under PICKLE_STATE
    const od = unpickle(new Uint8Array([0x80, 2, 0x7d, 0x7d, 0x4b, 1, 0x4b, 2, 0x73, 0x62, 0x2e]), {
      globals: {},
    }) as Map<number, number> & { [PICKLE_STATE]?: unknown };
    expect(od.size).toBe(0);
    expect(od[PICKLE_STATE]).toEqual(new Map([[1, 2]]));
  });
});

describe('unpickle on hostile input (issue 14 rows 4, 5, 19)', () => {
  const caught = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('expected an error');
  };
  const long4 = (raw: Uint8Array): Uint8Array => {
    const out = new Uint8Array(2 + 5 + raw.length + 1);
    out.set([0x80, 2, 0x8b]);
    new DataView(out.buffer).setUint32(3, raw.length, true);
    out.set(raw, 7);
    out[out.length - 1] = 0x2e;
    return out;
  };
  /** Python's decode_long, one byte at a time: the obviously-correct reference. */
  const slowDecode = (raw: Uint8Array): bigint => {
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    return raw.length && raw[raw.length - 1] & 0x80 ? v - (1n << BigInt(8 * raw.length)) : v;
  };

  it('row 4: decodes LONG1/LONG4 integers like Python and refuses one longer than maxLongBytes', () => {
    const pyInt = (v: bigint) =>
      v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    for (const len of [0, 1, 6, 7, 8, 9, 33, 1000]) {
      for (const top of [0x00, 0x7f, 0x80, 0xff]) {
        const raw = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
        if (len) raw[len - 1] = top;
        expect(unpickle(long4(raw), { globals: {} })).toBe(pyInt(slowDecode(raw)));
      }
    }
    // at the bound: 0x00.. 0x01 is 2^(8·(len-1)); all 0xff is -1
    const max = new Uint8Array(65536);
    max[65535] = 1;
    expect(unpickle(long4(max), { globals: {} })).toBe(1n << BigInt(8 * 65535));
    expect(unpickle(long4(max.fill(0xff)), { globals: {} })).toBe(-1);
    const e = caught(() =>
      unpickle(long4(new Uint8Array(200 * 1024).fill(0x5a)), { globals: {}, source: 'big.pkl' }),
    );
    expect(e).toBeInstanceOf(PickleLimitError);
    expect(e).toBeInstanceOf(PickleFormatError);
    expect((e as PickleLimitError).limit).toBe('maxLongBytes');
    expect((e as Error).message).toBe(
      'big.pkl: byte 2: LONG4: integer of 204800 bytes exceeds limits.maxLongBytes (65536); raise it in the unpickle options only for a trusted file',
    );
    // the bound is an option
    expect(
      unpickle(long4(new Uint8Array(200 * 1024).fill(0xff)), {
        globals: {},
        limits: { maxLongBytes: 2 ** 20 },
      }),
    ).toBe(-1);
  });

  it('row 5: 50 MB of MARK, a flood of dicts or memo entries stop at a named bound', () => {
    const flood = (op: number[], bytes: number): Uint8Array => {
      const out = new Uint8Array(bytes);
      out.set([0x80, 2, ...op]);
      for (let have = op.length; 2 + have < bytes; have *= 2) out.copyWithin(2 + have, 2, 2 + have);
      return out;
    };
    const marks = caught(() => unpickle(flood([0x28], 50_000_000), { globals: {}, source: 'marks.pkl' }));
    expect(marks).toBeInstanceOf(PickleLimitError);
    expect((marks as PickleLimitError).limit).toBe('maxStackItems');
    expect((marks as Error).message).toMatch(
      /^marks\.pkl: byte 1048578: MARK: more than 1048576 values on the stack exceeds limits\.maxStackItems/,
    );
    // EMPTY_DICT POP: the stack stays flat, but every dict counts against maxObjects
    const dicts = caught(() =>
      unpickle(flood([0x7d, 0x30], 100_000), { globals: {}, limits: { maxObjects: 10_000 } }),
    );
    expect((dicts as PickleLimitError).limit).toBe('maxObjects');
    // NONE MEMOIZE POP: a memo entry per 3 bytes
    const memo = caught(() =>
      unpickle(flood([0x4e, 0x94, 0x30], 100_000), { globals: {}, limits: { maxMemoEntries: 10_000 } }),
    );
    expect((memo as PickleLimitError).limit).toBe('maxMemoEntries');
    expect((memo as Error).message).toMatch(
      /MEMOIZE: more than 10000 memo entries exceeds limits\.maxMemoEntries \(10000\)/,
    );
    // smaller bounds apply as given; within them the same input shape decodes
    const deep = new Uint8Array([0x80, 2, ...Array(50).fill(0x5d), ...Array(49).fill(0x61), 0x2e]);
    let v = unpickle(deep, { globals: {}, limits: { maxStackItems: 50 } }) as unknown[];
    for (let d = 0; d < 49; d++) v = v[0] as unknown[];
    expect(v).toEqual([]);
    expect(
      (caught(() => unpickle(deep, { globals: {}, limits: { maxStackItems: 49 } })) as PickleLimitError)
        .limit,
    ).toBe('maxStackItems');
  });

  it('row 19: loads a CIFAR-100 pickle re-saved by Python 3 at protocol 2 (_codecs.encode, latin-1)', () => {
    const batch = unpickle(fixture('py3_resaved_cifar_p2.pkl'), {
      globals: NUMPY_PICKLE_GLOBALS,
      source: 'train',
    }) as Map<unknown, unknown>;
    const keys = [...batch.keys()].map((k) => new TextDecoder('latin1').decode(k as Uint8Array));
    expect(keys).toEqual(['filenames', 'batch_label', 'fine_labels', 'coarse_labels', 'data']);
    const get = (name: string) =>
      [...batch].find(([k]) => new TextDecoder('latin1').decode(k as Uint8Array) === name)![1];
    const data = get('data') as PickledNdarray;
    expect(data.shape).toEqual([2, 6]);
    expect(list(ndarrayToTypedArray(data))).toEqual([0, 1, 2, 250, 254, 255, 7, 8, 9, 10, 11, 12]);
    expect(get('fine_labels')).toEqual([19, 29]);
    expect(new TextDecoder().decode(get('batch_label') as Uint8Array)).toBe('training batch 1 of 1');
    expect(new TextDecoder().decode((get('filenames') as Uint8Array[])[1])).toBe('stegosaurus_s_000125.png');
  });

  it('row 19: allows _codecs.encode only with latin-1; other encodings stay a PickleSecurityError', () => {
    const call = (...args: PickleValue[]) => writePickle({ $reduce: [{ $global: '_codecs.encode' }, args] });
    expect(
      Array.from(unpickle(call('\u00ff\u0000A', 'latin1'), { globals: BASIC_PICKLE_GLOBALS }) as Uint8Array),
    ).toEqual([255, 0, 65]);
    expect(
      Array.from(unpickle(call('A', 'latin-1'), { globals: NUMPY_PICKLE_GLOBALS }) as Uint8Array),
    ).toEqual([65]);
    for (const args of [
      ['A', 'utf-8'],
      ['A', 'rot13'],
      ['A'],
      ['A', 'latin1', 'strict'],
      ['A', 5],
    ] as PickleValue[][]) {
      const e = caught(() => unpickle(call(...args), { globals: BASIC_PICKLE_GLOBALS, source: 'c.pkl' }));
      expect(e).toBeInstanceOf(PickleSecurityError);
      expect((e as PickleSecurityError).globalName).toBe('_codecs.encode');
      expect((e as PickleSecurityError).offset).toBeGreaterThan(0);
      expect((e as Error).message).toMatch(
        /^c\.pkl: byte \d+: global '_codecs\.encode' is only allowed as _codecs\.encode\(str, 'latin1'\)/,
      );
    }
    expect(() => unpickle(call('\u2603', 'latin1'), { globals: BASIC_PICKLE_GLOBALS })).toThrow(
      PickleFormatError,
    );
    // b'' at protocol 2 is builtins.bytes() (written __builtin__.bytes by Python 3 for protocol 2)
    expect(
      unpickle(writePickle({ $reduce: [{ $global: '__builtin__.bytes' }, []] }), {
        globals: BASIC_PICKLE_GLOBALS,
      }),
    ).toEqual(new Uint8Array(0));
  });

  it('turns errors of setState and persistentLoad into named errors', () => {
    // numpy _reconstruct then BUILD with a state that is not an ndarray state tuple
    const bad = writePickle({
      $raw: [
        ...writePickle({ $reduce: [{ $global: 'numpy.core.multiarray._reconstruct' }, []] }).subarray(2, -1),
        0x4b,
        1,
        0x62,
      ],
    });
    expect(() => unpickle(bad, { globals: NUMPY_PICKLE_GLOBALS, source: 'n.pkl' })).toThrow(
      /^n\.pkl: byte \d+: BUILD of object failed: ndarray state is not a tuple/,
    );
    const pid = writePickle({ $persid: 1 });
    expect(() =>
      unpickle(pid, {
        globals: {},
        persistentLoad: () => {
          throw new TypeError('boom');
        },
      }),
    ).toThrow(/BINPERSID: persistentLoad failed: boom/);
  });
});
