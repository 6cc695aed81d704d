/**
 * The class-incremental task loop (spec §2, §6): resume from the checkpoint, then per task the
 * head, `beforeTask`, training, `afterTask`, evaluation of every seen task, and a checkpoint.
 *
 * @module
 */
import type { RunPosition } from '../events/trainer_events.js';
import {
  accuracyAfterTask,
  type ContinualMetrics,
  continualMetrics,
  forgettingOfficial,
} from '../metrics/accuracy_metrics.js';
import { evaluateSeenTasks } from './evaluate.js';
import type { GradientWorkers } from './parallel_step.js';
import { type StepTiming, type TaskResume, trainTask } from './train_task.js';
import { type RunProgress, restoreTrainerCheckpoint, saveTrainerCheckpoint } from './trainer_checkpoint.js';
import type { TrainerRuntime } from './trainer_runtime.js';

/**
 * Result of a run.
 *
 * @category Trainer
 */
export interface RunResult {
  /** a[t][τ] in percent (0–100); row t has t+1 entries. */
  readonly accuracy: number[][];
  /** Validation images per task (n_τ). */
  readonly evalCounts: number[];
  /** Metrics of {@link continualMetrics}. */
  readonly metrics: ContinualMetrics;
  /** Optimizer steps taken over the whole run (resumed runs include the steps before the checkpoint). */
  readonly steps: number;
}

function estimateTotalSteps(rt: TrainerRuntime): number | undefined {
  if (!rt.stream.trainBatchCount) return undefined;
  let total = 0;
  for (let t = 0; t < rt.stream.tasks.length; t++) {
    const tasks = rt.strategy.trainingTasks?.(rt.context(t)) ?? [t];
    total += rt.config.epochs * rt.stream.trainBatchCount({ tasks, expandTimes: rt.config.expandTimes });
  }
  return total;
}

/**
 * Runs the whole stream (or its rest, when resuming).
 *
 * @param workers - the run's gradient workers (the caller frees them)
 * @param options - `resume: true` continues from the checkpoint in `config.checkpoint.dir`;
 *   aborting `signal` stops after the current step with a checkpoint ({@link TrainingStopped})
 * @internal
 */
export async function runTaskLoop(
  rt: TrainerRuntime,
  workers: GradientWorkers,
  options: { resume?: boolean; signal?: AbortSignal },
): Promise<RunResult> {
  const T = rt.stream.tasks.length;
  const progress: RunProgress = { globalStep: 0, accuracy: [], evalCounts: [] };
  let start: RunPosition = { task: 0, epoch: 0, batch: 0 };
  let midTask: TaskResume | undefined;

  if (options.resume) {
    const { meta, arrays } = restoreTrainerCheckpoint(rt);
    await rt.strategy.onResume?.(rt.context(meta.position.task));
    progress.accuracy = meta.accuracy.map((r) => [...r]);
    progress.evalCounts = [...meta.evalCounts];
    progress.globalStep = meta.globalStep;
    start = meta.position;
    if (!meta.taskDone)
      midTask = { from: start, ...(meta.adam ? { adam: { meta: meta.adam, arrays } } : {}) };
  }
  rt.emit({
    type: 'run-start',
    numTasks: T,
    strategy: rt.strategy.id,
    ...(options.resume ? { resumedFrom: start } : {}),
  });

  const totalSteps = estimateTotalSteps(rt);
  const timing: StepTiming = { steps: 0, seconds: 0 };

  for (let t = start.task; t < T; t++) {
    const resume = t === start.task ? midTask : undefined;
    const taskStarted = performance.now();
    const ctx = rt.context(t);
    if (!resume) {
      rt.heads.startTask(t, rt.stream.tasks[t].classes);
      rt.emit({ type: 'task-start', task: t, numTasks: T, classes: rt.stream.tasks[t].classes });
      await rt.strategy.beforeTask?.(ctx);
    } else {
      rt.emit({ type: 'task-start', task: t, numTasks: T, classes: rt.stream.tasks[t].classes });
    }
    await workers.sync();
    await trainTask(rt, workers, ctx, progress, timing, totalSteps, resume, options.signal);
    await rt.strategy.afterTask?.(ctx);
    const row = await evaluateSeenTasks(rt, t, progress.evalCounts);
    progress.accuracy = [...progress.accuracy.slice(0, t), row];
    rt.emit({
      type: 'eval',
      task: t,
      accuracies: row,
      accuracy: accuracyAfterTask(progress.accuracy, progress.evalCounts, t),
      forgetting: forgettingOfficial(progress.accuracy, t),
    });
    rt.emit({ type: 'task-end', task: t, seconds: (performance.now() - taskStarted) / 1000 });
    await saveTrainerCheckpoint(rt, { task: t + 1, epoch: 0, batch: 0 }, true, progress, undefined);
  }
  const { accuracy, evalCounts, globalStep } = progress;
  const metrics = continualMetrics(accuracy, evalCounts);
  rt.emit({
    type: 'run-end',
    accuracy,
    finalAccuracy: metrics.finalAccuracy,
    averageIncrementalAccuracy: metrics.averageIncrementalAccuracy,
    forgetting: metrics.forgetting,
  });
  return { accuracy, evalCounts, metrics, steps: globalStep };
}
