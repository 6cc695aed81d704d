/**
 * The log files of a run folder that users' tools read: `metrics.csv`, `loss.csv` and TensorBoard
 * event files under `tensorboard/<strategy>/`, fed from the run's event stream.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEvent, BenchEventSink } from '../progress/bench_event.js';
import type { RunResults } from '../report/run_results.js';
import { CsvFile, csvField } from './csv_file.js';
import { TfEventsWriter } from './tfevents_writer.js';

/**
 * Names of the log files inside a run folder.
 *
 * @category Logs
 */
export const LOG_FILES = {
  /** One row per strategy and task: accuracy, forgetting, and the accuracy on each seen task. */
  metrics: 'metrics.csv',
  /** One row per optimizer step: loss and learning rate. */
  loss: 'loss.csv',
  /** One row per strategy with every final metric of results.json (rewritten at the end of a run). */
  summary: 'summary.csv',
  /** TensorBoard logdir; one sub-folder (a TensorBoard "run") per strategy. */
  tensorboard: 'tensorboard',
} as const;

/**
 * Which logs to write.
 *
 * @category Logs
 */
export interface LogKinds {
  readonly csv: boolean;
  readonly tensorboard: boolean;
}

/**
 * Writes the CSV and TensorBoard logs of one run folder from its events.
 *
 * **Details**
 * `loss.csv`: `seed,strategy,task,epoch,step,global_step,loss,lr` per optimizer step (task, epoch
 * and step count from 1). `metrics.csv`: `seed,strategy,task,accuracy,forgetting,acc_task_1…acc_task_T`
 * after each task's evaluation (average accuracy over the seen tasks and forgetting, in %).
 * `summary.csv` at the end of the run: every final metric of `results.json` per strategy
 * ({@link summaryCsv}). TensorBoard, per strategy: `train/loss`, `train/lr` at the global step, `train/epoch_loss` at the
 * epoch's last step, and `eval/accuracy`, `eval/forgetting`, `eval/accuracy_task_<τ>` at step =
 * the number of tasks learned. A resumed run appends to the CSVs and opens new event files.
 *
 * @category Logs
 */
export class RunLogs {
  private readonly metrics?: CsvFile;
  private readonly loss?: CsvFile;
  private readonly boards = new Map<string, TfEventsWriter>();
  private readonly lastStep = new Map<string, number>();

  /**
   * @param dir - the run folder
   * @param seed - the run's seed (a column of every row)
   * @param numTasks - T, for the per-task columns
   * @param kinds - which logs
   * @param now - clock in ms (tests)
   */
  constructor(
    readonly dir: string,
    readonly seed: number,
    numTasks: number,
    private readonly kinds: LogKinds,
    private readonly now: () => number = Date.now,
  ) {
    if (kinds.csv) {
      this.metrics = new CsvFile(join(dir, LOG_FILES.metrics), [
        'seed',
        'strategy',
        'task',
        'accuracy',
        'forgetting',
        ...Array.from({ length: numTasks }, (_, i) => `acc_task_${i + 1}`),
      ]);
      this.loss = new CsvFile(join(dir, LOG_FILES.loss), [
        'seed',
        'strategy',
        'task',
        'epoch',
        'step',
        'global_step',
        'loss',
        'lr',
      ]);
    }
  }

  private writeSummary(): void {
    const path = join(this.dir, 'results.json');
    if (!this.kinds.csv || !existsSync(path)) return;
    const results = JSON.parse(readFileSync(path, 'utf8')) as RunResults;
    writeFileSync(join(this.dir, LOG_FILES.summary), summaryCsv(results));
  }

  private board(strategy: string): TfEventsWriter | undefined {
    if (!this.kinds.tensorboard) return undefined;
    let w = this.boards.get(strategy);
    if (w === undefined) {
      w = new TfEventsWriter(
        join(this.dir, LOG_FILES.tensorboard, strategy.replace(/[^\w.-]+/g, '_')),
        this.now,
      );
      this.boards.set(strategy, w);
    }
    return w;
  }

  /** Takes one event of the run (others than trainer events and run-end are ignored). */
  event(e: BenchEvent): void {
    if (e.type === 'run-end') {
      this.writeSummary();
      return;
    }
    if (e.type !== 'trainer') return;
    const s = e.strategy;
    const t = e.event;
    if (t.type === 'step') {
      this.lastStep.set(s, t.globalStep);
      this.loss?.row([this.seed, s, t.task + 1, t.epoch + 1, t.step + 1, t.globalStep, t.loss, t.lr]);
      this.board(s)?.scalars(t.globalStep, { 'train/loss': t.loss, 'train/lr': t.lr });
    } else if (t.type === 'epoch-end') {
      this.board(s)?.scalars(this.lastStep.get(s) ?? 0, { 'train/epoch_loss': t.meanLoss });
    } else if (t.type === 'eval') {
      this.metrics?.row([this.seed, s, t.task + 1, t.accuracy, t.forgetting, ...t.accuracies]);
      const scalars: Record<string, number> = {
        'eval/accuracy': t.accuracy,
        'eval/forgetting': t.forgetting,
      };
      t.accuracies.forEach((a, tau) => {
        scalars[`eval/accuracy_task_${tau + 1}`] = a;
      });
      this.board(s)?.scalars(t.task + 1, scalars);
    }
  }
}

/** The columns of `summary.csv`. */
const SUMMARY_HEADER = [
  'seed',
  'strategy',
  'status',
  'tasks_done',
  'final_accuracy',
  'average_incremental_accuracy',
  'forgetting',
  'forgetting_standard',
  'backward_transfer',
  'seconds',
] as const;

/**
 * `summary.csv` of a run folder from its `results.json`: one row per strategy with every final
 * metric, then `accuracy_after_task_<t>` and `forgetting_after_task_<t>` for each task.
 *
 * @param results - the run's results
 * @returns the CSV text
 * @category Logs
 */
export function summaryCsv(results: RunResults): string {
  const T = results.numTasks;
  const header = [
    ...SUMMARY_HEADER,
    ...Array.from({ length: T }, (_, t) => `accuracy_after_task_${t + 1}`),
    ...Array.from({ length: T }, (_, t) => `forgetting_after_task_${t + 1}`),
  ];
  const rows = results.strategies.map((s) =>
    [
      results.seed,
      s.strategy,
      s.status,
      s.tasksDone,
      s.finalAccuracy,
      s.averageIncrementalAccuracy,
      s.finalForgetting,
      s.finalForgettingStandard,
      s.backwardTransfer,
      s.seconds,
      ...Array.from({ length: T }, (_, t) => (t < s.tasksDone ? s.accuracyAfterTask[t] : undefined)),
      ...Array.from({ length: T }, (_, t) => (t < s.tasksDone ? s.forgettingAfterTask[t] : undefined)),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/**
 * An event sink that opens the logs of each run folder at its `run-start` event and feeds them.
 *
 * @param kinds - which logs (both off: a sink that does nothing)
 * @returns the sink
 * @category Logs
 */
export function runLogSink(kinds: LogKinds): BenchEventSink {
  let logs: RunLogs | undefined;
  return (e) => {
    if (!kinds.csv && !kinds.tensorboard) return;
    if (e.type === 'run-start') logs = new RunLogs(e.dir, e.seed, e.numTasks, kinds);
    else logs?.event(e);
  };
}
