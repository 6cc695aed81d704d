import { readFileSync } from 'node:fs';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { listCommand } from './list_command.js';
import { perfCommand } from './perf_command.js';
import { reportCommand } from './report_command.js';
import { runCommand } from './run_command.js';

const COMMANDS = ['run', 'list', 'report', 'perf', 'sweep', 'worker', 'help'] as const;

/**
 * The `mamba-cl` command line: dispatches to `run`, `list`, `report`, `perf` or `help`.
 *
 * @param argv - the arguments after the program name
 * @param io - where normal lines and errors go
 * @returns the exit code: 0 ok, 1 failure, 2 usage error
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 * @category CLI
 */
export async function main(
  argv: readonly string[],
  io: { log?: (line: string) => void; error?: (line: string) => void } = {},
): Promise<number> {
  const log = io.log ?? ((l: string) => console.log(l));
  const error = io.error ?? ((l: string) => console.error(l));
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
        log(HELP.main());
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version': {
        const pkg = new URL('../../package.json', import.meta.url); // from src/cli and dist/cli alike
        log((JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version);
        return 0;
      }
      case 'help': {
        const topic = rest[0];
        if (topic === undefined) log(HELP.main());
        else if (topic in HELP && topic !== 'main') log(HELP[topic as keyof typeof HELP]());
        else if (topic === 'sweep' || topic === 'worker') {
          const { SWEEP_HELP } = await import('../sweep/sweep_command.js');
          log(SWEEP_HELP[topic]());
        } else throw new CliError(`help: unknown command "${topic}"`, `commands: ${COMMANDS.join(', ')}`);
        return 0;
      }
      case 'run':
        return await runCommand(rest, { log });
      case 'sweep': {
        const { sweepCommand } = await import('../sweep/sweep_command.js');
        return await sweepCommand(rest, { log });
      }
      case 'worker': {
        const { workerCommand } = await import('../sweep/sweep_command.js');
        return await workerCommand(rest, { log });
      }
      case 'list':
        await listCommand(rest, log);
        return 0;
      case 'report':
        reportCommand(rest, log);
        return 0;
      case 'perf': {
        const { selectBackend } = await import('@mamba-cl/ssm-core/backend');
        const res = await perfCommand(rest, { log, selectBackend: (b) => selectBackend(b) });
        return res.some((r) => r.error !== undefined && r.fn !== '') ? 1 : 0;
      }
      default:
        throw new CliError(
          `unknown command "${command}"`,
          `commands: ${COMMANDS.join(', ')}; see "mamba-cl --help"`,
        );
    }
  } catch (err) {
    if (err instanceof CliError) {
      error(`error: ${err.message}`);
      if (err.hint) error(err.hint);
      return 2;
    }
    error(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
