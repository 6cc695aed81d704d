/**
 * `lwf`: Learning without Forgetting (Li & Hoiem 2016), distillation of the old heads' logits.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext, Strategy, StrategyContext, StrategyState } from '../strategy/strategy.js';
import {
  checkOptionKeys,
  readOption,
  type StrategyDefinition,
  type StrategyOptions,
} from '../strategy/strategy_registry.js';

/**
 * Creates the `lwf` strategy.
 *
 * **Details**
 * Before task t ≥ 1 the trainable backbone weights are copied (the teacher; old heads are frozen
 * anyway). Before each step the teacher's logits of the old heads 0..t−1 are computed on the batch
 * (the trainable weights are swapped to the teacher's and back, outside the gradient tape). The
 * extra loss is λ·T²·KL-style soft cross-entropy:
 * −λ·T²·mean_i Σ_j softmax(z_teacher/T)_ij · log softmax(z_student/T)_ij, over the old heads'
 * concatenated logits, with T = `temperature` (default 2). Old heads are not trained.
 *
 * @param options - `lambda` (default 1), `temperature` (default 2)
 * @category Strategies
 */
export function createLwfStrategy(options: StrategyOptions = {}): Strategy {
  const id = 'lwf';
  checkOptionKeys(options, ['lambda', 'temperature'], id);
  const lambda = readOption<number>(
    options,
    'lambda',
    1,
    (v) => typeof v === 'number' && v >= 0,
    'a number ≥ 0',
    id,
  );
  const temperature = readOption<number>(
    options,
    'temperature',
    2,
    (v) => typeof v === 'number' && v > 0,
    'a positive number',
    id,
  );
  let teacher = new Map<string, tf.Tensor>();
  let targets: tf.Tensor2D | undefined;
  const freeTeacher = (): void => {
    tf.dispose([...teacher.values()]);
    teacher = new Map();
  };
  const oldTasks = (t: number): number[] => Array.from({ length: t }, (_, i) => i);
  return {
    id,
    options: { lambda, temperature },
    beforeTask(ctx: StrategyContext): void {
      freeTeacher();
      if (ctx.task === 0) return;
      for (const n of ctx.trainableNames)
        teacher.set(n, tf.clone(ctx.backbone.parameters.get(n) as tf.Variable));
    },
    beforeStep(ctx: StepContext): void {
      if (ctx.task === 0 || teacher.size === 0) return;
      const params = ctx.backbone.parameters;
      const current = new Map<string, tf.Tensor>();
      for (const [n, w] of teacher) {
        const v = params.get(n) as tf.Variable;
        current.set(n, tf.clone(v));
        v.assign(w);
      }
      try {
        targets = tf.tidy(() =>
          tf.softmax(
            tf.div(ctx.heads.logits(ctx.backbone.forward(ctx.images), oldTasks(ctx.task)), temperature),
          ),
        ) as tf.Tensor2D;
      } finally {
        for (const [n, w] of current) (params.get(n) as tf.Variable).assign(w);
        tf.dispose([...current.values()]);
      }
    },
    extraLoss(ctx: StepContext, out): tf.Scalar | undefined {
      if (targets === undefined || lambda === 0) return undefined;
      const student = ctx.heads.logits(out.features, oldTasks(ctx.task));
      const logp = tf.logSoftmax(tf.div(student, temperature));
      const kd = tf.neg(tf.mean(tf.sum(tf.mul(targets, logp), 1)));
      return tf.mul(kd, lambda * temperature * temperature) as tf.Scalar;
    },
    afterStep(): void {
      targets?.dispose();
      targets = undefined;
    },
    async saveState(): Promise<StrategyState> {
      const arrays: Record<string, Float32Array> = {};
      const names: { name: string; shape: number[] }[] = [];
      for (const [n, w] of teacher) {
        arrays[`teacher/${n}`] = (await w.data()) as Float32Array;
        names.push({ name: n, shape: w.shape });
      }
      return { meta: names, arrays };
    },
    loadState(state: StrategyState): void {
      freeTeacher();
      for (const { name, shape } of state.meta as { name: string; shape: number[] }[]) {
        const a = state.arrays[`teacher/${name}`];
        if (!a) throw new Error(`lwf.loadState: teacher weights of "${name}" are missing`);
        teacher.set(name, tf.tensor(a as Float32Array, shape));
      }
    },
    dispose(): void {
      freeTeacher();
      targets?.dispose();
      targets = undefined;
    },
  };
}

/** Registry entry of `lwf`. @category Strategies */
export const LWF_STRATEGY: StrategyDefinition = {
  id: 'lwf',
  description: 'Learning without Forgetting: distillation on the old heads’ logits (T = 2), λ knob',
  create: createLwfStrategy,
  options: {
    lambda: { type: 'number', default: 1, description: 'distillation weight λ, ≥ 0' },
    temperature: { type: 'number', default: 2, description: 'softmax temperature T, > 0' },
  },
};
