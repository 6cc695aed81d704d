import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHECKPOINT_FILE,
  ContinualTrainer,
  createStrategy,
  type JsonValue,
  type TrainerEvent,
  TrainingStopped,
} from '@mamba-cl/cl-trainer';
import type { VisionMambaConfig } from '@mamba-cl/ssm-core';
import { formatBackendChoice, selectBackend } from '@mamba-cl/ssm-core/backend';
import { CliError } from '../cli/cli_error.js';
import type { RunPlan } from '../cli/run_plan.js';
import type { BenchEvent } from '../progress/bench_event.js';
import { comparisonText, renderAggregateReport, renderRunReport, runPlots } from '../report/render_report.js';
import type { RunResults } from '../report/run_results.js';
import { strategyResult } from '../report/strategy_result.js';
import { createBackbone, resolveModelConfig } from '../wiring/model.js';
import { prepareData } from '../wiring/prepare_data.js';
import { writeFileAtomic } from './atomic_write.js';
import { machineInfo, packageVersions, type RunManifest, sha256File } from './manifest.js';
import { preflightRun } from './preflight.js';
import { ensurePretrained } from './pretrained_cache.js';
import { resumeResults } from './rebuild_results.js';
import { RUN_FILES, RunFolder } from './run_folder.js';
import { acquireRunLock } from './run_lock.js';

/**
 * Where a run's output goes: log lines and the typed event stream (progress display).
 *
 * @category Runs
 */
export interface RunIo {
  readonly log: (line: string) => void;
  readonly events?: (event: BenchEvent) => void;
  /** Aborting (Ctrl-C) stops the trainer after its current step, with a checkpoint of that step. */
  readonly signal?: AbortSignal;
}

/**
 * The outcome of {@link runBenchmark}: one run folder and results per seed (plus the summary
 * folder when several seeds ran).
 *
 * @category Runs
 */
export interface BenchmarkOutcome {
  readonly dirs: string[];
  readonly results: RunResults[];
  readonly summaryDir?: string;
  /** True when every strategy of every seed completed. */
  readonly ok: boolean;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** Fields the data forces on the model (RGB benchmarks need 3 input channels). */
export function modelOverridesFor(dataset: string, config: VisionMambaConfig): Partial<VisionMambaConfig> {
  if (dataset !== 'fashion-mnist' && config.inChans !== 3) return { inChans: 3 };
  return {};
}

/** Options of one strategy: η for Mamba-CL from the run settings, the preset's options, then the user's `--option` values. */
export function strategyOptions(id: string, plan: RunPlan): Record<string, JsonValue> {
  return {
    ...(id === 'mamba-cl' ? { eta: plan.train.eta } : {}),
    ...(plan.preset.strategyOptions?.[id] ?? {}),
    ...(plan.strategyOptions?.[id] ?? {}),
  };
}

function emptyMatrix(T: number): number[][] {
  return Array.from({ length: T }, () => new Array<number>(T).fill(0));
}

/**
 * Runs a benchmark plan: for each seed, every strategy over every task, writing a run folder.
 *
 * **Details**
 * Per seed: the backend is chosen once (`selectBackend`), the checkpoint resolved (`--weights`,
 * or the embedded default's cached pretraining), the class order and task stream built, then
 * each strategy starts from the same checkpoint and runs through `ContinualTrainer` with a
 * checkpoint folder inside the run folder. `results.json` is rewritten after every evaluation, so a
 * killed run can be reported and resumed (`--resume <dir>`: finished strategies are skipped, an
 * unfinished one continues from its last checkpoint). With several seeds a summary folder holds
 * mean ± std.
 *
 * @param plan - the validated plan
 * @param io - log lines and events
 * @returns the run folders and their results
 * @category Runs
 */
export async function runBenchmark(plan: RunPlan, io: RunIo): Promise<BenchmarkOutcome> {
  // Events before the first run folder exists (backend, pretraining) are kept and written into
  // every seed's events.jsonl.
  // before the first seed (backend, pretraining): written into every seed's events.jsonl
  const early: { time: string; event: BenchEvent }[] = [];
  // within a later seed, before its folder exists (data loading); undefined once it exists
  let pending: { time: string; event: BenchEvent }[] | undefined = early;
  const emit = (e: BenchEvent) => {
    pending?.push({ time: new Date().toISOString(), event: e });
    io.events?.(e);
  };
  const t0 = performance.now();
  const preset = plan.preset;
  const backend = await selectBackend(plan.backend);
  io.log(`backend: ${formatBackendChoice(backend)} (${backend.source})`);
  const base = resolveModelConfig(plan.model);
  const config = resolveModelConfig(plan.model, {
    ...modelOverridesFor(preset.dataset, base),
    ...(preset.image ? { imgSize: preset.image.size, inChans: preset.image.channels } : {}),
  });

  // Nothing is written before these checks pass (output and cache folders, the resumed folder's
  // lock, the --weights file against the model).
  const pre = preflightRun(plan, config);

  // The checkpoint every strategy starts from.
  let checkpoint: RunManifest['checkpoint'] = null;
  if (plan.weights !== undefined) {
    checkpoint = { path: plan.weights, sha256: await sha256File(plan.weights), origin: '--weights' };
  } else if (preset.weights.kind === 'pretrain') {
    emit({
      type: 'phase',
      phase: 'weights',
      message: `looking for the ${preset.weights.dataset}-pretrained ${plan.model} in ${plan.cacheDir}`,
    });
    const r = await ensurePretrained(config, preset.weights, {
      cacheDir: plan.cacheDir,
      onBroken: (why) =>
        emit({
          type: 'phase',
          phase: 'weights',
          message: `the cached checkpoint is broken (${why}); making it again`,
        }),
      name: plan.model.replace(/[^\w.-]+/g, '_'),
      onStart: (totalSteps) => emit({ type: 'pretrain-start', totalSteps }),
      onStep: (step, totalSteps, loss) => emit({ type: 'pretrain-step', step, totalSteps, loss }),
      onEnd: (accuracy, seconds, path) => emit({ type: 'pretrain-end', accuracy, seconds, path }),
    });
    if (!r.created) emit({ type: 'phase', phase: 'weights', message: `reusing cached ${r.path}` });
    checkpoint = {
      path: r.path,
      sha256: await sha256File(r.path),
      origin: r.created
        ? `pretrained on ${preset.weights.dataset} in this run (held-out accuracy ${r.accuracy?.toFixed(2)}%)`
        : `cached ${preset.weights.dataset} pretraining`,
    };
  }

  const seeds = plan.resume ? plan.seeds.slice(0, 1) : plan.seeds;
  const dirs: string[] = [];
  const all: RunResults[] = [];
  let ok = true;
  const runStamp = stamp();
  for (const seed of seeds) {
    if (pending !== early) pending = [];
    emit({ type: 'phase', phase: 'data', message: `loading ${preset.dataset} (seed ${seed} class order)` });
    const data = await prepareData(preset, {
      dataRoot: plan.dataRoot,
      seed,
      train: plan.train,
      imgSize: config.imgSize,
      inChans: config.inChans,
      limitTasks: plan.limitTasks,
      cacheDir: plan.cacheDir,
      workers: plan.workers,
    });
    const T = data.stream.tasks.length;
    const folder = plan.resume
      ? RunFolder.open(plan.resume)
      : RunFolder.create(join(plan.out, `${preset.id}-s${seed}-${runStamp}`));
    dirs.push(folder.dir);
    const lock = pre.lock ?? acquireRunLock(folder.dir);
    const previous = plan.resume
      ? resumeResults(
          folder,
          {
            benchmark: preset.id,
            seed,
            numTasks: T,
            classOrder: data.classOrder,
            valCounts: data.valCounts,
            strategies: plan.strategies,
          },
          io.log,
        )
      : undefined;
    if (!plan.resume) {
      const manifest: RunManifest = {
        schema: 'mamba-cl/manifest@1',
        benchmark: preset.id,
        seed,
        strategies: [...plan.strategies],
        config: {
          benchmark: preset.id,
          title: preset.title,
          source: preset.source,
          dataset: preset.dataset,
          dataRoot: plan.dataRoot ?? null,
          data: data.description,
          numTasks: T,
          classesPerTask: preset.numClasses / preset.numTasks,
          trainImagesPerTask: data.trainCounts,
          valImagesPerTask: data.valCounts,
          imageShape: data.imageShape,
          pipelines: preset.pipelines,
          model: plan.model,
          modelConfig: { ...config },
          train: { ...plan.train },
          strategyOptions: Object.fromEntries(plan.strategies.map((s) => [s, strategyOptions(s, plan)])),
          userStrategyOptions: plan.strategyOptions ?? {},
          plugins: [...(plan.plugins ?? [])],
          folder: plan.folder ?? null,
          logs: plan.logs ?? null,
          seeds: [...plan.seeds],
          limitTasks: plan.limitTasks ?? null,
          loaderWorkers: plan.workers,
          gradientWorkers: plan.gradWorkers,
          pretrain:
            preset.weights.kind === 'pretrain' && plan.weights === undefined ? { ...preset.weights } : null,
        },
        classOrder: data.classOrder,
        backend: {
          name: backend.name,
          attempts: backend.attempts.map((a) => ({ ...a })),
          ...(backend.adapter ? { adapter: { ...backend.adapter } } : {}),
        },
        checkpoint,
        packages: packageVersions(),
        machine: machineInfo(),
        argv: [...plan.argv],
        startedAt: new Date().toISOString(),
      };
      folder.writeManifest(manifest);
    }
    for (const { time, event } of pending === early ? early : [...early, ...(pending ?? [])]) {
      folder.appendEvent({ ...event, time });
    }
    pending = undefined;
    const record = (e: BenchEvent) => {
      folder.appendEvent(e);
      emit(e);
    };
    record({
      type: 'run-start',
      benchmark: preset.id,
      seed,
      strategies: plan.strategies,
      numTasks: T,
      dir: folder.dir,
    });
    const results: RunResults = {
      schema: 'mamba-cl/results@1',
      benchmark: preset.id,
      seed,
      numTasks: T,
      classOrder: data.classOrder,
      status: 'partial',
      strategies: plan.strategies.map(
        (s) =>
          previous?.strategies.find((p) => p.strategy === s) ??
          strategyResult(s, emptyMatrix(T), data.valCounts, 0, 0, 'partial'),
      ),
    };
    const save = () => folder.writeResults(results);
    save();
    for (const [k, id] of plan.strategies.entries()) {
      if (results.strategies[k].status === 'complete') {
        io.log(`${id}: already complete in ${folder.dir}, skipped`);
        continue;
      }
      record({ type: 'strategy-start', strategy: id });
      const started = performance.now();
      const before = results.strategies[k].seconds;
      const matrix = results.strategies[k].accuracyMatrix.map((r) => [...r]);
      let tasksDone = results.strategies[k].tasksDone;
      const ckDir = folder.checkpointDir(id);
      const resume = existsSync(join(ckDir, CHECKPOINT_FILE));
      const { model, missing, unexpected } = createBackbone(config, seed, checkpoint?.path);
      if (checkpoint && missing.length) {
        io.log(
          `  note: the checkpoint lacks ${missing.length} backbone parameters (kept at their initialisation): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
        );
      }
      if (unexpected.length)
        io.log(
          `  note: ${unexpected.length} checkpoint keys were not used: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''}`,
        );
      const strategy = createStrategy(id, strategyOptions(id, plan));
      try {
        const trainer = new ContinualTrainer({
          backbone: model,
          strategy,
          stream: data.stream,
          config: {
            epochs: plan.train.epochs,
            expandTimes: plan.train.expandTimes,
            lr: plan.train.lr,
            headLrScale: plan.train.headLrScale,
            weightDecay: plan.train.weightDecay,
            milestones: [...plan.train.milestones],
            gamma: plan.train.gamma,
            seed,
            workers: plan.gradWorkers,
            checkpoint: { dir: ckDir, ...(plan.checkpointEvery ? { everySteps: plan.checkpointEvery } : {}) },
          },
        });
        trainer.on((e: TrainerEvent) => {
          record({ type: 'trainer', strategy: id, event: e });
          if (e.type === 'eval') {
            e.accuracies.forEach((a, tau) => {
              matrix[e.task][tau] = a;
            });
            tasksDone = e.task + 1;
            const seconds = before + (performance.now() - started) / 1000;
            results.strategies[k] = strategyResult(id, matrix, data.valCounts, tasksDone, seconds, 'partial');
            save();
          }
        });
        const result = await trainer.run({ resume, signal: io.signal });
        // The trainer's result is authoritative (a resumed run may emit no eval for finished tasks).
        result.accuracy.forEach((row, t) => {
          row.forEach((a, tau) => {
            matrix[t][tau] = a;
          });
        });
        tasksDone = result.accuracy.length;
        const seconds = before + (performance.now() - started) / 1000;
        results.strategies[k] = strategyResult(id, matrix, data.valCounts, tasksDone, seconds, 'complete');
        save();
        const r = results.strategies[k];
        record({
          type: 'strategy-end',
          strategy: id,
          status: 'complete',
          finalAccuracy: r.finalAccuracy,
          forgetting: r.finalForgetting,
          seconds,
        });
      } catch (err) {
        ok = false;
        const msg = err instanceof Error ? err.message : String(err);
        const seconds = before + (performance.now() - started) / 1000;
        // The user stopped the run (Ctrl-C: TrainingStopped after a checkpoint, or a CliError from a
        // listener): partial, resumable.
        const stopped = err instanceof CliError || err instanceof TrainingStopped;
        const status = stopped ? 'partial' : 'failed';
        results.strategies[k] = strategyResult(id, matrix, data.valCounts, tasksDone, seconds, status, msg);
        save();
        const r = results.strategies[k];
        record({
          type: 'strategy-end',
          strategy: id,
          status,
          finalAccuracy: r.finalAccuracy,
          forgetting: r.finalForgetting,
          seconds,
          error: msg,
        });
        if (stopped) throw err;
      } finally {
        strategy.dispose();
        model.dispose();
      }
    }
    const done = results.strategies.every((s) => s.status === 'complete');
    const final: RunResults = { ...results, status: done ? 'complete' : 'partial' };
    folder.writeResults(final);
    folder.writeText(RUN_FILES.report, renderRunReport(final, folder.readManifest()));
    for (const [name, svg] of runPlots(final)) folder.writeText(name, svg);
    record({ type: 'run-end', status: final.status, seconds: (performance.now() - t0) / 1000 });
    io.log('');
    io.log(`${preset.id}, seed ${seed} (${T} tasks): accuracies in %`);
    io.log(comparisonText(final));
    io.log(`run folder: ${folder.dir} (report.md, results.json, plots)`);
    lock.release();
    all.push(final);
    ok &&= done;
  }
  let summaryDir: string | undefined;
  if (all.length > 1) {
    summaryDir = join(plan.out, `${preset.id}-${runStamp}-summary`);
    mkdirSync(summaryDir, { recursive: true });
    const { markdown, plots } = renderAggregateReport(all, dirs);
    writeFileAtomic(join(summaryDir, RUN_FILES.report), markdown);
    for (const [name, svg] of plots) writeFileAtomic(join(summaryDir, name), svg);
    io.log(`summary over ${all.length} seeds: ${join(summaryDir, RUN_FILES.report)}`);
  }
  return { dirs, results: all, summaryDir, ok };
}
