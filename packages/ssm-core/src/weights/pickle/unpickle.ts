import { WeightsFormatError } from '../weights_format_error.js';
import { PickleFormatError, PickleLimitError, PickleSecurityError } from './pickle_errors.js';

/**
 * What a whitelisted global may do when a pickle uses it.
 *
 * **Details**
 * `call` serves `REDUCE` (`f(*args)`), `newObj` serves `NEWOBJ`/`NEWOBJ_EX` (`cls.__new__(cls, *args)`).
 * An implementation that refuses its arguments on security grounds throws a `PickleSecurityError`
 * with offset -1; the unpickler re-raises it with the source and byte offset. Any other error it
 * throws becomes a `PickleFormatError`.
 * A global that is only referenced (passed as an argument, e.g. `numpy.ndarray` to `_reconstruct`)
 * needs neither: it reaches the callee as a {@link PickleGlobalRef}. An object returned by
 * `call`/`newObj` may implement `setState(state)`, which `BUILD` then calls.
 *
 * @category Weights
 */
export interface PickleGlobal {
  call?(args: unknown[]): unknown;
  newObj?(args: unknown[]): unknown;
}

/**
 * A whitelisted global as it sits on the unpickler's stack (what `GLOBAL`/`STACK_GLOBAL` push).
 *
 * @example
 * // inside a PickleGlobal.call: if (args[0] instanceof PickleGlobalRef) console.log(args[0].name);
 * @category Weights
 */
export class PickleGlobalRef {
  /** `module.qualname`, e.g. `torch._utils._rebuild_tensor_v2`. */
  readonly name: string;
  /** The caller's implementation. */
  readonly impl: PickleGlobal;
  constructor(name: string, impl: PickleGlobal) {
    this.name = name;
    this.impl = impl;
  }
}

/**
 * How python-2 `str` objects (`BINSTRING`, `SHORT_BINSTRING`) are decoded, like the `encoding=`
 * argument of Python 3's `pickle.load`: `'bytes'` gives a `Uint8Array`, `'latin1'` a string whose char
 * codes are the bytes (0..255).
 *
 * @category Weights
 */
export type Py2StringEncoding = 'bytes' | 'latin1';

/**
 * Options of {@link unpickle}.
 *
 * @category Weights
 */
export interface UnpickleOptions {
  /**
   * Allowed globals keyed `module.qualname` (e.g. `'torch._utils._rebuild_tensor_v2'`,
   * `'collections.OrderedDict'`). Anything else raises {@link PickleSecurityError}.
   */
  globals: Readonly<Record<string, PickleGlobal>>;
  /** Resolves persistent ids (`BINPERSID`; torch storages). Without it a persistent id is an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** File name used in error messages. Default `'<pickle>'`. */
  source?: string;
  /** Decoding of python-2 `str` (see {@link Py2StringEncoding}). Default `'latin1'`. */
  py2Strings?: Py2StringEncoding;
  /** Resource bounds; each field defaults to {@link DEFAULT_UNPICKLE_LIMITS}. */
  limits?: Partial<UnpickleLimits>;
}

/**
 * Resource bounds of {@link unpickle}; exceeding one raises {@link PickleLimitError}.
 *
 * **Details**
 * Every opcode reads at least one byte and does constant work per byte read (integers are decoded
 * in linear time), so decoding time is linear in the input; these bounds cap what a small hostile
 * input could otherwise make the decoder hold in memory (an empty array per `MARK`, a `Map` per
 * `EMPTY_DICT`, a memo entry per `MEMOIZE`). `Infinity` lifts a bound.
 *
 * @category Weights
 */
export interface UnpickleLimits {
  /** Longest `LONG1`/`LONG4` integer, in bytes (two's complement). */
  maxLongBytes: number;
  /**
   * Most values the decoder may create: containers, marks, strings, bytes, big integers, global
   * references and results of whitelisted calls (numbers, `None` and booleans are not counted).
   */
  maxObjects: number;
  /** Most values on the stack at once, counting those under every open `MARK` and the marks. */
  maxStackItems: number;
  /** Most memo entries (`BINPUT`/`LONG_BINPUT`/`MEMOIZE`). */
  maxMemoEntries: number;
}

/**
 * Default {@link UnpickleLimits}: 64 KiB integers, 2^21 objects, 2^20 stack items, 2^20 memo entries.
 *
 * **Details**
 * A `torch.save` checkpoint of a few thousand tensors creates some 10^4 objects; a CIFAR batch
 * (50 000 labels and file names, pickled in batches of 1 000) some 10^5 values and memo entries.
 * At the defaults the decoder's own structures stay within a few hundred MB whatever the input.
 *
 * @category Weights
 */
export const DEFAULT_UNPICKLE_LIMITS: Readonly<UnpickleLimits> = Object.freeze({
  maxLongBytes: 65536,
  maxObjects: 2 ** 21,
  maxStackItems: 2 ** 20,
  maxMemoEntries: 2 ** 20,
});

/**
 * A value that a `BUILD` opcode applied to an object without `setState` (e.g. the `_metadata` of a
 * torch `OrderedDict`) is kept under this symbol on that object.
 *
 * @category Weights
 */
export const PICKLE_STATE: unique symbol = Symbol('pickleState');

const OP_NAMES: Record<number, string> = {
  40: 'MARK',
  46: 'STOP',
  48: 'POP',
  49: 'POP_MARK',
  50: 'DUP',
  74: 'BININT',
  75: 'BININT1',
  77: 'BININT2',
  138: 'LONG1',
  139: 'LONG4',
  78: 'NONE',
  136: 'NEWTRUE',
  137: 'NEWFALSE',
  71: 'BINFLOAT',
  84: 'BINSTRING',
  85: 'SHORT_BINSTRING',
  88: 'BINUNICODE',
  140: 'SHORT_BINUNICODE',
  141: 'BINUNICODE8',
  66: 'BINBYTES',
  67: 'SHORT_BINBYTES',
  142: 'BINBYTES8',
  150: 'BYTEARRAY8',
  93: 'EMPTY_LIST',
  97: 'APPEND',
  101: 'APPENDS',
  108: 'LIST',
  41: 'EMPTY_TUPLE',
  116: 'TUPLE',
  133: 'TUPLE1',
  134: 'TUPLE2',
  135: 'TUPLE3',
  125: 'EMPTY_DICT',
  100: 'DICT',
  115: 'SETITEM',
  117: 'SETITEMS',
  143: 'EMPTY_SET',
  144: 'ADDITEMS',
  145: 'FROZENSET',
  99: 'GLOBAL',
  147: 'STACK_GLOBAL',
  82: 'REDUCE',
  98: 'BUILD',
  129: 'NEWOBJ',
  146: 'NEWOBJ_EX',
  81: 'BINPERSID',
  104: 'BINGET',
  106: 'LONG_BINGET',
  113: 'BINPUT',
  114: 'LONG_BINPUT',
  148: 'MEMOIZE',
  128: 'PROTO',
  149: 'FRAME',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return s;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Python's `decode_long`: little-endian two's complement bytes to an integer, in linear time (one
 * hex string, parsed by `BigInt` in one go, instead of a shift per byte).
 */
function decodeLong(raw: Uint8Array): bigint {
  const len = raw.length;
  if (len === 0) return 0n;
  const hex = new Array<string>(len);
  for (let i = 0; i < len; i++) hex[i] = HEX[raw[len - 1 - i]];
  let v = BigInt(`0x${hex.join('')}`);
  if (raw[len - 1] & 0x80) v -= 1n << BigInt(8 * len);
  return v;
}

function toPyInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Decodes a Python pickle (protocols 2–5, the binary opcodes that `pickle`, `torch.save` and numpy
 * emit) without ever executing anything that the caller did not whitelist.
 *
 * **Details**
 * Python values map to JS as follows: `dict` → `Map` (keys keep their decoded type), `list` and
 * `tuple` → `Array`, `set`/`frozenset` → `Set`, `str` → `string`, `bytes`/`bytearray` → `Uint8Array`
 * (a copy), python-2 `str` → per `py2Strings`, `int` → `number` when it is a safe integer else
 * `bigint`, `float` → `number`, `None` → `null`, `bool` → `boolean`. Globals become
 * {@link PickleGlobalRef}s; `REDUCE`/`NEWOBJ` call the whitelisted implementation. Out-of-band buffers
 * (protocol 5 `NEXT_BUFFER`) and the text opcodes of protocols 0/1 are not supported and raise
 * {@link PickleFormatError}, as does truncated or malformed input (the message names the source and
 * byte offset). Every declared length is checked against the bytes present before anything is
 * allocated, and {@link UnpickleLimits} bound integers, objects, stack and memo
 * ({@link PickleLimitError}); a JS engine limit hit on the way (e.g. the maximum `Map` size) is
 * reported as a {@link PickleFormatError} too, never as a raw `RangeError`.
 *
 * @param bytes - the pickle stream
 * @param options - whitelist of globals, persistent-id loader, source name, python-2 string decoding
 * @returns the unpickled value
 * @throws PickleSecurityError for a global outside `options.globals`
 * @throws PickleFormatError for truncated or malformed input
 * @throws PickleLimitError when a bound of `options.limits` is exceeded
 * @example
 * const value = unpickle(bytes, { globals: { 'collections.OrderedDict': { call: () => new Map() } } });
 * @category Weights
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  const limits: UnpickleLimits = { ...DEFAULT_UNPICKLE_LIMITS, ...options.limits };
  for (const [k, v] of Object.entries(limits)) {
    if (!((Number.isSafeInteger(v) && v >= 0) || v === Infinity)) {
      throw new TypeError(
        `unpickle: limits.${k} must be a non-negative integer or Infinity, got ${String(v)}`,
      );
    }
  }
  const state = { opStart: 0, opName: '' };
  try {
    return decode(bytes, options, limits, state);
  } catch (e) {
    if (e instanceof RangeError) {
      // an engine limit (maximum Map size, string length, array length) reached by a hostile input
      throw new PickleFormatError(
        `${options.source ?? '<pickle>'}: byte ${state.opStart}: ${state.opName}: ${e.message} (the pickle is too large or malformed)`,
        state.opStart,
      );
    }
    throw e;
  }
}

function decode(
  bytes: Uint8Array,
  options: UnpickleOptions,
  limits: UnpickleLimits,
  state: { opStart: number; opName: string },
): unknown {
  const source = options.source ?? '<pickle>';
  const py2 = options.py2Strings ?? 'latin1';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = 0;
  let opStart = 0;
  let opName = '';
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  /** Values held under the open marks, plus one per mark. */
  let below = 0;
  let objects = 0;
  const memo = new Map<number, unknown>();

  const fail = (message: string, at: number = opStart): never => {
    throw new PickleFormatError(`${source}: byte ${at}: ${message}`, at);
  };
  const overLimit = (limit: keyof UnpickleLimits, what: string): never => {
    throw new PickleLimitError(
      `${source}: byte ${opStart}: ${opName}: ${what} exceeds limits.${limit} (${limits[limit]}); raise it in the unpickle options only for a trusted file`,
      opStart,
      limit,
    );
  };
  /** Counts one newly created value against `maxObjects`; returns it. */
  const made = <T>(v: T): T => {
    if (++objects > limits.maxObjects) overLimit('maxObjects', `more than ${limits.maxObjects} objects`);
    return v;
  };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) {
      fail(`truncated: ${opName} needs ${k} bytes at byte ${pos}, ${n - pos} left`);
    }
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${opName}: length ${v} is too large`);
    return Number(v);
  };
  const take = (k: number): Uint8Array => {
    need(k);
    const out = bytes.subarray(pos, pos + k);
    pos += k;
    return out;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated: ${opName} has no newline-terminated argument`);
    const s = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(`${opName}: stack underflow`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`${opName}: stack underflow`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail(`${opName}: no MARK on the stack`);
    stack = prev as unknown[];
    below -= stack.length + 1;
    return items;
  };
  const str = (raw: Uint8Array): string => {
    try {
      return utf8.decode(raw);
    } catch {
      return fail(`${opName}: invalid UTF-8`);
    }
  };
  const py2str = (raw: Uint8Array): string | Uint8Array => made(py2 === 'bytes' ? raw.slice() : latin1(raw));
  const resolveGlobal = (module: string, qualname: string): PickleGlobalRef => {
    const name = `${module}.${qualname}`;
    const impl = Object.hasOwn(options.globals, name) ? options.globals[name] : undefined;
    if (!impl) {
      const allowed = Object.keys(options.globals);
      throw new PickleSecurityError(
        `${source}: byte ${opStart}: global '${name}' is not allowed (allowed: ${
          allowed.length ? allowed.join(', ') : 'none'
        }); nothing was executed`,
        name,
        opStart,
      );
    }
    return made(new PickleGlobalRef(name, impl));
  };
  const asRef = (v: unknown, what: 'call' | 'newObj'): PickleGlobalRef => {
    if (!(v instanceof PickleGlobalRef)) fail(`${opName}: callable is not a global (got ${describe(v)})`);
    const ref = v as PickleGlobalRef;
    if (typeof ref.impl[what] !== 'function') {
      fail(`${opName}: global '${ref.name}' is whitelisted but has no ${what}() implementation`);
    }
    return ref;
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof Map)) fail(`${opName}: target is not a dict (got ${describe(dict)})`);
    if (items.length % 2 !== 0) fail(`${opName}: odd number of key/value items (${items.length})`);
    for (let i = 0; i < items.length; i += 2) (dict as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list)) fail(`${opName}: target is not a list (got ${describe(list)})`);
    for (const it of items) (list as unknown[]).push(it);
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`${opName}: memo index ${i} was never stored`);
    return memo.get(i);
  };
  const memoPut = (i: number, v: unknown): void => {
    if (!memo.has(i) && memo.size >= limits.maxMemoEntries) {
      overLimit('maxMemoEntries', `more than ${limits.maxMemoEntries} memo entries`);
    }
    memo.set(i, v);
  };

  while (true) {
    if (below + stack.length > limits.maxStackItems) {
      overLimit('maxStackItems', `more than ${limits.maxStackItems} values on the stack`);
    }
    if (pos >= n) fail('truncated: end of data before STOP', pos);
    opStart = pos;
    state.opStart = pos;
    const op = bytes[pos++];
    opName = OP_NAMES[op] ?? `opcode 0x${op.toString(16).padStart(2, '0')}`;
    state.opName = opName;
    switch (op) {
      case 0x80: {
        const proto = u8();
        if (proto > 5) fail(`unsupported pickle protocol ${proto} (expected 2..5)`);
        break;
      }
      case 0x95:
        u64(); // FRAME length: frames are only a buffering hint
        break;
      case 0x2e:
        return pop();
      case 0x28:
        metastack.push(stack);
        below += stack.length + 1;
        stack = made([]);
        break;
      case 0x30:
        if (stack.length === 0) {
          popMark(); // POP of a MARK discards it
        } else {
          stack.pop();
        }
        break;
      case 0x31:
        popMark();
        break;
      case 0x32:
        stack.push(top());
        break;
      case 0x4a:
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b:
        stack.push(u8());
        break;
      case 0x4d:
        stack.push(u16());
        break;
      case 0x8a:
      case 0x8b: {
        const len = op === 0x8a ? u8() : u32();
        if (len > limits.maxLongBytes) overLimit('maxLongBytes', `integer of ${len} bytes`);
        const v = toPyInt(decodeLong(take(len)));
        stack.push(typeof v === 'bigint' ? made(v) : v);
        break;
      }
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x47:
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x54: {
        need(4);
        const len = view.getInt32(pos, true);
        pos += 4;
        if (len < 0) fail(`BINSTRING: negative length ${len}`);
        stack.push(py2str(take(len)));
        break;
      }
      case 0x55:
        stack.push(py2str(take(u8())));
        break;
      case 0x58:
        stack.push(made(str(take(u32()))));
        break;
      case 0x8c:
        stack.push(made(str(take(u8()))));
        break;
      case 0x8d:
        stack.push(made(str(take(u64()))));
        break;
      case 0x42:
        stack.push(made(take(u32()).slice()));
        break;
      case 0x43:
        stack.push(made(take(u8()).slice()));
        break;
      case 0x8e:
      case 0x96:
        stack.push(made(take(u64()).slice()));
        break;
      case 0x5d:
        stack.push(made([]));
        break;
      case 0x61: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x6c:
        {
          const items = popMark();
          stack.push(items);
        }
        break;
      case 0x29:
        stack.push(made([]));
        break;
      case 0x74:
        {
          const items = popMark();
          stack.push(items);
        }
        break;
      case 0x85:
        stack.push(made([pop()]));
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(made([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(made([a, b, c]));
        break;
      }
      case 0x7d:
        stack.push(made(new Map()));
        break;
      case 0x64: {
        const d = made(new Map());
        const items = popMark();
        setItems(d, items);
        stack.push(d);
        break;
      }
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f:
        stack.push(made(new Set()));
        break;
      case 0x90: {
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS: target is not a set (got ${describe(s)})`);
        for (const it of items) (s as Set<unknown>).add(it);
        break;
      }
      case 0x91:
        {
          const items = popMark();
          stack.push(made(new Set(items)));
        }
        break;
      case 0x63: {
        const module = line();
        const qualname = line();
        stack.push(resolveGlobal(module, qualname));
        break;
      }
      case 0x93: {
        const qualname = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof qualname !== 'string') {
          fail(
            `STACK_GLOBAL: module and name must be strings (got ${describe(module)}, ${describe(qualname)})`,
          );
        }
        stack.push(resolveGlobal(module as string, qualname as string));
        break;
      }
      case 0x52: {
        const args = pop();
        const ref = asRef(pop(), 'call');
        if (!Array.isArray(args)) fail(`REDUCE: arguments of '${ref.name}' are not a tuple`);
        stack.push(callGlobal(ref, 'call', args as unknown[]));
        break;
      }
      case 0x81: {
        const args = pop();
        const ref = asRef(pop(), 'newObj');
        if (!Array.isArray(args)) fail(`NEWOBJ: arguments of '${ref.name}' are not a tuple`);
        stack.push(callGlobal(ref, 'newObj', args as unknown[]));
        break;
      }
      case 0x92: {
        const kwargs = pop();
        const args = pop();
        const ref = asRef(pop(), 'newObj');
        if (!Array.isArray(args)) fail(`NEWOBJ_EX: arguments of '${ref.name}' are not a tuple`);
        if (kwargs instanceof Map && kwargs.size > 0) {
          fail(`NEWOBJ_EX: keyword arguments for '${ref.name}' are not supported`);
        }
        stack.push(callGlobal(ref, 'newObj', args as unknown[]));
        break;
      }
      case 0x62: {
        const state = pop();
        const obj = top();
        if (obj !== null && typeof obj === 'object' && typeof (obj as any).setState === 'function') {
          guarded(`BUILD of ${describe(obj)}`, () => (obj as { setState(s: unknown): void }).setState(state));
        } else if (obj !== null && typeof obj === 'object') {
          Object.defineProperty(obj, PICKLE_STATE, { value: state, configurable: true, enumerable: false });
        } else {
          fail(`BUILD: cannot set state on ${describe(obj)}`);
        }
        break;
      }
      case 0x51: {
        const pid = pop();
        if (!options.persistentLoad) fail('BINPERSID: persistent id found but no persistentLoad was given');
        const load = options.persistentLoad!;
        stack.push(guarded('BINPERSID: persistentLoad', () => load(pid)));
        break;
      }
      case 0x68:
        stack.push(memoGet(u8()));
        break;
      case 0x6a:
        stack.push(memoGet(u32()));
        break;
      case 0x71:
        memoPut(u8(), top());
        break;
      case 0x72:
        memoPut(u32(), top());
        break;
      case 0x94:
        memoPut(memo.size, top());
        break;
      default:
        fail(
          op === 0x97 || op === 0x98
            ? `${opName}: out-of-band buffers (protocol 5) are not supported`
            : `unsupported or invalid ${opName} (expected a binary opcode of protocols 2-5)`,
        );
    }
  }

  function callGlobal(ref: PickleGlobalRef, what: 'call' | 'newObj', args: unknown[]): unknown {
    return made(guarded(`${opName} of '${ref.name}'`, () => ref.impl[what]!(args)));
  }

  /**
   * Runs caller code (a whitelisted global, `setState`, `persistentLoad`): the project's named errors
   * pass through, anything else becomes a PickleFormatError naming the opcode.
   */
  function guarded<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof PickleSecurityError && e.offset < 0) {
        // refused by the global itself (e.g. _codecs.encode with an encoding other than latin-1)
        throw new PickleSecurityError(`${source}: byte ${opStart}: ${e.message}`, e.globalName, opStart);
      }
      if (e instanceof PickleFormatError || e instanceof PickleSecurityError) throw e;
      if (e instanceof WeightsFormatError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new PickleFormatError(`${source}: byte ${opStart}: ${what} failed: ${msg}`, opStart);
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PickleGlobalRef) return `global ${v.name}`;
  if (v instanceof Map) return 'dict';
  if (Array.isArray(v)) return 'tuple/list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}
