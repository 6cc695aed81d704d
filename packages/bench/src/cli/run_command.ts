import { strategyIds } from '../wiring/available.js';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { resolveRunPlan } from './run_plan.js';

/**
 * `mamba-cl run <benchmark>`.
 *
 * @param argv - arguments after `run`
 * @param io - where lines go
 * @returns exit code
 * @category CLI
 */
export async function runCommand(
  argv: readonly string[],
  io: { log: (line: string) => void },
): Promise<number> {
  const known = await strategyIds();
  const plan = resolveRunPlan(argv, known.length ? known : undefined);
  if (plan === 'help') {
    io.log(HELP.run());
    return 0;
  }
  throw new CliError(
    `run ${plan.preset.id}: the training pipeline is not wired yet (waiting for the cl-trainer trainer and the ssm-core VisionMamba)`,
  );
}
