/**
 * Adam with coupled L2 weight decay, per-group learning-rate scales and a transform of the final
 * step: the optimizer of the official `ModAdam` (spec §3.5).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * One parameter the optimizer updates.
 *
 * @category Optim
 */
export interface AdamParam {
  /** Parameter name (official checkpoint name, or `head.weight` / `head.bias`). */
  readonly name: string;
  /** The variable updated in place. */
  readonly variable: tf.Variable;
  /** Parameter group; its lr scale multiplies the learning rate. Default `'backbone'`. */
  readonly group?: string;
}

/**
 * Transforms the final Adam step U of one parameter (after lr and bias correction) before it is
 * added to the weights; returns a NEW tensor (or `update` itself). Mamba-CL's null-space projection
 * sits here: `U·P` or `P·U` (spec §3.5).
 *
 * @category Optim
 */
export type UpdateTransform = (name: string, update: tf.Tensor) => tf.Tensor;

/**
 * Options of {@link ProjectedAdam}.
 *
 * @category Optim
 */
export interface ProjectedAdamOptions {
  /** Base learning rate (before the schedule factor and group scales). */
  readonly lr: number;
  /** β1, β2; default (0.9, 0.999). */
  readonly betas?: readonly [number, number];
  /** Default 1e-8. */
  readonly eps?: number;
  /** Coupled L2 coefficient added to the gradient (g = grad + wd·W); default 0. */
  readonly weightDecay?: number;
  /** lr scale per group name; missing groups use 1 (the paper: `{ head: 50 }`). */
  readonly lrScales?: Readonly<Record<string, number>>;
}

/**
 * Serialisable optimizer state: step count and both moments per parameter.
 *
 * @category Optim
 */
export interface AdamState {
  /** Steps taken (k of the bias correction). */
  readonly step: number;
  /** Base lr factor currently applied by the schedule. */
  readonly lrFactor: number;
  /** First and second moments by parameter name, same shape as the parameter. */
  readonly moments: ReadonlyMap<string, { m: Float32Array; v: Float32Array; shape: number[] }>;
}

/**
 * Adam (not AdamW) with coupled L2 and a step transform, as `ModAdam` in the official code.
 *
 * **Details**
 * For every parameter W at step k (k restarts at 1 with each new optimizer; build one per task):
 * g = grad + wd·W;  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²  (moments see the UNPROJECTED g);
 * U = −(lr_g/(1−β1^k))·m/(sqrt(v)/sqrt(1−β2^k) + eps);  W += transform(name, U).
 * lr_g = lr·factor·scale(group), where `factor` is the schedule's (see {@link MultiStepLR}).
 * Every intermediate tensor is disposed; the moments live in variables owned by the optimizer.
 *
 * @example
 * const opt = new ProjectedAdam(params, { lr: 2e-4, weightDecay: 5e-5, lrScales: { head: 50 } });
 * opt.setLrFactor(1);
 * opt.step(grads, (name, u) => (projectors.has(name) ? projectUpdate(u, projectors.get(name), 'right') : u));
 * opt.dispose();
 * @category Optim
 */
export class ProjectedAdam {
  private readonly params: AdamParam[];
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private k = 0;
  private factor = 1;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly lrScales: Readonly<Record<string, number>>;

  /**
   * @param params - parameters to update (names unique)
   * @param options - lr, betas, eps, weight decay, lr scale per group
   */
  constructor(params: readonly AdamParam[], options: ProjectedAdamOptions) {
    this.params = [...params];
    this.lr = options.lr;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.lrScales = options.lrScales ?? {};
    for (const p of this.params) {
      if (this.m.has(p.name)) {
        throw new Error(`ProjectedAdam: parameter "${p.name}" is listed twice; names must be unique`);
      }
      this.m.set(
        p.name,
        tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)),
      );
      this.v.set(
        p.name,
        tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)),
      );
    }
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.k;
  }

  /** The schedule factor multiplying the base lr. */
  get lrFactor(): number {
    return this.factor;
  }

  /** Sets the schedule factor (e.g. {@link MultiStepLR.factor}). */
  setLrFactor(factor: number): void {
    this.factor = factor;
  }

  /** Effective learning rate of a group. */
  groupLr(group = 'backbone'): number {
    return this.lr * this.factor * (this.lrScales[group] ?? 1);
  }

  /** Names of the parameters, in order. */
  get names(): string[] {
    return this.params.map((p) => p.name);
  }

  /**
   * Takes one Adam step.
   *
   * @param grads - gradient per parameter name, each the shape of its parameter; parameters without
   *   a gradient are skipped (their moments unchanged)
   * @param transform - optional transform of the final step U (projection)
   */
  step(grads: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>, transform?: UpdateTransform): void {
    const get = (name: string): tf.Tensor | undefined =>
      grads instanceof Map ? grads.get(name) : (grads as Record<string, tf.Tensor>)[name];
    this.k += 1;
    const bc1 = 1 - this.beta1 ** this.k;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** this.k);
    for (const p of this.params) {
      const grad = get(p.name);
      if (grad === undefined) continue;
      const m = this.m.get(p.name) as tf.Variable;
      const v = this.v.get(p.name) as tf.Variable;
      const stepSize = -this.groupLr(p.group) / bc1;
      tf.tidy(() => {
        const w = p.variable;
        const g = this.weightDecay !== 0 ? tf.add(grad, tf.mul(w, this.weightDecay)) : grad;
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2Sqrt), this.eps);
        const u = tf.mul(tf.div(m1, denom), stepSize);
        const ut = transform ? transform(p.name, u) : u;
        w.assign(tf.add(w, ut));
      });
    }
  }

  /**
   * Copies the state out (for checkpoints); asynchronous, as webgpu under Node reads back only so.
   *
   * @returns step count, lr factor and moments
   */
  async getState(): Promise<AdamState> {
    const moments = new Map<string, { m: Float32Array; v: Float32Array; shape: number[] }>();
    for (const p of this.params) {
      const m = this.m.get(p.name) as tf.Variable;
      const v = this.v.get(p.name) as tf.Variable;
      moments.set(p.name, {
        m: (await m.data()) as Float32Array,
        v: (await v.data()) as Float32Array,
        shape: [...m.shape],
      });
    }
    return { step: this.k, lrFactor: this.factor, moments };
  }

  /**
   * Restores a state from {@link ProjectedAdam.getState}.
   *
   * @param state - a saved state with the same parameter names and shapes
   * @throws `Error` naming the missing or mis-shaped parameter
   */
  setState(state: AdamState): void {
    for (const p of this.params) {
      const s = state.moments.get(p.name);
      if (s === undefined)
        throw new Error(`ProjectedAdam.setState: no moments saved for parameter "${p.name}"`);
      const shape = p.variable.shape;
      if (s.shape.join(',') !== shape.join(',')) {
        throw new Error(
          `ProjectedAdam.setState: "${p.name}" moments have shape [${s.shape}], the parameter has [${shape}]`,
        );
      }
      tf.tidy(() => {
        (this.m.get(p.name) as tf.Variable).assign(tf.tensor(s.m, shape));
        (this.v.get(p.name) as tf.Variable).assign(tf.tensor(s.v, shape));
      });
    }
    this.k = state.step;
    this.factor = state.lrFactor;
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
