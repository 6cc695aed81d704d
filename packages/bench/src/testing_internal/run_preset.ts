import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import type { RunResults } from '../report/run_results.js';
import type { RunManifest } from '../run/manifest.js';
import { GOLDEN_CHECKPOINT, writeGoldenModelJson } from './fixture_data.js';

/** Flags that shrink a paper preset to a smoke run on the golden 8×8 model. */
export function smokeFlags(out: string, model: string): string[] {
  return [
    '--weights',
    GOLDEN_CHECKPOINT,
    '--model',
    model,
    '--seed',
    '2024',
    '--epochs',
    '1',
    '--expand-times',
    '1',
    '--batch-size',
    '4',
    '--eval-batch-size',
    '16',
    '--max-steps',
    '1',
    '--limit-train',
    '1',
    '--limit-val',
    '1',
    '--out',
    out,
    '--no-progress',
    '--workers',
    '0',
  ];
}

/** Runs `mamba-cl run <preset> …` in-process; returns the exit code, output and the run folder. */
export async function runPreset(
  preset: string,
  dataRoot: string,
  extra: string[] = [],
): Promise<{
  code: number;
  out: string;
  err: string;
  dir: string;
  results: RunResults;
  manifest: RunManifest;
}> {
  const tmp = mkdtempSync(join(os.tmpdir(), `mcl-${preset}-`));
  const out = join(tmp, 'runs');
  const model = writeGoldenModelJson(tmp);
  const lines: string[] = [];
  const errs: string[] = [];
  const code = await main(['run', preset, '--data-root', dataRoot, ...smokeFlags(out, model), ...extra], {
    log: (l) => lines.push(l),
    error: (l) => errs.push(l),
  });
  if (!existsSync(out)) throw new Error(`no run folder (exit ${code}): ${errs.join('\n')}`);
  const runs = readdirSync(out);
  const dir = join(out, runs.find((d) => d.startsWith(`${preset}-s2024-`)) ?? runs[0]);
  return {
    code,
    out: lines.join('\n'),
    err: errs.join('\n'),
    dir,
    results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResults,
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as RunManifest,
  };
}
