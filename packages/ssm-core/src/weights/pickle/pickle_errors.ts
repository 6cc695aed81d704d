/**
 * Raised when a pickle references a global (class or function) that the caller did not allow.
 *
 * **Details**
 * The unpickler never imports or runs anything by name: every `GLOBAL`/`STACK_GLOBAL` is looked up
 * in the caller's whitelist, and anything else stops decoding with this error, which names the
 * global (`module.qualname`), the byte offset of the opcode and the source file.
 *
 * @example
 * try { unpickle(bytes, { globals: {} }); } catch (e) { if (e instanceof PickleSecurityError) console.log(e.globalName); }
 * @category Weights
 */
export class PickleSecurityError extends Error {
  /** The refused global, `module.qualname`. */
  readonly globalName: string;
  /** Byte offset of the opcode that referenced it. */
  readonly offset: number;
  constructor(message: string, globalName: string, offset: number) {
    super(message);
    this.name = 'PickleSecurityError';
    this.globalName = globalName;
    this.offset = offset;
  }
}

/**
 * Raised when a pickle is truncated or malformed (unknown opcode, stack underflow, bad memo index,
 * missing STOP, ...).
 *
 * **Details**
 * The message starts with the source name and the byte offset, e.g.
 * `data_batch_1: byte 1234: truncated: BINUNICODE needs 40 bytes, 12 left`.
 *
 * @example
 * try { unpickle(bytes.subarray(0, 10), { globals: {}, source: 'x.pkl' }); } catch (e) { console.log(e.message); }
 * @category Weights
 */
export class PickleFormatError extends Error {
  /** Byte offset where decoding failed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'PickleFormatError';
    this.offset = offset;
  }
}

/**
 * Raised when a pickle exceeds one of the unpickler's resource bounds (a too-long integer, too many
 * objects, too deep a stack, too many memo entries); a kind of {@link PickleFormatError}.
 *
 * **Details**
 * Each bound has a default (see `DEFAULT_UNPICKLE_LIMITS`) sized far above what `torch.save`, numpy
 * and the CIFAR pickles need, and far below what would exhaust memory. The message names the source,
 * the byte offset, the bound and the `UnpickleOptions.limits` field that raises it.
 *
 * @example
 * // PickleLimitError: big.pkl: byte 2: LONG4: integer of 204800 bytes exceeds limits.maxLongBytes (65536)
 * @category Weights
 */
export class PickleLimitError extends PickleFormatError {
  /** The `UnpickleLimits` field that was exceeded, e.g. `'maxLongBytes'`. */
  readonly limit: string;
  constructor(message: string, offset: number, limit: string) {
    super(message, offset);
    this.name = 'PickleLimitError';
    this.limit = limit;
  }
}
