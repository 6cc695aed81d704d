/**
 * The trainer's checkpoint: what a run saves after every task (and every N steps) and restores on
 * resume — model weights as one safetensors blob, heads, the Adam moments of a task in progress,
 * the strategy's state, the accuracy so far and the run's fingerprint — in one
 * {@link writeCheckpointFile} container.
 *
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  readCheckpointFile,
  type StoredArray,
  writeCheckpointFile,
} from '../checkpoint/checkpoint_file.js';
import type { RunPosition } from '../events/trainer_events.js';
import { type ContinualMetrics, continualMetrics } from '../metrics/accuracy_metrics.js';
import type { ProjectedAdam } from '../optim/projected_adam.js';
import type { JsonValue } from '../strategy/strategy.js';
import { describeFingerprintMismatch } from './run_fingerprint.js';
import type { TrainerRuntime } from './trainer_runtime.js';

/** Key of the model weights (a safetensors blob) inside a checkpoint file. @category Checkpoint */
export const MODEL_WEIGHTS_KEY = 'model.safetensors';

/** File name of the latest checkpoint inside the checkpoint folder. @category Checkpoint */
export const CHECKPOINT_FILE = 'checkpoint.mclckpt';

/**
 * The model weights of a checkpoint as safetensors bytes (official parameter names), e.g. to write a
 * `.safetensors` file for PyTorch or `VisionMamba.loadStateDict`.
 *
 * @param path - a checkpoint file
 * @returns the safetensors bytes
 * @throws {@link CheckpointError} for a corrupt file
 * @example
 * writeFileSync('weights.safetensors', checkpointModelWeights('runs/a/checkpoint.mclckpt'));
 * @category Checkpoint
 */
export function checkpointModelWeights(path: string): Uint8Array {
  const a = readCheckpointFile(path).arrays.get(MODEL_WEIGHTS_KEY);
  if (!(a instanceof Uint8Array)) throw new CheckpointError(`${path}: has no "${MODEL_WEIGHTS_KEY}"`);
  return a;
}

/** Adam state of a task in progress. @internal */
export type SavedAdam = { step: number; lrFactor: number; names: string[]; shapes: number[][] };

/** The JSON metadata of a trainer checkpoint. @internal */
export interface SavedMeta {
  fingerprint: Record<string, JsonValue>;
  position: RunPosition;
  taskDone: boolean;
  globalStep: number;
  accuracy: number[][];
  evalCounts: number[];
  adam: SavedAdam | null;
  heads: { classes: number[] }[];
  modelNames: string[];
  strategy: { id: string; meta: JsonValue; keys: string[] };
  metrics: ContinualMetrics | null;
}

/** What a run has accumulated so far (saved with every checkpoint). @internal */
export interface RunProgress {
  globalStep: number;
  accuracy: number[][];
  evalCounts: number[];
}

/** The checkpoint file of a run, or undefined without a checkpoint folder. @internal */
export function checkpointPath(rt: Pick<TrainerRuntime, 'config'>): string | undefined {
  const dir = rt.config.checkpoint?.dir;
  return dir === undefined ? undefined : join(dir, CHECKPOINT_FILE);
}

function modelNames(rt: TrainerRuntime): string[] {
  return rt.config.checkpoint?.modelWeights === 'all'
    ? [...rt.backbone.parameters.keys()]
    : [...rt.trainable];
}

/**
 * Writes the run's checkpoint atomically (nothing without a checkpoint folder) and emits a
 * `checkpoint` event.
 *
 * @param position - where a resumed run continues
 * @param taskDone - whether the task before `position` is finished (then no Adam state is kept)
 * @param optimizer - the optimizer of a task in progress
 * @internal
 */
export async function saveTrainerCheckpoint(
  rt: TrainerRuntime,
  position: RunPosition,
  taskDone: boolean,
  progress: RunProgress,
  optimizer: ProjectedAdam | undefined,
): Promise<void> {
  const path = checkpointPath(rt);
  if (path === undefined) return;
  const { globalStep, accuracy, evalCounts } = progress;
  mkdirSync(rt.config.checkpoint?.dir as string, { recursive: true });
  const arrays = new Map<string, StoredArray>();
  const names = modelNames(rt);
  // Model weights as one safetensors blob (official names), so they can be extracted for other tools.
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const n of names) {
    const v = rt.backbone.parameters.get(n) as tf.Variable;
    weights.set(n, { shape: [...v.shape], data: (await v.data()) as Float32Array });
  }
  arrays.set(MODEL_WEIGHTS_KEY, writeSafetensors(weights));
  const heads = await rt.heads.getState();
  heads.forEach((h, i) => {
    arrays.set(`heads/${i}/weight`, h.weight);
    arrays.set(`heads/${i}/bias`, h.bias);
  });
  let adam: SavedMeta['adam'] = null;
  if (optimizer) {
    const st = await optimizer.getState();
    const adamNames: string[] = [];
    const shapes: number[][] = [];
    for (const [n, mv] of st.moments) {
      adamNames.push(n);
      shapes.push(mv.shape);
      arrays.set(`adam/m/${n}`, mv.m);
      arrays.set(`adam/v/${n}`, mv.v);
    }
    adam = { step: st.step, lrFactor: st.lrFactor, names: adamNames, shapes };
  }
  const s = await rt.strategy.saveState();
  for (const [k, a] of Object.entries(s.arrays)) arrays.set(`strategy/${k}`, a);
  const meta: SavedMeta = {
    fingerprint: rt.fingerprint(),
    position,
    taskDone,
    globalStep,
    accuracy,
    evalCounts,
    adam,
    heads: heads.map((h) => ({ classes: h.classes })),
    modelNames: names,
    strategy: { id: rt.strategy.id, meta: s.meta, keys: Object.keys(s.arrays) },
    metrics: accuracy.length > 0 ? continualMetrics(accuracy, evalCounts) : null,
  };
  writeCheckpointFile(path, { meta, arrays });
  rt.emit({ type: 'checkpoint', path, position, taskDone });
}

/**
 * Reads the run's checkpoint, refuses one of another run (naming every difference) and restores
 * the weights, heads and strategy state from it.
 *
 * @returns the checkpoint's metadata and arrays (the Adam moments of a task in progress among them)
 * @throws {@link CheckpointError} without a checkpoint folder or file, or for a corrupt or
 *   mismatched checkpoint
 * @internal
 */
export function restoreTrainerCheckpoint(rt: TrainerRuntime): {
  meta: SavedMeta;
  arrays: ReadonlyMap<string, StoredArray>;
} {
  const path = checkpointPath(rt);
  if (path === undefined) throw new CheckpointError('resume requested but config.checkpoint.dir is not set');
  if (!existsSync(path)) throw new CheckpointError(`resume requested but ${path} does not exist`);
  const ck = readCheckpointFile(path);
  const meta = checkSavedMeta(ck.meta, path);
  const diff = describeFingerprintMismatch(meta.fingerprint, rt.fingerprint());
  if (diff.length > 0) {
    throw new CheckpointError(`${path} was written by a different run; mismatches:\n  ${diff.join('\n  ')}`);
  }
  restoreState(rt, path, meta, ck.arrays);
  return { meta, arrays: ck.arrays };
}

/** The metadata of a trainer checkpoint, checked field by field (a CRC only vouches for the bytes). */
function checkSavedMeta(meta: unknown, path: string): SavedMeta {
  const m = (meta ?? {}) as Partial<Record<keyof SavedMeta, unknown>>;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const nums = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number');
  const p = m.position as Partial<RunPosition> | undefined;
  const problems = [
    !isObject(m.fingerprint) && 'fingerprint',
    !(isObject(p) && [p?.task, p?.epoch, p?.batch].every((x) => Number.isSafeInteger(x))) && 'position',
    typeof m.taskDone !== 'boolean' && 'taskDone',
    !Number.isSafeInteger(m.globalStep) && 'globalStep',
    !(Array.isArray(m.accuracy) && m.accuracy.every(nums)) && 'accuracy',
    !nums(m.evalCounts) && 'evalCounts',
    !(
      Array.isArray(m.heads) &&
      m.heads.every((h) => isObject(h) && nums((h as { classes?: unknown }).classes))
    ) && 'heads',
    !(Array.isArray(m.modelNames) && m.modelNames.every((n) => typeof n === 'string')) && 'modelNames',
    !(isObject(m.strategy) && Array.isArray((m.strategy as { keys?: unknown }).keys)) && 'strategy',
    !(m.adam === null || (isObject(m.adam) && Array.isArray((m.adam as { names?: unknown }).names))) &&
      'adam',
  ].filter((x): x is string => typeof x === 'string');
  if (problems.length > 0) {
    throw new CheckpointError(
      `${path}: not a trainer checkpoint: its metadata lacks or mangles ${problems.join(', ')}; delete it to start over without it`,
    );
  }
  return meta as SavedMeta;
}

function restoreState(
  rt: TrainerRuntime,
  path: string,
  meta: SavedMeta,
  arrays: ReadonlyMap<string, StoredArray>,
): void {
  const need = (key: string): StoredArray => {
    const a = arrays.get(key);
    if (a === undefined) throw new CheckpointError(`${path}: array "${key}" is missing`);
    return a;
  };
  const weights = readSafetensors(
    need(MODEL_WEIGHTS_KEY) as Uint8Array,
    `${path}#${MODEL_WEIGHTS_KEY}`,
  ).tensors;
  for (const n of meta.modelNames) {
    const v = rt.backbone.parameters.get(n);
    if (v === undefined)
      throw new CheckpointError(`${path}: stores parameter "${n}", which the backbone lacks`);
    const data = weights.get(n)?.data;
    if (data === undefined) throw new CheckpointError(`${path}: weights of "${n}" are missing`);
    if (data.length !== v.size) {
      throw new CheckpointError(
        `${path}: parameter "${n}" has ${data.length} values, the backbone expects ${v.size}`,
      );
    }
    tf.tidy(() => v.assign(tf.tensor(data as Float32Array, v.shape)));
  }
  rt.heads.setState(
    meta.heads.map((h, i) => ({
      classes: h.classes,
      weight: need(`heads/${i}/weight`) as Float32Array,
      bias: need(`heads/${i}/bias`) as Float32Array,
    })),
  );
  const sArrays: Record<string, Float32Array | Float64Array | Uint8Array> = {};
  for (const k of meta.strategy.keys)
    sArrays[k] = need(`strategy/${k}`) as Float32Array | Float64Array | Uint8Array;
  rt.strategy.loadState({ meta: meta.strategy.meta, arrays: sArrays });
}
