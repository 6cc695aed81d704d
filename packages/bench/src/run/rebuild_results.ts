/**
 * `results.json` for a resumed run when the file is damaged: rebuilt from what the run folder still
 * holds — each strategy's trainer checkpoint (its accuracy rows and position, CRC-checked) and
 * `events.jsonl` (evaluation rows, finished strategies and their times; a torn last line is skipped).
 *
 * @module
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, readCheckpointFile } from '@mamba-cl/cl-trainer';
import type { RunResults, StrategyResult } from '../report/run_results.js';
import { strategyResult } from '../report/strategy_result.js';
import { DamagedRunFileError, RUN_FILES, type RunFolder } from './run_folder.js';

/** What the runner knows about the run it resumes. @category Runs */
export interface ResumeShape {
  readonly benchmark: string;
  readonly seed: number;
  readonly numTasks: number;
  readonly classOrder: number[];
  readonly valCounts: number[];
  readonly strategies: readonly string[];
}

interface EventLine {
  type?: string;
  strategy?: string;
  status?: string;
  seconds?: number;
  event?: { type?: string; task?: number; accuracies?: number[] };
}

function readEvents(path: string): EventLine[] {
  if (!existsSync(path)) return [];
  const out: EventLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as EventLine);
    } catch {
      // a line torn by a kill: skipped
    }
  }
  return out;
}

/**
 * Rebuilds the results of a run folder from its checkpoints and events.
 *
 * @param folder - the run folder
 * @param shape - tasks, val counts and strategies of the run (from its manifest and data)
 * @returns the results, every strategy `partial` unless its checkpoint or a `strategy-end` event
 *   says it finished
 * @category Runs
 */
export function rebuildResults(folder: RunFolder, shape: ResumeShape): RunResults {
  const T = shape.numTasks;
  const events = readEvents(folder.path(RUN_FILES.events));
  const strategies = shape.strategies.map((id): StrategyResult => {
    const matrix = Array.from({ length: T }, () => new Array<number>(T).fill(0));
    let tasksDone = 0;
    let complete = false;
    // evaluation rows from the log
    for (const e of events) {
      if (e.type === 'trainer' && e.strategy === id && e.event?.type === 'eval') {
        const t = e.event.task;
        const row = e.event.accuracies;
        if (Number.isSafeInteger(t) && (t as number) < T && Array.isArray(row)) {
          row.slice(0, T).forEach((a, tau) => {
            if (typeof a === 'number') matrix[t as number][tau] = a;
          });
          tasksDone = Math.max(tasksDone, (t as number) + 1);
        }
      }
    }
    const ends = events.filter((e) => e.type === 'strategy-end' && e.strategy === id);
    const last = ends.at(-1);
    const seconds = typeof last?.seconds === 'number' ? last.seconds : 0;
    if (last?.status === 'complete') complete = tasksDone === T;
    // the checkpoint is authoritative where it exists and reads back
    const ck = join(folder.dir, RUN_FILES.checkpoints, id, CHECKPOINT_FILE);
    if (existsSync(ck)) {
      try {
        const meta = readCheckpointFile(ck).meta as {
          accuracy?: number[][];
          position?: { task?: number };
          taskDone?: boolean;
        };
        if (Array.isArray(meta.accuracy)) {
          meta.accuracy.slice(0, T).forEach((row, t) => {
            row.slice(0, T).forEach((a, tau) => {
              matrix[t][tau] = a;
            });
          });
          tasksDone = Math.max(tasksDone, Math.min(T, meta.accuracy.length));
        }
        if (meta.taskDone === true && (meta.position?.task ?? 0) >= T) complete = tasksDone === T;
      } catch {
        // a damaged checkpoint: the trainer reports it when this strategy resumes
      }
    }
    return strategyResult(id, matrix, shape.valCounts, tasksDone, seconds, complete ? 'complete' : 'partial');
  });
  return {
    schema: 'mamba-cl/results@1',
    benchmark: shape.benchmark,
    seed: shape.seed,
    numTasks: T,
    classOrder: shape.classOrder,
    status: strategies.every((s) => s.status === 'complete') ? 'complete' : 'partial',
    strategies,
  };
}

/**
 * The results a resumed run continues from: `results.json`, or, when that file is damaged, the
 * results rebuilt by {@link rebuildResults} (the damaged file is kept as `results.json.damaged`).
 *
 * @param log - told when the file was rebuilt
 * @returns the results, or `undefined` when the run has not written any yet
 * @category Runs
 */
export function resumeResults(
  folder: RunFolder,
  shape: ResumeShape,
  log: (line: string) => void = () => {},
): RunResults | undefined {
  try {
    return folder.readResults();
  } catch (err) {
    if (!(err instanceof DamagedRunFileError)) throw err;
    const rebuilt = rebuildResults(folder, shape);
    renameSync(err.file, `${err.file}.damaged`);
    folder.writeResults(rebuilt);
    log(
      `${err.file} was damaged (${err.why}); rebuilt from the checkpoints and ${RUN_FILES.events} (the old file is kept as ${RUN_FILES.results}.damaged)`,
    );
    return rebuilt;
  }
}
