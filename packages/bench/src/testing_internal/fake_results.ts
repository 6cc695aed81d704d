import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { RunResults, StrategyResult } from '../report/run_results.js';
import { strategyResult as buildStrategyResult } from '../report/strategy_result.js';
import type { RunManifest } from '../run/manifest.js';
import { machineInfo } from '../run/manifest.js';
import { RunFolder } from '../run/run_folder.js';

/** A strategy result built from a matrix, as the runner builds it (100 evaluation images per task, 12 s). */
export function strategyResult(
  strategy: string,
  matrix: number[][],
  tasksDone = matrix.length,
): StrategyResult {
  return buildStrategyResult(
    strategy,
    matrix,
    matrix.map(() => 100),
    tasksDone,
    12,
    tasksDone === matrix.length ? 'complete' : 'partial',
  );
}

/** Results of a 3-task run: mamba-cl forgets little, finetune a lot. */
export function fakeResults(seed = 2024, shift = 0): RunResults {
  return {
    schema: 'mamba-cl/results@1',
    benchmark: 'default',
    seed,
    numTasks: 3,
    classOrder: [4, 1, 0, 5, 3, 2],
    status: 'complete',
    strategies: [
      strategyResult('mamba-cl', [
        [95 + shift, 0, 0],
        [90 + shift, 92, 0],
        [88 + shift, 85, 90],
      ]),
      strategyResult('finetune', [
        [96, 0, 0],
        [20 + shift, 97, 0],
        [5, 10 + shift, 98],
      ]),
    ],
  };
}

/** A manifest matching {@link fakeResults}. */
export function fakeManifest(seed = 2024): RunManifest {
  return {
    schema: 'mamba-cl/manifest@1',
    benchmark: 'default',
    seed,
    strategies: ['mamba-cl', 'finetune'],
    config: { epochs: 1 },
    classOrder: [4, 1, 0, 5, 3, 2],
    backend: { name: 'cpu', attempts: [{ name: 'cpu', ok: true, reason: 'active' }] },
    checkpoint: { path: '/tmp/x.safetensors', sha256: 'ab'.repeat(32), origin: 'test' },
    packages: { 'mamba-cl': '0.0.0' },
    machine: machineInfo(),
    argv: ['run', 'default'],
    startedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A temp folder holding a finished fake run folder; returns its path. */
export function writeFakeRun(
  parent = mkdtempSync(join(os.tmpdir(), 'mamba-cl-bench-')),
  seed = 2024,
  shift = 0,
): string {
  const folder = RunFolder.create(join(parent, `default-s${seed}`));
  folder.writeManifest(fakeManifest(seed));
  folder.writeResults(fakeResults(seed, shift));
  folder.appendEvent({ type: 'run-end', status: 'complete', seconds: 1 });
  return folder.dir;
}
