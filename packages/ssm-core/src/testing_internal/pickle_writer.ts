/**
 * Test-only: writes Python pickles (protocol 2 opcodes) from a small value language, so tests can
 * build exact, hostile or malformed pickles without Python. Not published.
 *
 * Values: `null`, booleans, numbers (safe integers as BININT/LONG1, anything else as BINFLOAT, so
 * NaN and 1.5 can be written where an int belongs), strings (BINUNICODE), `Uint8Array` (BINBYTES),
 * arrays (tuples), `Map` (dicts) and the nodes below.
 */

/** `GLOBAL module\nname\n` for `'module.name'` (split at the last dot). */
export interface PickleGlobalNode {
  $global: string;
}
/** `callable args REDUCE`. */
export interface PickleReduceNode {
  $reduce: [PickleValue, PickleValue[]];
}
/** `value BINPERSID`. */
export interface PicklePersidNode {
  $persid: PickleValue;
}
/** Raw opcode bytes spliced in as they are. */
export interface PickleRawNode {
  $raw: Uint8Array | number[];
}
/** `[...] ` as a list (EMPTY_LIST MARK ... APPENDS) rather than a tuple. */
export interface PickleListNode {
  $list: PickleValue[];
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | PickleGlobalNode
  | PickleReduceNode
  | PicklePersidNode
  | PickleRawNode
  | PickleListNode;

const enc = new TextEncoder();

function le(v: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  return out;
}

function longBytes(v: bigint): number[] {
  // two's complement little-endian, minimal length (as Python's encode_long)
  if (v === 0n) return [];
  const out: number[] = [];
  let x = v;
  while (true) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
    const sign = out[out.length - 1] & 0x80;
    if ((x === 0n && !sign) || (x === -1n && sign)) break;
  }
  return out;
}

function write(v: PickleValue, out: number[]): void {
  if (v === null) out.push(0x4e);
  else if (v === true) out.push(0x88);
  else if (v === false) out.push(0x89);
  else if (typeof v === 'bigint') {
    const b = longBytes(v);
    out.push(0x8a, b.length, ...b);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) out.push(0x4a, ...le(v >>> 0, 4));
    else if (Number.isSafeInteger(v)) write(BigInt(v), out);
    else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, false);
      out.push(0x47, ...b);
    }
  } else if (typeof v === 'string') {
    const b = enc.encode(v);
    out.push(0x58, ...le(b.length, 4));
    for (const x of b) out.push(x);
  } else if (v instanceof Uint8Array) {
    out.push(0x42, ...le(v.length, 4));
    for (const x of v) out.push(x);
  } else if (Array.isArray(v)) {
    out.push(0x28);
    for (const x of v) write(x, out);
    out.push(0x74);
  } else if (v instanceof Map) {
    out.push(0x7d, 0x28);
    for (const [k, x] of v) {
      write(k, out);
      write(x, out);
    }
    out.push(0x75);
  } else if ('$global' in v) {
    const i = v.$global.lastIndexOf('.');
    out.push(0x63, ...enc.encode(`${v.$global.slice(0, i)}\n${v.$global.slice(i + 1)}\n`));
  } else if ('$reduce' in v) {
    write(v.$reduce[0], out);
    write(v.$reduce[1], out);
    out.push(0x52);
  } else if ('$persid' in v) {
    write(v.$persid, out);
    out.push(0x51);
  } else if ('$list' in v) {
    out.push(0x5d, 0x28);
    for (const x of v.$list) write(x, out);
    out.push(0x65);
  } else {
    for (const x of v.$raw) out.push(x);
  }
}

/**
 * Pickles `value` as `PROTO 2 ... STOP`.
 *
 * @example
 * const bytes = writePickle(new Map([['a', 1]]));
 */
export function writePickle(value: PickleValue): Uint8Array {
  const out: number[] = [0x80, 2];
  write(value, out);
  out.push(0x2e);
  return Uint8Array.from(out);
}
