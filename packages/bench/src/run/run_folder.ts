import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResults } from '../report/run_results.js';
import type { RunManifest } from './manifest.js';

/**
 * File names inside a run folder.
 *
 * @category Runs
 */
export const RUN_FILES = {
  manifest: 'manifest.json',
  events: 'events.jsonl',
  results: 'results.json',
  report: 'report.md',
  heatmap: (strategy: string) => `accuracy_matrix_${strategy}.svg`,
  accuracyPlot: 'accuracy_per_task.svg',
  forgettingPlot: 'forgetting_per_task.svg',
  checkpoints: 'checkpoints',
} as const;

/**
 * A run folder on disk: `manifest.json`, `events.jsonl`, `results.json`, `report.md`, SVG plots and
 * `checkpoints/`.
 *
 * **Details**
 * `results.json` is rewritten (atomically enough: whole-file write) after every evaluated task, so
 * a killed run leaves a partial but readable folder that `mamba-cl report` renders and
 * `mamba-cl run --resume` continues.
 *
 * @example
 * const folder = RunFolder.create('runs/default-s2024-20260101T000000');
 * folder.writeManifest(manifest);
 * folder.appendEvent({ type: 'task-end', task: 0 });
 * @category Runs
 */
export class RunFolder {
  private constructor(readonly dir: string) {}

  /** Creates the folder (and parents). */
  static create(dir: string): RunFolder {
    mkdirSync(dir, { recursive: true });
    return new RunFolder(dir);
  }

  /** Opens an existing run folder; throws if it has no manifest. */
  static open(dir: string): RunFolder {
    if (!existsSync(join(dir, RUN_FILES.manifest))) {
      throw new Error(
        `${dir}: not a run folder (no ${RUN_FILES.manifest}); pass a folder written by "mamba-cl run" (see --out)`,
      );
    }
    return new RunFolder(dir);
  }

  /** Absolute-or-relative path of a file in the folder. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Writes `manifest.json`. */
  writeManifest(manifest: RunManifest): void {
    writeFileSync(this.path(RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Reads `manifest.json`. */
  readManifest(): RunManifest {
    return readJson<RunManifest>(this.path(RUN_FILES.manifest));
  }

  /** Appends one event as a JSON line to `events.jsonl` (with a `time` field added). */
  appendEvent(event: object): void {
    appendFileSync(
      this.path(RUN_FILES.events),
      `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`,
    );
  }

  /** Writes `results.json`. */
  writeResults(results: RunResults): void {
    writeFileSync(this.path(RUN_FILES.results), `${JSON.stringify(results, null, 2)}\n`);
  }

  /** Reads `results.json`, or `undefined` if the run has not evaluated anything yet. */
  readResults(): RunResults | undefined {
    const p = this.path(RUN_FILES.results);
    return existsSync(p) ? readJson<RunResults>(p) : undefined;
  }

  /** Writes any text file into the folder. */
  writeText(name: string, text: string): void {
    writeFileSync(this.path(name), text);
  }

  /** Folder for the trainer's checkpoints of one strategy (created). */
  checkpointDir(strategy: string): string {
    const d = join(this.dir, RUN_FILES.checkpoints, strategy);
    mkdirSync(d, { recursive: true });
    return d;
  }
}

function readJson<T>(path: string): T {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}
