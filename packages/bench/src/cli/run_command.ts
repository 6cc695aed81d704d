import { resolve } from 'node:path';
import { eventProgress } from '../progress/event_progress.js';
import { ProgressBar } from '../progress/progress_bar.js';
import { RunFolder } from '../run/run_folder.js';
import { strategyIds } from '../wiring/available.js';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { resolveRunPlan } from './run_plan.js';

/**
 * The arguments a `--resume <dir>` run continues with: the original command line of the run
 * folder (its manifest), so the configuration is exactly the one it started with.
 *
 * @param argv - arguments after `run` (holding `--resume`)
 * @returns the arguments to plan with, and the seed of the folder
 * @category CLI
 */
export function resumeArgs(
  argv: readonly string[],
): { argv: string[]; seed: number; dir: string } | undefined {
  const i = argv.findIndex((a) => a === '--resume' || a.startsWith('--resume='));
  if (i < 0) return undefined;
  const dir = argv[i].includes('=') ? argv[i].slice('--resume='.length) : argv[i + 1];
  if (dir === undefined)
    throw new CliError('run: --resume needs a run folder', 'usage: mamba-cl run --resume <run-dir>');
  const others = argv.filter((_, k) => k !== i && !(k === i + 1 && !argv[i].includes('=')));
  const allowed = new Set(['--no-progress', '--backend', '--workers', '--grad-workers']);
  const valued = new Set(['--backend', '--workers', '--grad-workers']);
  const extra = others.filter(
    (a, k) => a.startsWith('-') && !allowed.has(a.split('=')[0]) && !valued.has(others[k - 1]),
  );
  if (extra.length) {
    throw new CliError(
      `run --resume: ${extra.join(' ')} cannot change a run that has started`,
      'a resumed run keeps the configuration in its manifest.json; only --backend, --workers, --grad-workers and --no-progress may be given',
    );
  }
  const manifest = RunFolder.open(dir).readManifest();
  const original = manifest.argv[0] === 'run' ? manifest.argv.slice(1) : [...manifest.argv];
  const cleaned = original.filter(
    (a, k) => !(a === '--seed' || original[k - 1] === '--seed' || a.startsWith('--seed=')),
  );
  return {
    argv: [...cleaned, '--seed', String(manifest.seed), ...others.filter((a) => !a.startsWith('--resume'))],
    seed: manifest.seed,
    dir: resolve(dir),
  };
}

/**
 * `mamba-cl run <benchmark>`: validates the flags, runs the strategies, prints the comparison.
 *
 * @param argv - arguments after `run`
 * @param io - where lines go; `progress` (default stderr) receives the bars
 * @returns exit code (0 when every strategy completed)
 * @category CLI
 */
export async function runCommand(
  argv: readonly string[],
  io: {
    log: (line: string) => void;
    progress?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  },
): Promise<number> {
  const known = await strategyIds();
  const resumed = resumeArgs(argv);
  const plan0 = resolveRunPlan(resumed ? resumed.argv : argv, known.length ? known : undefined);
  if (plan0 === 'help') {
    io.log(HELP.run());
    return 0;
  }
  const plan = resumed ? { ...plan0, resume: resumed.dir } : plan0;
  const stream = io.progress ?? process.stderr;
  const bar = new ProgressBar(stream, plan.progress ? {} : { tty: false });
  const { runBenchmark } = await import('../run/run_benchmark.js');
  const outcome = await runBenchmark(plan, { log: io.log, events: eventProgress(bar) });
  return outcome.ok ? 0 : 1;
}
