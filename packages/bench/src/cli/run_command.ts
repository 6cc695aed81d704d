import { resolve } from 'node:path';
import type { StrategyDefinition } from '@mamba-cl/cl-trainer';
import { runLogSink } from '../logs/run_logs.js';
import { loadPlugins } from '../plugins/load_plugins.js';
import type { BenchEvent } from '../progress/bench_event.js';
import { eventProgress } from '../progress/event_progress.js';
import { ProgressBar } from '../progress/progress_bar.js';
import { RunFolder } from '../run/run_folder.js';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { expandConfig, pluginSpecs, resolveRunPlan } from './run_plan.js';

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
  const rest = argv.filter((_, k) => k !== i && !(k === i + 1 && !argv[i].includes('=')));
  const valuedFlags = new Set(['--backend', '--workers', '--grad-workers']);
  // Positionals: a benchmark named beside --resume must be the folder's.
  const positionals = rest.filter(
    (a, k) => !a.startsWith('-') && !(k > 0 && valuedFlags.has(rest[k - 1]) && !rest[k - 1].includes('=')),
  );
  const others = rest.filter((a) => !positionals.includes(a));
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
  let manifest: ReturnType<RunFolder['readManifest']>;
  try {
    manifest = RunFolder.open(dir).readManifest();
  } catch (err) {
    // RunFolder's errors already name the folder (and say what to do): keep them whole.
    // ("run --resume /x: no such run folder"), not "run --resume /x: /x: …".
    if (err instanceof CliError) throw new CliError(`run --resume ${err.message}`, err.hint);
    throw new CliError(`run --resume ${err instanceof Error ? err.message : String(err)}`);
  }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== manifest.benchmark)) {
    throw new CliError(
      `run ${positionals.join(' ')} --resume ${dir}: that folder is a ${manifest.benchmark} run, not ${positionals.join(' ')}`,
      `resume it with: mamba-cl run ${manifest.benchmark} --resume ${dir} (or omit the benchmark)`,
    );
  }
  const original = manifest.argv[0] === 'run' ? manifest.argv.slice(1) : [...manifest.argv];
  const cleaned = original.filter(
    (a, k) => !(a === '--seed' || original[k - 1] === '--seed' || a.startsWith('--seed=')),
  );
  // Plug-ins as the run resolved them (absolute paths), so a resume works from any folder.
  const recorded = (manifest.config as { plugins?: unknown }).plugins;
  if (Array.isArray(recorded)) {
    let p = 0;
    cleaned.forEach((a, k) => {
      if (a === '--plugin' && k + 1 < cleaned.length && p < recorded.length)
        cleaned[k + 1] = String(recorded[p++]);
      else if (a.startsWith('--plugin=') && p < recorded.length)
        cleaned[k] = `--plugin=${String(recorded[p++])}`;
    });
  }
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
    /** Handle SIGINT/SIGTERM (default true). */
    signals?: boolean;
  },
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.log(HELP.run());
    return 0;
  }
  const resumed = resumeArgs(argv);
  const args = expandConfig(resumed ? resumed.argv : argv);
  const trainer = await import('@mamba-cl/cl-trainer');
  await loadPlugins(pluginSpecs(args), trainer);
  const known = trainer.listStrategies().map((s) => s.id);
  const definition = (id: string): StrategyDefinition | undefined =>
    known.includes(id) ? trainer.getStrategyDefinition(id) : undefined;
  const plan0 = resolveRunPlan(args, known, definition);
  if (plan0 === 'help') {
    io.log(HELP.run());
    return 0;
  }
  const plan = resumed ? { ...plan0, resume: resumed.dir } : plan0;
  const stream = io.progress ?? process.stderr;
  const bar = new ProgressBar(stream, plan.progress ? {} : { tty: false });
  const { runBenchmark } = await import('../run/run_benchmark.js');
  const progress = eventProgress(bar);
  const logs = runLogSink(plan.logs);
  // Ctrl-C / SIGTERM abort the trainer's signal: it finishes the current step, writes a checkpoint
  // of exactly that point and throws TrainingStopped. A second signal exits at once.
  let stop: string | undefined;
  let dir: string | undefined = plan.resume;
  const halt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop !== undefined || io.signals === false) {
      io.log(`\n${signal} again: exiting now${dir ? `; resume with: mamba-cl run --resume ${dir}` : ''}`);
      process.exit(130);
    }
    stop = signal;
    halt.abort();
    io.log(
      `\n${signal}: stopping after the current step, with a checkpoint there; ${signal} again to exit at once`,
    );
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  if (io.signals !== false) for (const s of signals) process.on(s, onSignal);
  const events = (e: BenchEvent) => {
    if (e.type === 'run-start') dir = e.dir;
    logs(e);
    progress(e);
  };
  try {
    const outcome = await runBenchmark(plan, { log: io.log, events, signal: halt.signal });
    return outcome.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof trainer.TrainingStopped) {
      io.log(
        `stopped by ${stop}; checkpoint written at task ${err.task + 1}, epoch ${err.epoch + 1}, after batch ${err.batch}`,
      );
      io.log(`resume with: mamba-cl run --resume ${dir ?? plan.out}`);
      return 130;
    }
    throw err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
