import { CODECS_ENCODE_LATIN1 } from './codecs_encode_global.js';
import type { PickleGlobal } from './unpickle.js';

/**
 * Harmless globals that ordinary pickles use for plain data, to spread into an `unpickle` whitelist.
 *
 * **Details**
 * - `collections.OrderedDict` → an empty `Map` (items follow via `SETITEMS`).
 * - `_codecs.encode(str, 'latin1')` → `Uint8Array`: how Python 3 writes `bytes` at protocol 2
 *   ({@link CODECS_ENCODE_LATIN1}; any other encoding is a `PickleSecurityError`).
 * - `builtins.bytes()` / `__builtin__.bytes()` with no argument → an empty `Uint8Array` (how Python 3
 *   writes `b''` at protocol 2); with a bytes argument, a copy of it. Nothing else.
 * - `builtins.set` / `builtins.frozenset` (`__builtin__.*` in python 2) → `Set`.
 * None of them can reach the file system or run code.
 *
 * @example
 * unpickle(bytes, { globals: { ...BASIC_PICKLE_GLOBALS } });
 * @category Weights
 */
export const BASIC_PICKLE_GLOBALS: Readonly<Record<string, PickleGlobal>> = Object.freeze({
  'collections.OrderedDict': { call: () => new Map(), newObj: () => new Map() },
  '_codecs.encode': CODECS_ENCODE_LATIN1,
  'builtins.bytes': { call: (args: unknown[]) => bytesArg(args) },
  '__builtin__.bytes': { call: (args: unknown[]) => bytesArg(args) },
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

function bytesArg(args: unknown[]): Uint8Array {
  if (args.length === 0) return new Uint8Array(0);
  if (args.length === 1 && args[0] instanceof Uint8Array) return args[0].slice();
  throw new Error('bytes(): only bytes() and bytes(<bytes>) are supported');
}
