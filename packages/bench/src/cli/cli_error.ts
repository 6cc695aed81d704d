/**
 * A mistake in how the CLI was called (a bad flag, a missing file): printed without a stack trace,
 * followed by a hint, exit code 2.
 *
 * @category CLI
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  /**
   * @param message - what is wrong
   * @param hint - how to fix it (printed on its own lines)
   */
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
