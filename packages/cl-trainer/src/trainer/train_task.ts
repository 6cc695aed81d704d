/**
 * Training one task (spec §2): a NEW {@link ProjectedAdam} (groups `backbone` ×1 and `head` ×
 * `headLrScale`, coupled L2; its moments restored when resuming inside the task), timm's MultiStep
 * schedule per 0-based epoch, `expandTimes` passes per epoch, a step per batch, and a checkpoint
 * every `checkpoint.everySteps` steps.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StoredArray } from '../checkpoint/checkpoint_file.js';
import type { RunPosition } from '../events/trainer_events.js';
import { MultiStepLR } from '../optim/multi_step_lr.js';
import { type AdamParam, ProjectedAdam } from '../optim/projected_adam.js';
import type { StrategyContext } from '../strategy/strategy.js';
import { iterateBatches } from '../stream/task_stream.js';
import type { GradientWorkers } from './parallel_step.js';
import { trainStep } from './train_step.js';
import {
  checkpointPath,
  type RunProgress,
  type SavedAdam,
  saveTrainerCheckpoint,
} from './trainer_checkpoint.js';
import type { TrainerRuntime } from './trainer_runtime.js';
import { TrainingStopped } from './training_stopped.js';

/** Where a resumed task continues, and the Adam state it had. @internal */
export interface TaskResume {
  readonly from: RunPosition;
  readonly adam?: { readonly meta: SavedAdam; readonly arrays: ReadonlyMap<string, StoredArray> };
}

/** Step timing over the run, for the ETA. @internal */
export interface StepTiming {
  steps: number;
  seconds: number;
}

/**
 * The optimizer's parameters for task t: the trainable backbone ones, then `head.*` (task t) and
 * `heads.<h>.*` for the other heads the loss covers.
 *
 * @internal
 */
export function optimizerParams(rt: TrainerRuntime, headTasks: readonly number[], t: number): AdamParam[] {
  const params: AdamParam[] = rt.trainable.map((name) => ({
    name,
    variable: rt.backbone.parameters.get(name) as tf.Variable,
    group: 'backbone',
  }));
  for (const h of headTasks) {
    const head = rt.heads.head(h);
    const prefix = h === t ? 'head' : `heads.${h}`;
    params.push({ name: `${prefix}.weight`, variable: head.weight, group: 'head' });
    params.push({ name: `${prefix}.bias`, variable: head.bias, group: 'head' });
  }
  return params;
}

/**
 * Trains task `ctx.task` for every epoch (or the rest of them, when resuming), advancing
 * `progress.globalStep`.
 *
 * @param totalSteps - optimizer steps of the whole run, when known (for the ETA)
 * @internal
 */
export async function trainTask(
  rt: TrainerRuntime,
  workers: GradientWorkers,
  ctx: StrategyContext,
  progress: RunProgress,
  timing: StepTiming,
  totalSteps: number | undefined,
  resume: TaskResume | undefined,
  stop?: AbortSignal,
): Promise<void> {
  const cfg = rt.config;
  const t = ctx.task;
  const scope = rt.strategy.lossScope ?? 'current';
  const headTasks = scope === 'seen' ? Array.from({ length: t + 1 }, (_, i) => i) : [t];
  const optimizer = new ProjectedAdam(optimizerParams(rt, headTasks, t), {
    lr: cfg.lr,
    betas: cfg.betas,
    eps: cfg.eps,
    weightDecay: cfg.weightDecay,
    lrScales: { head: cfg.headLrScale },
  });
  try {
    const saved = resume?.adam;
    if (saved) {
      const moments = new Map<string, { m: Float32Array; v: Float32Array; shape: number[] }>();
      saved.meta.names.forEach((name, i) => {
        moments.set(name, {
          m: saved.arrays.get(`adam/m/${name}`) as Float32Array,
          v: saved.arrays.get(`adam/v/${name}`) as Float32Array,
          shape: saved.meta.shapes[i] as number[],
        });
      });
      optimizer.setState({ step: saved.meta.step, lrFactor: saved.meta.lrFactor, moments });
    }
    const schedule = new MultiStepLR({ milestones: cfg.milestones, gamma: cfg.gamma });
    const trainTasks = rt.strategy.trainingTasks?.(ctx) ?? [t];
    const headClasses = rt.heads.classesOf(headTasks);
    const column = new Map(headClasses.map((c, i) => [c, i]));
    const steps = rt.stream.trainBatchCount?.({ tasks: trainTasks, expandTimes: cfg.expandTimes });
    for (let e = resume ? resume.from.epoch : 0; e < cfg.epochs; e++) {
      schedule.step(e);
      optimizer.setLrFactor(schedule.factor);
      const epochStarted = performance.now();
      rt.emit({
        type: 'epoch-start',
        task: t,
        epoch: e,
        epochs: cfg.epochs,
        lr: optimizer.groupLr('backbone'),
        ...(steps !== undefined ? { steps } : {}),
      });
      const startBatch = resume && e === resume.from.epoch ? resume.from.batch : 0;
      let lossSum = 0;
      let lossCount = 0;
      let k = startBatch;
      const source = rt.stream.train({
        tasks: trainTasks,
        epoch: e,
        expandTimes: cfg.expandTimes,
        seed: cfg.seed,
        startBatch,
      });
      for await (const batch of iterateBatches(source)) {
        const t0 = performance.now();
        const { loss, threads } = await trainStep(rt, workers.active, ctx, optimizer, batch, {
          epoch: e,
          step: k,
          headTasks,
          column,
        });
        const seconds = (performance.now() - t0) / 1000;
        timing.steps++;
        timing.seconds += seconds;
        lossSum += loss;
        lossCount++;
        progress.globalStep++;
        k++;
        const every = cfg.checkpoint?.everySteps ?? 0;
        const stopping = stop?.aborted === true;
        if (stopping || (every > 0 && progress.globalStep % every === 0)) {
          await saveTrainerCheckpoint(rt, { task: t, epoch: e, batch: k }, false, progress, optimizer);
        }
        const eta =
          totalSteps !== undefined
            ? Math.max(0, totalSteps - progress.globalStep) * (timing.seconds / timing.steps)
            : undefined;
        rt.emit({
          type: 'step',
          task: t,
          epoch: e,
          step: k - 1,
          ...(steps !== undefined ? { steps } : {}),
          globalStep: progress.globalStep,
          loss,
          lr: optimizer.groupLr('backbone'),
          imagesPerSec: batch.shape[0] / Math.max(seconds, 1e-9),
          threads,
          ...(eta !== undefined ? { etaSec: eta } : {}),
        });
        if (stopping) throw new TrainingStopped(t, e, k, checkpointPath(rt));
      }
      rt.emit({
        type: 'epoch-end',
        task: t,
        epoch: e,
        meanLoss: lossCount > 0 ? lossSum / lossCount : Number.NaN,
        seconds: (performance.now() - epochStarted) / 1000,
      });
    }
  } finally {
    optimizer.dispose();
  }
}
