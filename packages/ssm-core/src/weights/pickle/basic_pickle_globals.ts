import type { PickleGlobal } from './unpickle.js';

/**
 * Harmless globals that ordinary pickles use for plain data, to spread into an `unpickle` whitelist.
 *
 * **Details**
 * - `collections.OrderedDict` → an empty `Map` (items follow via `SETITEMS`).
 * - `_codecs.encode(str, 'latin1' | 'latin-1' | 'utf-8' | 'utf8')` → `Uint8Array`: how Python 3
 *   writes `bytes` at protocol 2.
 * - `builtins.set` / `builtins.frozenset` (`__builtin__.*` in python 2) → `Set`.
 * None of them can reach the file system or run code.
 *
 * @example
 * unpickle(bytes, { globals: { ...BASIC_PICKLE_GLOBALS } });
 * @category Weights
 */
export const BASIC_PICKLE_GLOBALS: Readonly<Record<string, PickleGlobal>> = Object.freeze({
  'collections.OrderedDict': { call: () => new Map(), newObj: () => new Map() },
  '_codecs.encode': { call: (args: unknown[]) => encodeString(args) },
  'builtins.set': { call: (args: unknown[]) => new Set(iterableArg(args)) },
  'builtins.frozenset': { call: (args: unknown[]) => new Set(iterableArg(args)) },
  '__builtin__.set': { call: (args: unknown[]) => new Set(iterableArg(args)) },
  '__builtin__.frozenset': { call: (args: unknown[]) => new Set(iterableArg(args)) },
});

function iterableArg(args: unknown[]): Iterable<unknown> {
  const a = args[0];
  if (a === undefined) return [];
  if (Array.isArray(a) || a instanceof Set) return a;
  throw new Error(`expected a list, tuple or set, got ${typeof a}`);
}

function encodeString(args: unknown[]): Uint8Array {
  const [s, encoding = 'utf-8'] = args;
  if (typeof s !== 'string') throw new Error(`expected a str as first argument, got ${typeof s}`);
  const enc = String(encoding).toLowerCase();
  if (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1') {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) throw new Error(`character U+${c.toString(16)} at ${i} is not latin-1`);
      out[i] = c;
    }
    return out;
  }
  if (enc === 'utf-8' || enc === 'utf8') return new TextEncoder().encode(s);
  throw new Error(`unsupported encoding '${String(encoding)}' (expected latin1 or utf-8)`);
}
