/**
 * Typed progress events of a run, delivered to listeners in order (the CLI renders them as progress
 * bars and writes them as JSON lines).
 *
 * @module
 */

/**
 * Where a run is: task, 0-based epoch, next batch of the epoch.
 *
 * @category Events
 */
export interface RunPosition {
  readonly task: number;
  readonly epoch: number;
  readonly batch: number;
}

/**
 * Every event of a run.
 *
 * **Details**
 * - `run-start`: once; `resumedFrom` when continuing a checkpoint.
 * - `task-start` / `task-end`: around each task.
 * - `epoch-start` / `epoch-end`: lr used; mean loss of the epoch.
 * - `step`: after every optimizer step: loss, lr (backbone group), images/s (this step), ETA of
 *   the run in seconds (from the mean step time so far, when the step counts are known).
 * - `boundary`: strategy work after a task (feature collection, projectors), with progress.
 * - `eval`: the accuracy row after a task and A_t, F_t.
 * - `checkpoint`: a checkpoint file was written.
 * - `run-end`: final accuracy matrix and metrics.
 *
 * @category Events
 */
export type TrainerEvent =
  | {
      readonly type: 'run-start';
      readonly numTasks: number;
      readonly strategy: string;
      readonly resumedFrom?: RunPosition;
    }
  | {
      readonly type: 'task-start';
      readonly task: number;
      readonly numTasks: number;
      readonly classes: readonly number[];
    }
  | {
      readonly type: 'epoch-start';
      readonly task: number;
      readonly epoch: number;
      readonly epochs: number;
      readonly lr: number;
      readonly steps?: number;
    }
  | {
      readonly type: 'step';
      readonly task: number;
      readonly epoch: number;
      readonly step: number;
      readonly steps?: number;
      readonly globalStep: number;
      readonly loss: number;
      readonly lr: number;
      readonly imagesPerSec: number;
      readonly etaSec?: number;
      /** Threads that computed this step's gradients (1, or workers + 1 with gradient workers). */
      readonly threads: number;
    }
  | {
      readonly type: 'epoch-end';
      readonly task: number;
      readonly epoch: number;
      readonly meanLoss: number;
      readonly seconds: number;
    }
  | {
      readonly type: 'boundary';
      readonly task: number;
      readonly phase: string;
      readonly done: number;
      readonly total: number;
      readonly seconds: number;
    }
  | {
      readonly type: 'eval';
      readonly task: number;
      readonly accuracies: readonly number[];
      readonly accuracy: number;
      readonly forgetting: number;
    }
  | { readonly type: 'task-end'; readonly task: number; readonly seconds: number }
  | {
      readonly type: 'checkpoint';
      readonly path: string;
      readonly position: RunPosition;
      readonly taskDone: boolean;
    }
  | {
      readonly type: 'run-end';
      readonly accuracy: readonly (readonly number[])[];
      readonly finalAccuracy: number;
      readonly averageIncrementalAccuracy: number;
      readonly forgetting: number;
    };

/**
 * A listener; a throw aborts the run (the last checkpoint stays intact).
 *
 * @category Events
 */
export type TrainerListener = (event: TrainerEvent) => void;

/**
 * One event as a JSON line (no trailing newline), with a timestamp.
 *
 * @param event - the event
 * @param now - clock (ms since epoch); default `Date.now()`
 * @returns `{"time":"…","type":"step",…}`
 * @example
 * trainer.on((e) => out.write(`${eventToJsonLine(e)}\n`));
 * @category Events
 */
export function eventToJsonLine(event: TrainerEvent, now = Date.now()): string {
  return JSON.stringify({ time: new Date(now).toISOString(), ...event });
}
