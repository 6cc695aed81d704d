/**
 * The fingerprint of a run (strategy, class order, tasks, optimizer config, trainable shapes) and
 * the comparison that names every field in which a checkpoint differs from the current run.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '../strategy/strategy.js';
import type { TrainerRuntime } from './trainer_runtime.js';

/**
 * What identifies a run; a checkpoint of another run is refused naming the differences.
 *
 * @internal
 */
export function runFingerprint(
  rt: Pick<TrainerRuntime, 'backbone' | 'strategy' | 'stream' | 'config' | 'trainable'>,
): Record<string, JsonValue> {
  const c = rt.config;
  return {
    format: 1,
    strategy: { id: rt.strategy.id, options: rt.strategy.options as Record<string, JsonValue> },
    classOrder: [...(rt.stream.classOrder ?? [])],
    tasks: rt.stream.tasks.map((t) => [...t.classes]),
    config: {
      epochs: c.epochs,
      expandTimes: c.expandTimes,
      lr: c.lr,
      headLrScale: c.headLrScale,
      weightDecay: c.weightDecay,
      betas: [...c.betas],
      eps: c.eps,
      milestones: [...c.milestones],
      gamma: c.gamma,
      seed: c.seed,
      warmStartHead: c.warmStartHead,
    },
    model: {
      dModel: rt.backbone.config.dModel,
      trainable: rt.trainable.map((n) => `${n}[${(rt.backbone.parameters.get(n) as tf.Variable).shape}]`),
    },
  };
}

function flattenJson(v: JsonValue, prefix: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of Object.keys(v).sort()) flattenJson(v[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(v));
  }
}

/**
 * Compares two fingerprints and describes every difference (field, checkpoint value, current value).
 *
 * @internal
 */
export function describeFingerprintMismatch(saved: JsonValue, current: JsonValue): string[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flattenJson(saved, '', a);
  flattenJson(current, '', b);
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (x !== y) {
      const clip = (s: string | undefined): string =>
        s === undefined ? '(absent)' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
      out.push(`${k}: checkpoint ${clip(x)}, now ${clip(y)}`);
    }
  }
  return out;
}
