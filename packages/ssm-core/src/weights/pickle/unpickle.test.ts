import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BASIC_PICKLE_GLOBALS } from './basic_pickle_globals.js';
import { NUMPY_PICKLE_GLOBALS, ndarrayToTypedArray, PickledNdarray } from './numpy_pickle_globals.js';
import { PickleFormatError, PickleSecurityError } from './pickle_errors.js';
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
