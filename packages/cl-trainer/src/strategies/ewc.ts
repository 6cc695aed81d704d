/**
 * `ewc`: Elastic Weight Consolidation with a diagonal Fisher (Kirkpatrick et al. 2017; online
 * variant: Schwarz et al. 2018).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  JsonValue,
  StepContext,
  Strategy,
  StrategyContext,
  StrategyState,
} from '../strategy/strategy.js';
import {
  checkOptionKeys,
  readOption,
  type StrategyDefinition,
  type StrategyOptions,
} from '../strategy/strategy_registry.js';
import { iterateBatches } from '../stream/task_stream.js';

interface Anchor {
  fisher: Map<string, tf.Tensor>;
  theta: Map<string, tf.Tensor>;
}

/**
 * Creates the `ewc` strategy.
 *
 * **Details**
 * After each task t (except the last), the empirical diagonal Fisher of the backbone's trainable
 * parameters is estimated on `stream.collect(t)` (train images, eval transform): F = mean over
 * batches of g⊙g, g = ∇ of the batch's mean cross-entropy on the current head's local logits.
 * The penalty added to the loss of later tasks is (λ/2)·Σ_k Σ_p F_k,p·(θ_p − θ*_k,p)².
 * `mode: 'separate'` keeps one (F_k, θ*_k) per task; `mode: 'online'` keeps one with
 * F ← γ·F + F_t and θ* = the weights after the last task.
 *
 * @param options - `lambda` (default 100), `mode` ('separate' | 'online', default 'separate'),
 *   `gamma` (online decay, default 1)
 * @category Strategies
 */
export function createEwcStrategy(options: StrategyOptions = {}): Strategy {
  const id = 'ewc';
  checkOptionKeys(options, ['lambda', 'mode', 'gamma'], id);
  const lambda = readOption<number>(
    options,
    'lambda',
    100,
    (v) => typeof v === 'number' && v >= 0,
    'a number ≥ 0',
    id,
  );
  const mode = readOption<string>(
    options,
    'mode',
    'separate',
    (v) => v === 'separate' || v === 'online',
    "'separate' or 'online'",
    id,
  );
  const gamma = readOption<number>(
    options,
    'gamma',
    1,
    (v) => typeof v === 'number' && v >= 0 && v <= 1,
    'a number in [0, 1]',
    id,
  );
  let anchors: Anchor[] = [];
  const disposeAll = (): void => {
    for (const a of anchors) tf.dispose([...a.fisher.values(), ...a.theta.values()]);
    anchors = [];
  };
  return {
    id,
    options: { lambda, mode, gamma },
    extraLoss(_ctx: StepContext): tf.Scalar | undefined {
      if (anchors.length === 0 || lambda === 0) return undefined;
      const params = _ctx.backbone.parameters;
      let total: tf.Tensor = tf.scalar(0);
      for (const a of anchors) {
        for (const [name, f] of a.fisher) {
          const d = tf.sub(params.get(name) as tf.Variable, a.theta.get(name) as tf.Tensor);
          total = tf.add(total, tf.sum(tf.mul(f, tf.square(d))));
        }
      }
      return tf.mul(total, lambda / 2) as tf.Scalar;
    },
    async afterTask(ctx: StrategyContext): Promise<void> {
      if (ctx.task >= ctx.numTasks - 1) return;
      const names = ctx.trainableNames;
      const vars = names.map((n) => ctx.backbone.parameters.get(n) as tf.Variable);
      const sums = new Map<string, tf.Tensor>(names.map((n, i) => [n, tf.zerosLike(vars[i])]));
      const classes = ctx.heads.head(ctx.task).classes;
      const column = new Map(classes.map((c, i) => [c, i]));
      let batches = 0;
      for await (const batch of iterateBatches(ctx.stream.collect(ctx.task))) {
        const target = Int32Array.from(batch.labels, (l) => column.get(l) ?? -1);
        const { grads, value } = tf.variableGrads(() => {
          const images = tf.tensor4d(batch.images, [...batch.shape] as [number, number, number, number]);
          const logits = ctx.heads.logits(ctx.backbone.forward(images), [ctx.task]);
          const oh = tf.oneHot(tf.tensor1d(target, 'int32'), classes.length);
          return tf.neg(tf.mean(tf.sum(tf.mul(oh, tf.logSoftmax(logits)), 1))) as tf.Scalar;
        }, vars);
        value.dispose();
        names.forEach((n, i) => {
          const g = grads[vars[i].name];
          const next = tf.tidy(() => tf.add(sums.get(n) as tf.Tensor, tf.square(g)));
          (sums.get(n) as tf.Tensor).dispose();
          sums.set(n, next);
        });
        tf.dispose(Object.values(grads));
        batches++;
      }
      const fisher = new Map<string, tf.Tensor>();
      for (const [n, s] of sums) {
        fisher.set(n, tf.div(s, Math.max(batches, 1)));
        s.dispose();
      }
      const theta = new Map<string, tf.Tensor>(names.map((n, i) => [n, tf.clone(vars[i])]));
      if (mode === 'online' && anchors.length > 0) {
        const old = anchors[0];
        for (const [n, f] of fisher) {
          const merged = tf.tidy(() => tf.add(tf.mul(old.fisher.get(n) as tf.Tensor, gamma), f));
          f.dispose();
          fisher.set(n, merged);
        }
        disposeAll();
      }
      anchors.push({ fisher, theta });
    },
    async saveState(): Promise<StrategyState> {
      const arrays: Record<string, Float32Array> = {};
      const meta: JsonValue[] = [];
      for (const [k, a] of anchors.entries()) {
        const entry: JsonValue[] = [];
        for (const [n, f] of a.fisher) {
          arrays[`fisher/${k}/${n}`] = (await f.data()) as Float32Array;
          arrays[`theta/${k}/${n}`] = (await (a.theta.get(n) as tf.Tensor).data()) as Float32Array;
          entry.push({ name: n, shape: f.shape });
        }
        meta.push(entry);
      }
      return { meta, arrays };
    },
    loadState(state: StrategyState): void {
      disposeAll();
      for (const [k, entry] of (state.meta as { name: string; shape: number[] }[][]).entries()) {
        const fisher = new Map<string, tf.Tensor>();
        const theta = new Map<string, tf.Tensor>();
        for (const { name, shape } of entry) {
          const f = state.arrays[`fisher/${k}/${name}`];
          const t = state.arrays[`theta/${k}/${name}`];
          if (!f || !t)
            throw new Error(`ewc.loadState: Fisher or anchor of "${name}" (task ${k}) is missing`);
          fisher.set(name, tf.tensor(f as Float32Array, shape));
          theta.set(name, tf.tensor(t as Float32Array, shape));
        }
        anchors.push({ fisher, theta });
      }
    },
    dispose: disposeAll,
  };
}

/** Registry entry of `ewc`. @category Strategies */
export const EWC_STRATEGY: StrategyDefinition = {
  id: 'ewc',
  description: 'Elastic Weight Consolidation, diagonal Fisher (separate per task or online), λ knob',
  create: createEwcStrategy,
  options: {
    lambda: { type: 'number', default: 100, description: 'penalty weight λ of (λ/2)·Σ F·(θ − θ*)², ≥ 0' },
    mode: {
      type: 'string',
      default: 'separate',
      description: "'separate' (one Fisher per task) or 'online' (F ← γ·F + F_t)",
    },
    gamma: { type: 'number', default: 1, description: 'online decay γ in [0, 1]' },
  },
};
