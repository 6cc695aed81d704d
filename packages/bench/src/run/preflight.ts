/**
 * The checks a run makes before it writes anything: the output and cache folders can be created,
 * the folder to resume exists and is not in use, and the `--weights` file reads, holds finite
 * values and provides every backbone parameter. Each failure is a {@link CliError} (exit 2, one
 * line and a hint), raised before a run folder or a cache file exists.
 *
 * @module
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { VisionMamba, type VisionMambaConfig } from '@mamba-cl/ssm-core';
import { CliError } from '../cli/cli_error.js';
import type { RunPlan } from '../cli/run_plan.js';
import { readCheckpointFor } from '../wiring/model.js';
import { nonFiniteTensors } from './pretrained_integrity.js';
import { RunFolder } from './run_folder.js';
import { acquireRunLock, type RunLock } from './run_lock.js';

/** The flag that lets a run start from a checkpoint lacking some backbone parameters. @category Runs */
export const ALLOW_PARTIAL_WEIGHTS_FLAG = '--allow-partial-weights';

/** What the preflight found. @category Runs */
export interface Preflight {
  /** The lock of the folder being resumed (the caller releases it when the run ends). */
  readonly lock?: RunLock;
  /** Backbone parameters the `--weights` file lacks (only with {@link ALLOW_PARTIAL_WEIGHTS_FLAG}). */
  readonly missing: readonly string[];
}

/**
 * Checks that `path` is a folder, or can be made one: it, or its nearest existing ancestor, is a
 * writable folder.
 *
 * @param flag - the flag that named it, for the message (`--out`, `--cache-dir`)
 * @throws {@link CliError} naming the file in the way, or the folder that is not writable
 * @category Runs
 */
export function checkFolderTarget(flag: string, path: string): void {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new CliError(
      existing === path
        ? `run: ${flag} ${path} is a file, not a folder`
        : `run: ${flag} ${path} cannot be created: ${existing} is a file`,
      `pass a folder for ${flag} (it is created if missing)`,
    );
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new CliError(
      `run: ${flag} ${path}: ${existing} is not writable`,
      `pass a folder you can write for ${flag}`,
    );
  }
}

function list(names: readonly string[], n = 8): string {
  return `${names.slice(0, n).join(', ')}${names.length > n ? `, … (${names.length - n} more)` : ''}`;
}

/**
 * Checks a `--weights` file against the model: it reads (zip `.pth` or `.safetensors`; a legacy,
 * malformed or hostile file is refused by the readers), its values are finite, and it provides
 * every backbone parameter unless `allowPartial`.
 *
 * @returns the backbone parameters it lacks (empty unless `allowPartial`)
 * @throws {@link CliError} naming the file and what is wrong
 * @category Runs
 */
export function checkWeightsFile(
  path: string,
  config: VisionMambaConfig,
  allowPartial: boolean,
): { missing: string[] } {
  let tensors: Map<string, { shape: number[]; data: Float32Array }>;
  let mapMissing: string[];
  try {
    ({ tensors, missing: mapMissing } = readCheckpointFor(path, config));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new CliError(
      `run: --weights ${path}: ${msg.startsWith(path) ? msg.slice(path.length).replace(/^:\s*/, '') : msg}`,
      'expected a PyTorch zip checkpoint (torch.save, PyTorch ≥ 1.6) or a .safetensors file with the official key names',
    );
  }
  const bad = nonFiniteTensors(tensors);
  if (bad.length > 0) {
    throw new CliError(
      `run: --weights ${path} holds non-finite values: ${list(bad, 5)}`,
      'pass a checkpoint whose weights are finite',
    );
  }
  const model = VisionMamba.create(config, { seed: 0 });
  let missing: string[];
  let total: number;
  try {
    total = model.parameters.size;
    missing = [...new Set([...mapMissing, ...model.loadStateDict(tensors).missing])].filter((n) =>
      model.parameters.has(n),
    );
  } finally {
    model.dispose();
  }
  if (missing.length > 0 && !allowPartial) {
    throw new CliError(
      missing.length === total
        ? `run: --weights ${path} matches none of the model's ${total} backbone parameters (missing: ${list(missing)})`
        : `run: --weights ${path} lacks ${missing.length} of the model's ${total} backbone parameters: ${list(missing)}`,
      `pass the checkpoint of this model (check --model), or add ${ALLOW_PARTIAL_WEIGHTS_FLAG} to train with those parameters at their random initialisation`,
    );
  }
  return { missing };
}

/**
 * Runs every check of a run before anything is written.
 *
 * @param plan - the validated plan
 * @param config - the resolved model config
 * @returns the lock of a resumed folder and the parameters a partial checkpoint lacks
 * @throws {@link CliError} (exit 2) for the first problem found
 * @category Runs
 */
export function preflightRun(plan: RunPlan, config: VisionMambaConfig): Preflight {
  if (plan.resume === undefined) checkFolderTarget('--out', plan.out);
  checkFolderTarget('--cache-dir', plan.cacheDir);
  const allowPartial = plan.argv.includes(ALLOW_PARTIAL_WEIGHTS_FLAG);
  const missing =
    plan.weights !== undefined ? checkWeightsFile(plan.weights, config, allowPartial).missing : [];
  let lock: RunLock | undefined;
  if (plan.resume !== undefined) {
    RunFolder.open(plan.resume);
    lock = acquireRunLock(plan.resume);
  }
  return { ...(lock ? { lock } : {}), missing };
}
