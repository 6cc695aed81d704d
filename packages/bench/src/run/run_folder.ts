import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli/cli_error.js';
import type { RunResults } from '../report/run_results.js';
import { writeFileAtomic } from './atomic_write.js';
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
 * Every file but `events.jsonl` (appended line by line) is written atomically
 * ({@link writeFileAtomic}: temp file, fsync, rename), so a kill at any moment leaves the previous
 * or the new version, never a truncated one. `results.json` is rewritten after every evaluated
 * task, so a killed run leaves a partial but readable folder that `mamba-cl report` renders and
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

  /**
   * Opens an existing run folder.
   *
   * @throws {@link CliError} if `dir` does not exist, is not a folder or has no manifest
   */
  static open(dir: string): RunFolder {
    if (!existsSync(dir)) {
      throw new CliError(
        `${dir}: no such run folder`,
        'pass a folder written by "mamba-cl run" (it prints "run folder: …"; see --out)',
      );
    }
    if (!statSync(dir).isDirectory()) {
      throw new CliError(`${dir}: is a file, not a run folder`, 'pass the folder that holds manifest.json');
    }
    if (!existsSync(join(dir, RUN_FILES.manifest))) {
      throw new CliError(
        `${dir}: not a run folder (no ${RUN_FILES.manifest}); pass a folder written by "mamba-cl run" (see --out)`,
      );
    }
    return new RunFolder(dir);
  }

  /** Absolute-or-relative path of a file in the folder. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Writes `manifest.json` (atomically). */
  writeManifest(manifest: RunManifest): void {
    writeFileAtomic(this.path(RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /**
   * Reads `manifest.json`.
   *
   * @throws {@link CliError} when it is damaged (not JSON, or not a manifest): it alone records the
   *   run's command line, so the message says what can still be done
   */
  readManifest(): RunManifest {
    const path = this.path(RUN_FILES.manifest);
    const m = readJson<RunManifest>(
      path,
      (why) =>
        new CliError(
          `${path}: damaged (${why}); the run's configuration is recorded only there, so this folder cannot be resumed`,
          `start the run again with its original command line; results.json and the checkpoints in ${join(this.dir, RUN_FILES.checkpoints)} are left as they are`,
        ),
    );
    if (m === null || typeof m !== 'object' || !Array.isArray(m.argv) || typeof m.seed !== 'number') {
      throw new CliError(
        `${path}: not a mamba-cl manifest (expected "schema": "mamba-cl/manifest@1" with argv and seed)`,
        'pass a folder written by "mamba-cl run"',
      );
    }
    return m;
  }

  /** Appends one event as a JSON line to `events.jsonl` (with a `time` field added). */
  appendEvent(event: object): void {
    appendFileSync(
      this.path(RUN_FILES.events),
      `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`,
    );
  }

  /** Writes `results.json` (atomically). */
  writeResults(results: RunResults): void {
    writeFileAtomic(this.path(RUN_FILES.results), `${JSON.stringify(results, null, 2)}\n`);
  }

  /**
   * Reads `results.json`, or `undefined` if the run has not evaluated anything yet.
   *
   * @throws {@link DamagedRunFileError} when it is not valid results JSON (`run --resume` rebuilds it
   *   from the checkpoints and events.jsonl: see `resumeResults`)
   */
  readResults(): RunResults | undefined {
    const p = this.path(RUN_FILES.results);
    if (!existsSync(p)) return undefined;
    const r = readJson<RunResults>(p, (why) => new DamagedRunFileError(p, why));
    if (r === null || typeof r !== 'object' || !Array.isArray(r.strategies)) {
      throw new DamagedRunFileError(p, 'not a results file: no "strategies" list');
    }
    return r;
  }

  /** Writes any text file into the folder (atomically). */
  writeText(name: string, text: string): void {
    writeFileAtomic(this.path(name), text);
  }

  /** Folder for the trainer's checkpoints of one strategy (created). */
  checkpointDir(strategy: string): string {
    const d = join(this.dir, RUN_FILES.checkpoints, strategy);
    mkdirSync(d, { recursive: true });
    return d;
  }
}

/**
 * A run-folder file that exists but cannot be read back (truncated by a crash of an earlier
 * version, or edited by hand); a {@link CliError}, so the CLI prints it in one line with exit 2.
 *
 * @category Runs
 */
export class DamagedRunFileError extends CliError {
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(
      `${file}: damaged (${why})`,
      'run "mamba-cl run --resume <run-folder>" to rebuild it from the checkpoints and events.jsonl',
    );
  }
}

function readJson<T>(path: string, damaged: (why: string) => Error): T {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw damaged(
      `not valid JSON, ${text.length} bytes${text.length === 0 ? '' : ': '}${err instanceof Error && text.length > 0 ? err.message : ''}`,
    );
  }
}
