import { PickleSecurityError } from './pickle_errors.js';
import type { PickleGlobal } from './unpickle.js';

const LATIN1 = new Set(['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'l1']);

/**
 * `_codecs.encode(str, 'latin1')` → `Uint8Array`: how Python 3 writes every `bytes` object at
 * protocol 2 (e.g. a CIFAR batch or a numpy array re-saved by Python 3), restricted to latin-1.
 *
 * **Details**
 * The latin-1 encoding maps each character 0..255 to one byte, so the call only turns the pickled
 * text back into the bytes Python held. Any other encoding (or a missing one: Python's default is
 * utf-8) raises `PickleSecurityError`, as the restricted unpicklers of torch and numpy treat it: the
 * global is allowed for this one use, not as a general codec. A character above U+00FF is a
 * malformed pickle (`PickleFormatError`).
 *
 * @example
 * unpickle(bytes, { globals: { '_codecs.encode': CODECS_ENCODE_LATIN1 } });
 * @category Weights
 */
export const CODECS_ENCODE_LATIN1: PickleGlobal = Object.freeze({
  call: (args: unknown[]): Uint8Array => {
    const [s, encoding] = args;
    if (args.length !== 2 || typeof encoding !== 'string' || !LATIN1.has(encoding.toLowerCase())) {
      throw new PickleSecurityError(
        `global '_codecs.encode' is only allowed as _codecs.encode(str, 'latin1') (got encoding ${
          typeof encoding === 'string' ? `'${encoding.slice(0, 40)}'` : 'none'
        }); nothing was executed`,
        '_codecs.encode',
        -1,
      );
    }
    if (typeof s !== 'string') throw new Error(`expected a str as first argument, got ${typeof s}`);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) throw new Error(`character U+${c.toString(16)} at ${i} is not latin-1`);
      out[i] = c;
    }
    return out;
  },
});
