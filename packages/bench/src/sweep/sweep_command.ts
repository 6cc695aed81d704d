/**
 * `mamba-cl sweep`, `mamba-cl sweep status` and `mamba-cl worker`.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { CliError } from '../cli/cli_error.js';
import { parseIntFlag } from '../cli/flag_values.js';
import { parseCli } from '../cli/parse_cli.js';
import { RUN_VALUED_FLAGS } from '../cli/run_plan.js';
import { loadPlugins } from '../plugins/load_plugins.js';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { bullmqExecutor, type SweepJobData } from './bullmq_executor.js';
import { localExecutor } from './local_executor.js';
import { checkQueueUrl, connectQueue, DEFAULT_QUEUE_NAME } from './queue_connection.js';
import { attemptsStarted, readRunState } from './run_job.js';
import { parseSweepArgs } from './sweep_args.js';
import { progressLine, type SweepExecutor, type SweepJobResult } from './sweep_executor.js';
import { writeSweepReport } from './sweep_report.js';
import { expandSweep, flagPairs, type SweepRun } from './sweep_run.js';
import { runSweepWorker } from './sweep_worker.js';

/** Help of `mamba-cl sweep` and `mamba-cl worker`. */
export const SWEEP_HELP = {
  sweep: () => `Usage: mamba-cl sweep <benchmark>[,<benchmark>…] [run flags] [sweep flags]
       mamba-cl sweep status --out DIR [--queue redis://host:port]

Expands benchmarks × strategies × seeds × hyper-parameter lists into runs (one strategy and one
seed each, named by a hash of the full configuration), runs them, prints the progress and ends with
one report: mean ± std per benchmark × strategy (× grid point) in <out>/sweep-<id>/report.md.
A run already complete in --out is skipped, a started one resumed from its checkpoint, so
resubmitting a sweep is idempotent.

Grid axes: --strategy a,b  --seed 2024,2025,2026  and comma lists of --epochs, --batch-size,
--eval-batch-size, --lr, --head-lr-scale, --weight-decay, --eta, --expand-times, --max-steps,
--limit-train, --limit-val, --limit-tasks, --model. Every other run flag is passed to every run.

Sweep flags:
  --config FILE          a sweep file (YAML or JSON): benchmarks, strategies, seeds, grid, flags,
                         executor, parallel, queue, queueName, attempts, out; flags override it
  --out DIR              the shared output folder (default ./sweeps)
  --executor local       a process pool on this machine (default), --parallel N processes (default 1)
  --executor bullmq      enqueue on Redis (--queue redis://host:port, --queue-name NAME, --attempts N
                         for failures a retry may fix, default 3); "mamba-cl worker" processes run them.
                         Ctrl-C stops waiting; queued and running jobs carry on.

Example:
  mamba-cl sweep default --strategy mamba-cl,finetune --seed 2024,2025,2026 --parallel 2
  mamba-cl sweep cifar100-10,imagenet-r-10 --seed 2024,2025,2026 --executor bullmq --queue redis://10.0.0.5:6379 --out /shared/sweeps
`,
  worker: () => `Usage: mamba-cl worker --queue redis://host:port [--concurrency N] [--until-idle]

Takes sweep jobs from the queue and runs each as "mamba-cl run" in a child process, in the run's
folder on the shared --out path of the sweep. A worker that dies loses its job locks; another
worker then resumes the job from its checkpoint. A run that fails with a usage or input error
(exit code 2: bad data root, missing weights) fails once, without retries.

Flags:
  --queue URL            redis://[user:pass@]host[:port][/db] (required)
  --queue-name NAME      default mamba-cl-sweep
  --concurrency N        jobs at once (default 1)
  --until-idle           exit once the queue has nothing waiting, delayed or running
  --lock-ms N            job lock duration in ms (default 30000): how soon a lost job is taken over
  --backend B, --grad-workers N   passed to every run this machine executes
`,
};

/** The report folder of a sweep: named by the hash of its run ids, so resubmitting rewrites it. */
function reportDir(out: string, runs: readonly SweepRun[]): string {
  const h = createHash('sha256')
    .update(runs.map((r) => r.id).join(','))
    .digest('hex')
    .slice(0, 12);
  return join(out, `sweep-${h}`);
}

/**
 * `mamba-cl sweep …`: expands, validates and executes a sweep, then writes its report.
 *
 * @param argv - the arguments after `sweep`
 * @param io - where lines go
 * @returns exit code: 0 when every run completed, 1 when one failed, 130 when interrupted
 * @category Sweeps
 */
export async function sweepCommand(
  argv: readonly string[],
  io: { log: (line: string) => void; signal?: AbortSignal },
): Promise<number> {
  if (argv[0] === 'status') return sweepStatusCommand(argv.slice(1), io);
  const args = parseSweepArgs(argv);
  if (args === 'help') {
    io.log(SWEEP_HELP.sweep());
    return 0;
  }
  // Plug-ins may add strategies and benchmark presets: load them before validating the grid.
  const trainer = await import('@mamba-cl/cl-trainer');
  const plugins = flagPairs(args.spec.passthrough, RUN_VALUED_FLAGS)
    .filter(([k]) => k === 'plugin')
    .map(([, v]) => String(v));
  await loadPlugins(plugins, trainer);
  for (const b of args.spec.benchmarks) {
    if (!BENCHMARKS.ids().includes(b)) {
      throw new CliError(
        `sweep: unknown benchmark "${b}"`,
        `known benchmarks: ${BENCHMARKS.ids().join(', ')}`,
      );
    }
  }
  const known = trainer.listStrategies().map((d) => d.id);
  for (const s of args.spec.strategies) {
    if (known.length && !known.includes(s)) {
      throw new CliError(`sweep: --strategy ${s}: unknown strategy`, `known strategies: ${known.join(', ')}`);
    }
  }
  let runs: SweepRun[];
  try {
    runs = expandSweep(
      args.spec,
      (b) => {
        const p = BENCHMARKS.get(b);
        return { strategies: p.strategies, seeds: p.seeds };
      },
      RUN_VALUED_FLAGS,
    );
  } catch (err) {
    throw new CliError(`sweep: ${(err as Error).message}`);
  }
  const executor: SweepExecutor =
    args.executor === 'bullmq'
      ? bullmqExecutor({ url: checkQueueUrl(args.queue), queueName: args.queueName, attempts: args.attempts })
      : localExecutor({ parallel: args.parallel });
  io.log(
    `sweep: ${runs.length} runs in ${args.out} (executor ${executor.name}${args.executor === 'local' ? `, ${args.parallel} at once` : `, queue ${args.queue}`})`,
  );

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  io.signal?.addEventListener('abort', onSignal, { once: true });
  process.once('SIGINT', onSignal);
  let results: SweepJobResult[];
  try {
    results = await executor.execute(
      runs,
      args.out,
      {
        onProgress: (p) => io.log(progressLine(p)),
        onJob: (j) => {
          if (j.status === 'failed') io.log(`  failed: ${j.run.dirName}: ${j.error ?? ''}`);
        },
      },
      controller.signal,
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  const dir = reportDir(args.out, runs);
  const finished = results.filter((r) => r.status === 'complete' || r.status === 'skipped');
  if (finished.length) {
    writeSweepReport(dir, results);
    io.log(`sweep report: ${join(dir, 'report.md')}`);
  }
  const pending = results.filter((r) => r.status === 'pending').length;
  if (controller.signal.aborted && pending) {
    io.log(
      args.executor === 'bullmq'
        ? `stopped waiting; ${pending} jobs stay queued or running on the workers. Progress: mamba-cl sweep status --queue ${args.queue} --out ${args.out}`
        : `stopped; ${pending} runs unfinished (their checkpoints are kept). Resume: run the same sweep command again`,
    );
    return 130;
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

/**
 * `mamba-cl sweep status --out DIR [--queue URL]`: the runs found in a sweep folder (complete,
 * partial) and, with a queue, its jobs by state.
 *
 * @param argv - the arguments after `sweep status`
 * @param io - where lines go
 * @returns exit code 0
 * @category Sweeps
 */
export async function sweepStatusCommand(
  argv: readonly string[],
  io: { log: (line: string) => void },
): Promise<number> {
  const { values: v } = parseCli('sweep status', argv, {
    out: { type: 'string' },
    queue: { type: 'string' },
    'queue-name': { type: 'string' },
  });
  const out = resolve(typeof v.out === 'string' ? v.out : 'sweeps');
  if (!existsSync(out))
    throw new CliError(`sweep status: ${out} does not exist`, 'pass the --out of the sweep');
  const jobs = readdirSync(out, { withFileTypes: true }).filter(
    (e) => e.isDirectory() && existsSync(join(out, e.name, 'attempts.jsonl')),
  );
  const disk = { complete: 0, partial: 0, absent: 0 };
  for (const j of jobs) disk[readRunState(join(out, j.name)).status]++;
  io.log(`${out}: ${jobs.length} runs started here: ${disk.complete} complete, ${disk.partial} unfinished`);
  for (const j of jobs) {
    const s = readRunState(join(out, j.name));
    const attempts = attemptsStarted(join(out, j.name));
    io.log(`  ${s.status.padEnd(8)} ${j.name} (${attempts} attempt${attempts === 1 ? '' : 's'})`);
  }
  if (typeof v.queue === 'string') {
    const connection = await connectQueue(v.queue);
    const queue = new Queue<SweepJobData>(
      typeof v['queue-name'] === 'string' ? v['queue-name'] : DEFAULT_QUEUE_NAME,
      {
        connection,
      },
    );
    try {
      const all = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);
      const mine = all.filter((j) => j?.data?.out === out);
      const by = new Map<string, number>();
      for (const j of mine) {
        const s = await j.getState();
        by.set(s, (by.get(s) ?? 0) + 1);
      }
      io.log(
        `queue ${v.queue}: ${mine.length} jobs of this folder: ${[...by].map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`,
      );
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }
  return 0;
}

/**
 * `mamba-cl worker --queue URL …`: runs sweep jobs until stopped (or idle with `--until-idle`).
 *
 * @param argv - the arguments after `worker`
 * @param io - where lines go
 * @returns exit code 0
 * @category Sweeps
 */
export async function workerCommand(
  argv: readonly string[],
  io: { log: (line: string) => void; signal?: AbortSignal },
): Promise<number> {
  const { values: v } = parseCli('worker', argv, {
    queue: { type: 'string' },
    'queue-name': { type: 'string' },
    concurrency: { type: 'string' },
    'until-idle': { type: 'boolean' },
    'lock-ms': { type: 'string' },
    backend: { type: 'string' },
    'grad-workers': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.log(SWEEP_HELP.worker());
    return 0;
  }
  const url = checkQueueUrl(typeof v.queue === 'string' ? v.queue : undefined);
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const machineFlags = [
    ...(str('backend') ? ['--backend', str('backend') as string] : []),
    ...(str('grad-workers')
      ? ['--grad-workers', String(parseIntFlag('grad-workers', str('grad-workers') as string, 0))]
      : []),
  ];
  const controller = new AbortController();
  const stop = () => controller.abort();
  io.signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const counts = await runSweepWorker({
      url,
      queueName: str('queue-name'),
      concurrency: str('concurrency') ? parseIntFlag('concurrency', str('concurrency') as string) : 1,
      untilIdle: v['until-idle'] === true,
      lockMs: str('lock-ms') ? parseIntFlag('lock-ms', str('lock-ms') as string, 1000) : undefined,
      machineFlags,
      log: io.log,
      signal: controller.signal,
    });
    io.log(`worker: ${counts.complete} complete, ${counts.skipped} skipped, ${counts.failed} failed`);
    return 0;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}
