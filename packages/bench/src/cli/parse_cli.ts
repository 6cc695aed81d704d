import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from './cli_error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` `parseArgs` in strict mode, with its errors turned into {@link CliError}s that name
 * the command and point at its `--help`.
 *
 * @param command - command name, for messages
 * @param argv - the arguments after the command
 * @param options - the flag table
 * @returns values and positionals
 * @category CLI
 */
export function parseCli<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
): { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return {
      values: r.values as Record<string, string | boolean | (string | boolean)[] | undefined>,
      positionals: r.positionals,
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const known = Object.keys(options)
      .map((k) => `--${k}`)
      .join(', ');
    throw new CliError(
      `${command}: ${msg.replace(/\. To specify a positional argument.*$/s, '').replace(/\n/g, ' ')}`,
      `valid options: ${known}; see "mamba-cl ${command} --help"`,
    );
  }
}
