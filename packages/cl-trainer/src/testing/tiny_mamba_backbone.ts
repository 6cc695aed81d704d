/**
 * A tiny, slow, obviously-written Mamba-like vision backbone for tests of the trainer and of
 * strategies. Same parameter names, trainable set and taps as `VisionMamba`; none of its speed.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, BackboneTap } from '../backbone/backbone.js';
import { SeededRng } from '../rng/seeded_rng.js';

/**
 * Shape of a {@link TinyMambaBackbone}.
 *
 * @category Testing
 */
export interface TinyMambaConfig {
  readonly imgSize: number;
  readonly patchSize: number;
  readonly inChans: number;
  readonly dModel: number;
  readonly depth: number;
  readonly dInner: number;
  readonly dState: number;
  readonly dtRank: number;
  /** Causal depthwise conv width. */
  readonly dConv: number;
}

/** Default: 8×8×3 images, 2×2 patches of 4 px → 4 tokens + CLS, 2 blocks. @category Testing */
export const TINY_MAMBA_CONFIG: TinyMambaConfig = {
  imgSize: 8,
  patchSize: 4,
  inChans: 3,
  dModel: 16,
  depth: 2,
  dInner: 16,
  dState: 4,
  dtRank: 2,
  dConv: 2,
};

let nextInstance = 0;

/**
 * A 2-block (by default) selective-SSM backbone written with plain tfjs ops (a loop over tokens).
 *
 * **Details**
 * Patch embedding (a linear map of flattened patches), a CLS token appended at the end, then per
 * block: RMSNorm → in_proj → causal depthwise conv + SiLU → x_proj_step/B/C → Δ = softplus(dt_proj)
 * → scan h_t = exp(Δ_t·A) ⊙ h_{t−1} + Δ_t·B_t·x_t, s_t = C_t·h_t → y = (s + D⊙x)⊙SiLU(z) → out_proj,
 * residual; final LayerNorm; the last token is the feature (spec §1.2 without RoPE or group RMS).
 * Weights come from a seeded generator.
 *
 * @example
 * const bb = TinyMambaBackbone.create({ seed: 1 });
 * const f = bb.forward(tf.zeros([2, 8, 8, 3])); // [2, 8]
 * @category Testing
 */
export class TinyMambaBackbone implements Backbone {
  readonly config: TinyMambaConfig;
  readonly parameters: ReadonlyMap<string, tf.Variable>;

  private constructor(config: TinyMambaConfig, params: Map<string, tf.Variable>) {
    this.config = config;
    this.parameters = params;
  }

  /**
   * Builds a seeded tiny backbone.
   *
   * @param options - seed and config overrides
   */
  static create(options: { seed?: number; overrides?: Partial<TinyMambaConfig> } = {}): TinyMambaBackbone {
    const c = { ...TINY_MAMBA_CONFIG, ...options.overrides };
    const rng = SeededRng.derive(options.seed ?? 0, 'tiny-mamba');
    const instance = nextInstance++;
    const params = new Map<string, tf.Variable>();
    const u = (name: string, shape: number[], scale: number, offset = 0): void => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = offset + rng.uniform(-scale, scale);
      params.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(data, shape), true, `tiny.${instance}.${name}`)),
      );
    };
    const pin = c.patchSize * c.patchSize * c.inChans;
    u('patch_embed.proj.weight', [c.dModel, pin], 1 / Math.sqrt(pin));
    u('patch_embed.proj.bias', [c.dModel], 0.02);
    u('cls_token', [1, 1, c.dModel], 0.02);
    for (let i = 0; i < c.depth; i++) {
      const p = `blocks.${i}.`;
      u(`${p}norm.weight`, [c.dModel], 0.1, 1);
      u(`${p}mixer.in_proj.weight`, [2 * c.dInner, c.dModel], 1 / Math.sqrt(c.dModel));
      u(`${p}mixer.conv1d.weight`, [c.dInner, 1, c.dConv], 0.5);
      u(`${p}mixer.conv1d.bias`, [c.dInner], 0.1);
      u(`${p}mixer.x_proj_step.weight`, [c.dtRank, c.dInner], 1 / Math.sqrt(c.dInner));
      u(`${p}mixer.x_proj_B.weight`, [c.dState, c.dInner], 1 / Math.sqrt(c.dInner));
      u(`${p}mixer.x_proj_C.weight`, [c.dState, c.dInner], 1 / Math.sqrt(c.dInner));
      u(`${p}mixer.dt_proj.weight`, [c.dInner, c.dtRank], 1 / Math.sqrt(c.dtRank));
      u(`${p}mixer.dt_proj.bias`, [c.dInner], 0.5, -1);
      // A_log = log(1..N) per row plus noise, as Mamba's S4D-real init.
      const alog = new Float32Array(c.dInner * c.dState);
      for (let d = 0; d < c.dInner; d++)
        for (let n = 0; n < c.dState; n++) alog[d * c.dState + n] = Math.log(n + 1) + rng.uniform(-0.1, 0.1);
      params.set(
        `${p}mixer.A_log`,
        tf.tidy(() =>
          tf.variable(tf.tensor2d(alog, [c.dInner, c.dState]), true, `tiny.${instance}.${p}mixer.A_log`),
        ),
      );
      u(`${p}mixer.D`, [c.dInner], 0.1, 1);
      u(`${p}mixer.out_proj.weight`, [c.dModel, c.dInner], 1 / Math.sqrt(c.dInner));
    }
    u('norm.weight', [c.dModel], 0.1, 1);
    u('norm.bias', [c.dModel], 0.1);
    return new TinyMambaBackbone(c, params);
  }

  /** The official trainable set (spec §2). */
  trainableNames(): string[] {
    return [...this.parameters.keys()].filter((n) => /x_proj|out_proj\.weight|A_log/.test(n));
  }

  private p(name: string): tf.Variable {
    const v = this.parameters.get(name);
    if (v === undefined) throw new Error(`TinyMambaBackbone: no parameter "${name}"`);
    return v;
  }

  /** @param images - [batch, H, W, C] @returns features [batch, dModel] */
  forward(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.run(images, undefined));
  }

  /** @param images - [batch, H, W, C] @returns features and per-block taps (caller disposes) */
  forwardWithTaps(images: tf.Tensor4D): { features: tf.Tensor2D; taps: BackboneTap[] } {
    const taps: BackboneTap[] = [];
    const features = tf.tidy(() => {
      return this.run(images, (_, t) => {
        taps.push({ x: tf.keep(t.x), delta: tf.keep(t.delta), y: tf.keep(t.y) });
      });
    });
    return { features, taps };
  }

  /**
   * @param images - [batch, H, W, C]
   * @param visit - called per block with its taps (freed with the forward's other intermediates)
   * @returns features [batch, dModel] (caller disposes)
   */
  forwardWithTapVisitor(images: tf.Tensor4D, visit: (block: number, tap: BackboneTap) => void): tf.Tensor2D {
    return tf.tidy(() => this.run(images, visit));
  }

  private run(
    images: tf.Tensor4D,
    onTap: ((block: number, tap: BackboneTap) => void) | undefined,
  ): tf.Tensor2D {
    const c = this.config;
    const b = images.shape[0];
    const g = c.imgSize / c.patchSize;
    const patches = tf.reshape(
      tf.transpose(tf.reshape(images, [b, g, c.patchSize, g, c.patchSize, c.inChans]), [0, 1, 3, 2, 4, 5]),
      [b * g * g, c.patchSize * c.patchSize * c.inChans],
    ) as tf.Tensor2D;
    const tokens = tf.reshape(
      tf.add(
        tf.matMul(patches, this.p('patch_embed.proj.weight'), false, true),
        this.p('patch_embed.proj.bias'),
      ),
      [b, g * g, c.dModel],
    );
    const cls = tf.tile(this.p('cls_token'), [b, 1, 1]);
    let h: tf.Tensor3D = tf.concat([tokens, cls], 1) as tf.Tensor3D;
    const L = g * g + 1;
    for (let i = 0; i < c.depth; i++) {
      const p = `blocks.${i}.`;
      const ms = tf.mean(tf.square(h), -1, true);
      const u = tf.mul(tf.mul(h, tf.rsqrt(tf.add(ms, 1e-5))), this.p(`${p}norm.weight`));
      const xz = tf.matMul(tf.reshape(u, [b * L, c.dModel]), this.p(`${p}mixer.in_proj.weight`), false, true);
      const [xr, zr] = tf.split(xz, 2, 1);
      const xt = tf.reshape(xr, [b, L, c.dInner]);
      const z = tf.reshape(zr, [b, L, c.dInner]);
      // causal depthwise conv: x_t = SiLU(b + Σ_k w[:,k]·x̃_{t−K+1+k})
      const w = tf.reshape(this.p(`${p}mixer.conv1d.weight`), [c.dInner, c.dConv]);
      const padded = tf.pad(xt, [
        [0, 0],
        [c.dConv - 1, 0],
        [0, 0],
      ]);
      let conv: tf.Tensor = this.p(`${p}mixer.conv1d.bias`);
      for (let k = 0; k < c.dConv; k++) {
        const wk = tf.squeeze(tf.slice(w, [0, k], [c.dInner, 1]), [1]);
        conv = tf.add(conv, tf.mul(tf.slice(padded, [0, k, 0], [b, L, c.dInner]), wk));
      }
      const x = tf.mul(conv, tf.sigmoid(conv)) as tf.Tensor3D;
      const flat = tf.reshape(x, [b * L, c.dInner]);
      const r = tf.matMul(flat, this.p(`${p}mixer.x_proj_step.weight`), false, true);
      const Bm = tf.reshape(tf.matMul(flat, this.p(`${p}mixer.x_proj_B.weight`), false, true), [
        b,
        L,
        c.dState,
      ]);
      const Cm = tf.reshape(tf.matMul(flat, this.p(`${p}mixer.x_proj_C.weight`), false, true), [
        b,
        L,
        c.dState,
      ]);
      const delta = tf.reshape(
        tf.softplus(
          tf.add(
            tf.matMul(r, this.p(`${p}mixer.dt_proj.weight`), false, true),
            this.p(`${p}mixer.dt_proj.bias`),
          ),
        ),
        [b, L, c.dInner],
      ) as tf.Tensor3D;
      const A = tf.neg(tf.exp(this.p(`${p}mixer.A_log`)));
      let state: tf.Tensor = tf.zeros([b, c.dInner, c.dState]);
      const outs: tf.Tensor[] = [];
      for (let t = 0; t < L; t++) {
        const dt = tf.squeeze(tf.slice(delta, [0, t, 0], [b, 1, c.dInner]), [1]); // [b, D]
        const xt1 = tf.squeeze(tf.slice(x, [0, t, 0], [b, 1, c.dInner]), [1]);
        const bt = tf.slice(Bm, [0, t, 0], [b, 1, c.dState]); // [b,1,N]
        const ct = tf.slice(Cm, [0, t, 0], [b, 1, c.dState]);
        const decay = tf.exp(tf.mul(tf.expandDims(dt, 2), A));
        state = tf.add(tf.mul(decay, state), tf.mul(tf.expandDims(tf.mul(dt, xt1), 2), bt));
        outs.push(tf.sum(tf.mul(state, ct), 2)); // [b, D]
      }
      const s = tf.stack(outs, 1); // [b, L, D]
      const y = tf.mul(tf.add(s, tf.mul(this.p(`${p}mixer.D`), x)), tf.mul(z, tf.sigmoid(z))) as tf.Tensor3D;
      onTap?.(i, { x, delta, y });
      const out = tf.matMul(
        tf.reshape(y, [b * L, c.dInner]),
        this.p(`${p}mixer.out_proj.weight`),
        false,
        true,
      );
      h = tf.add(h, tf.reshape(out, [b, L, c.dModel]));
    }
    const last = tf.squeeze(tf.slice(h, [0, L - 1, 0], [b, 1, c.dModel]), [1]);
    const { mean, variance } = tf.moments(last, -1, true);
    const normed = tf.div(tf.sub(last, mean), tf.sqrt(tf.add(variance, 1e-6)));
    return tf.add(tf.mul(normed, this.p('norm.weight')), this.p('norm.bias')) as tf.Tensor2D;
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.parameters.values()) v.dispose();
  }
}
