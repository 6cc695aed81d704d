import * as tf from '@tensorflow/tfjs-core';
import type { DefocusMixerOptions, DefocusMixerParams, MixerTaps } from '../layers/defocus_mixer.js';
import { layerNorm } from '../layers/layer_norm.js';
import { mambaBlock } from '../layers/mamba_block.js';
import { patchEmbed } from '../layers/patch_embed.js';
import type { MixerScanImpl } from '../layers/scan_call.js';
import {
  MODEL_PRESETS,
  type ModelPresetName,
  type VisionMambaConfig,
  validateConfig,
} from './model_config.js';
import { SeededRandom } from './seeded_random.js';

/** One tensor of a state dict: shape and float32 data (row-major). @category Model */
export interface StateDictEntry {
  shape: number[];
  data: Float32Array;
}

/** Options of {@link VisionMamba.create}. @category Model */
export interface VisionMambaCreateOptions {
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** Scan implementation used by every mixer (default `'auto'`). */
  scanImpl?: MixerScanImpl;
  /** Fields that replace the preset's. */
  overrides?: Partial<VisionMambaConfig>;
}

/** Result of {@link VisionMamba.loadStateDict}, as PyTorch's `load_state_dict(strict=False)`. @category Model */
export interface LoadStateDictResult {
  /** Parameters of the model that the dict did not provide (left as they were). */
  missing: string[];
  /** Keys of the dict that the model has no parameter for (ignored). */
  unexpected: string[];
}

/** Substrings of the official `training_string` that select backbone parameters (spec §2). */
const TRAINABLE_PATTERNS = ['x_proj', 'out_proj.weight', 'A_log'] as const;

let instanceCounter = 0;

/**
 * The De-focus vision Mamba backbone (spec §1): patch embedding, CLS token appended last, `depth`
 * pre-norm Mamba blocks with the De-focus mixer, final LayerNorm, CLS feature.
 *
 * **Details**
 * Parameters are `tf.Variable`s stored under their official checkpoint names (after the `x_proj`
 * split of spec §1.4) in {@link VisionMamba.parameters}; each variable's `trainable` flag follows
 * the official rule (substring `x_proj`, `out_proj.weight` or `A_log`). Seeded Mamba-style init:
 * - Linear weights (`in_proj`, `x_proj_*`, `out_proj`) and the patch Conv2d: PyTorch default
 *   U(±1/√fan_in) (the patch bias too); `conv1d` weight and bias U(±1/√dConv);
 * - `dt_proj.weight` U(±dtRank^−½); `dt_proj.bias` = softplus⁻¹(dt) with dt = exp(U(ln 1e−3, ln 1e−1)),
 *   clamped ≥ 1e−4 (Mamba `dt_init='random'`);
 * - `A_log[d, n] = ln(n+1)` (S4D-real), `D` = 1;
 * - `freq`: standard RoPE frequencies 10000^(−2⌊j/2⌋/N), one per element (pairs start equal);
 * - `cls_token` N(0, 0.02²); norm weights 1; final norm bias 0.
 * Real use loads pretrained weights (`loadStateDict` + `readTorchCheckpoint`).
 *
 * @example
 * const model = VisionMamba.create('tiny', { seed: 1 });
 * const feats = model.forward(images); // [batch, 64]
 * @category Model
 */
export class VisionMamba {
  readonly config: VisionMambaConfig;
  /** Every parameter under its official name (insertion order = checkpoint order). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  private readonly params: Map<string, tf.Variable>;
  private readonly scanImpl: MixerScanImpl;
  private disposed = false;

  private constructor(config: VisionMambaConfig, params: Map<string, tf.Variable>, scanImpl: MixerScanImpl) {
    this.config = config;
    this.params = params;
    this.parameters = params;
    this.scanImpl = scanImpl;
  }

  /**
   * Builds a backbone with seeded random weights.
   *
   * @param config - a config or a preset name (see `MODEL_PRESETS`)
   * @param options - seed, scan implementation, config overrides
   * @returns the model (dispose it when done)
   * @example
   * const m = VisionMamba.create('defocus-mamba-large', { seed: 0 });
   */
  static create(
    config: VisionMambaConfig | ModelPresetName,
    options: VisionMambaCreateOptions = {},
  ): VisionMamba {
    let base: VisionMambaConfig;
    if (typeof config === 'string') {
      if (!Object.hasOwn(MODEL_PRESETS, config)) {
        throw new Error(
          `VisionMamba: unknown preset '${config}' (known: ${Object.keys(MODEL_PRESETS).join(', ')})`,
        );
      }
      base = MODEL_PRESETS[config];
    } else {
      base = config;
    }
    const c = validateConfig({ ...base, ...options.overrides });
    const rng = new SeededRandom(options.seed ?? 0);
    const prefix = `visionMamba${instanceCounter++}/`;
    const params = new Map<string, tf.Variable>();
    const add = (name: string, shape: number[], data: Float32Array): void => {
      const trainable = TRAINABLE_PATTERNS.some((p) => name.includes(p));
      const init = tf.tensor(data, shape, 'float32');
      params.set(name, tf.variable(init, trainable, prefix + name, 'float32'));
      init.dispose(); // the variable holds its own reference to the data
    };
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const uni = (shape: number[], bound: number) => rng.uniformArray(size(shape), -bound, bound);
    const fill = (n: number, v: number) => new Float32Array(n).fill(v);
    const { dModel, dInner, dState: n, dtRank: r, dConv: k, patchSize: p, inChans } = c;

    add('cls_token', [1, 1, dModel], rng.normalArray(dModel, 0.02));
    const patchFan = inChans * p * p;
    add(
      'patch_embed.proj.weight',
      [dModel, inChans, p, p],
      uni([dModel, inChans, p, p], 1 / Math.sqrt(patchFan)),
    );
    add('patch_embed.proj.bias', [dModel], uni([dModel], 1 / Math.sqrt(patchFan)));
    for (let i = 0; i < c.depth; i++) {
      const m = `blocks.${i}.mixer.`;
      const aLog = new Float32Array(dInner * n);
      for (let d = 0; d < dInner; d++) for (let j = 0; j < n; j++) aLog[d * n + j] = Math.log(j + 1);
      add(`${m}A_log`, [dInner, n], aLog);
      add(`${m}D`, [dInner], fill(dInner, 1));
      add(
        `${m}freq`,
        [n],
        Float32Array.from({ length: n }, (_, j) => 10000 ** (-(2 * Math.floor(j / 2)) / n)),
      );
      add(`${m}in_proj.weight`, [2 * dInner, dModel], uni([2 * dInner, dModel], 1 / Math.sqrt(dModel)));
      add(`${m}conv1d.weight`, [dInner, 1, k], uni([dInner, 1, k], 1 / Math.sqrt(k)));
      add(`${m}conv1d.bias`, [dInner], uni([dInner], 1 / Math.sqrt(k)));
      add(`${m}x_proj_step.weight`, [r, dInner], uni([r, dInner], 1 / Math.sqrt(dInner)));
      add(`${m}x_proj_B.weight`, [n, dInner], uni([n, dInner], 1 / Math.sqrt(dInner)));
      add(`${m}x_proj_C.weight`, [n, dInner], uni([n, dInner], 1 / Math.sqrt(dInner)));
      add(`${m}dt_proj.weight`, [dInner, r], uni([dInner, r], r ** -0.5));
      const dtBias = new Float32Array(dInner);
      for (let d = 0; d < dInner; d++) {
        const dt = Math.max(1e-4, Math.exp(Math.log(1e-3) + rng.next() * (Math.log(1e-1) - Math.log(1e-3))));
        dtBias[d] = dt + Math.log(-Math.expm1(-dt)); // softplus⁻¹(dt)
      }
      add(`${m}dt_proj.bias`, [dInner], dtBias);
      add(`${m}out_proj.weight`, [dModel, dInner], uni([dModel, dInner], 1 / Math.sqrt(dInner)));
      add(`blocks.${i}.norm.weight`, [dModel], fill(dModel, 1));
    }
    add('norm.weight', [dModel], fill(dModel, 1));
    add('norm.bias', [dModel], fill(dModel, 0));
    return new VisionMamba(c, params, options.scanImpl ?? 'auto');
  }

  /** Number of tokens per image: patches + CLS. */
  get seqLen(): number {
    return (this.config.imgSize / this.config.patchSize) ** 2 + 1;
  }

  /**
   * Names trainable under the official rule (`x_proj_step/B/C.weight`, `A_log`, `out_proj.weight` of
   * every block; spec §2), in parameter order.
   *
   * @returns parameter names
   * @example
   * const vars = model.trainableNames().map((n) => model.parameters.get(n)!);
   */
  trainableNames(): string[] {
    return [...this.params.keys()].filter((name) => TRAINABLE_PATTERNS.some((p) => name.includes(p)));
  }

  /**
   * CLS features after the final LayerNorm.
   *
   * @param images - NHWC images, shape [batch, imgSize, imgSize, inChans]
   * @returns features, shape [batch, dModel]
   * @example
   * const f = tf.tidy(() => model.forward(images));
   */
  forward(images: tf.Tensor4D): tf.Tensor2D {
    return this.run(images, false).features;
  }

  /**
   * CLS features plus per-block taps for null-space features (spec §3.2): x (scan input after
   * conv+SiLU), delta (after softplus, /deltaScale), y (input of out_proj), each
   * [batch, seqLen, dInner]. The caller disposes everything returned.
   *
   * @param images - NHWC images, shape [batch, imgSize, imgSize, inChans]
   * @returns features [batch, dModel] and one tap set per block
   * @example
   * const { features, taps } = model.forwardWithTaps(images);
   */
  forwardWithTaps(images: tf.Tensor4D): { features: tf.Tensor2D; taps: MixerTaps[] } {
    return this.run(images, true);
  }

  /**
   * CLS features, handing each block's taps to `visit` as soon as the block has run and disposing
   * them when it returns: peak memory is one block's taps (and its hidden states), not all blocks'.
   *
   * **Details**
   * Runs the same ops in the same order as {@link VisionMamba.forwardWithTaps}, so the taps and
   * the features are bit-identical to it; only their lifetime differs. Block k's taps are disposed
   * before block k+1 runs, and the hidden states of block k−1 once block k has its output. Not
   * differentiable (intermediates are freed as it goes): use it for feature collection (spec §3.2),
   * outside any gradient tape. `visit` must not keep the tap tensors (copy what it needs, e.g. with
   * `dataSync`) and disposes any tensor it makes; it runs outside any `tf.tidy` of this method.
   *
   * @param images - NHWC images, shape [batch, imgSize, imgSize, inChans]
   * @param visit - called once per block, in order, with the block index and its taps x, delta,
   *   y, each [batch, seqLen, dInner]
   * @returns features [batch, dModel] (the caller disposes them)
   * @example
   * const f = model.forwardWithTapVisitor(images, (block, taps) => {
   *   accumulate(block, taps.x.dataSync());
   * });
   * f.dispose();
   * @category Model
   */
  forwardWithTapVisitor(images: tf.Tensor4D, visit: (block: number, taps: MixerTaps) => void): tf.Tensor2D {
    const options = this.prepare(images);
    let h = tf.tidy(() => this.embed(images));
    try {
      for (let i = 0; i < this.config.depth; i++) {
        const r = this.block(i, h, options, true);
        h.dispose();
        h = r.out;
        const taps = r.taps as MixerTaps;
        try {
          visit(i, taps);
        } finally {
          tf.dispose([taps.x, taps.delta, taps.y]);
        }
      }
      const last = h;
      return tf.tidy(() => this.head(last));
    } finally {
      h.dispose();
    }
  }

  private run(images: tf.Tensor4D, withTaps: boolean): { features: tf.Tensor2D; taps: MixerTaps[] } {
    const options = this.prepare(images);
    const taps: MixerTaps[] = [];
    const features = tf.tidy(() => {
      let h = this.embed(images);
      for (let i = 0; i < this.config.depth; i++) {
        const r = this.block(i, h, options, withTaps);
        if (r.taps) taps.push(r.taps);
        h = r.out;
      }
      return this.head(h);
    });
    return { features, taps };
  }

  /** Checks the images and returns the mixer options. */
  private prepare(images: tf.Tensor4D): DefocusMixerOptions & { rmsEps: number } {
    this.assertAlive();
    const c = this.config;
    if (
      images.rank !== 4 ||
      images.shape[1] !== c.imgSize ||
      images.shape[2] !== c.imgSize ||
      images.shape[3] !== c.inChans
    ) {
      throw new Error(
        `VisionMamba.forward: images have shape [${images.shape}], expected [batch, ${c.imgSize}, ${c.imgSize}, ${c.inChans}]`,
      );
    }
    return {
      groupNormSize: c.groupNormSize,
      useRope: c.useRope,
      deltaScale: c.deltaScale,
      ropeScale: c.ropeScale,
      rmsEps: c.rmsEps,
      scanImpl: this.scanImpl,
    };
  }

  /** Patch tokens with the CLS token appended last (index = numPatches): [batch, seqLen, dModel]. */
  private embed(images: tf.Tensor4D): tf.Tensor3D {
    const c = this.config;
    const g = (name: string) => this.params.get(name)!;
    const batch = images.shape[0];
    const tokens = patchEmbed(
      images,
      g('patch_embed.proj.weight') as tf.Tensor4D,
      g('patch_embed.proj.bias') as tf.Tensor1D,
    );
    const cls = tf.tile(tf.reshape(g('cls_token'), [1, 1, c.dModel]), [batch, 1, 1]);
    return tf.concat([tokens, cls], 1) as tf.Tensor3D;
  }

  /** Block i on h (h is not disposed); taps when asked (the caller disposes them). */
  private block(
    i: number,
    h: tf.Tensor3D,
    options: DefocusMixerOptions & { rmsEps: number },
    withTaps: boolean,
  ): { out: tf.Tensor3D; taps?: MixerTaps } {
    const g = (name: string) => this.params.get(name)!;
    const m = `blocks.${i}.mixer.`;
    const mixer: DefocusMixerParams = {
      inProj: g(`${m}in_proj.weight`) as tf.Tensor2D,
      convWeight: g(`${m}conv1d.weight`) as tf.Tensor3D,
      convBias: g(`${m}conv1d.bias`) as tf.Tensor1D,
      xProjStep: g(`${m}x_proj_step.weight`) as tf.Tensor2D,
      xProjB: g(`${m}x_proj_B.weight`) as tf.Tensor2D,
      xProjC: g(`${m}x_proj_C.weight`) as tf.Tensor2D,
      dtProjWeight: g(`${m}dt_proj.weight`) as tf.Tensor2D,
      dtProjBias: g(`${m}dt_proj.bias`) as tf.Tensor1D,
      ALog: g(`${m}A_log`) as tf.Tensor2D,
      D: g(`${m}D`) as tf.Tensor1D,
      outProj: g(`${m}out_proj.weight`) as tf.Tensor2D,
      freq: g(`${m}freq`) as tf.Tensor1D,
    };
    return mambaBlock(h, g(`blocks.${i}.norm.weight`) as tf.Tensor1D, mixer, options, withTaps);
  }

  /** Final LayerNorm of the CLS token: [batch, dModel]. */
  private head(h: tf.Tensor3D): tf.Tensor2D {
    const c = this.config;
    const g = (name: string) => this.params.get(name)!;
    const batch = h.shape[0];
    // LayerNorm is per token: normalising only the CLS token gives the same feature.
    const last = tf.reshape(tf.slice(h, [0, h.shape[1] - 1, 0], [batch, 1, c.dModel]), [batch, c.dModel]);
    return layerNorm(
      last,
      g('norm.weight') as tf.Tensor1D,
      g('norm.bias') as tf.Tensor1D,
      c.finalNormEps,
    ) as tf.Tensor2D;
  }

  /**
   * Copies tensors into the parameters, like PyTorch `load_state_dict`.
   *
   * **Details**
   * A fused `blocks.{i}.mixer.x_proj.weight` [dtRank+2N, dInner] is split into `x_proj_step` (rows
   * 0..dtRank−1), `x_proj_B` (next N) and `x_proj_C` (last N) first (spec §1.4). Shapes must match
   * (leading singleton axes aside, e.g. `cls_token` [1,1,d] vs [d]); a mismatch throws naming the key.
   * With `strict` (default false), missing or unexpected keys throw.
   *
   * @param dict - name → {shape, data}
   * @param options - `strict`
   * @returns missing and unexpected keys
   * @example
   * const { missing, unexpected } = model.loadStateDict(mapped.tensors);
   */
  loadStateDict(
    dict: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
    options: { strict?: boolean } = {},
  ): LoadStateDictResult {
    this.assertAlive();
    const entries = splitFusedXProj(dict, this.config);
    const unexpected: string[] = [];
    const seen = new Set<string>();
    for (const [key, value] of entries) {
      const v = this.params.get(key);
      if (!v) {
        unexpected.push(key);
        continue;
      }
      const want = v.shape as number[];
      const squeeze = (s: number[]) => {
        const out = [...s];
        while (out.length > 1 && out[0] === 1) out.shift();
        return out;
      };
      if (squeeze(value.shape).join(',') !== squeeze(want).join(',')) {
        throw new Error(`loadStateDict: '${key}' has shape [${value.shape}], expected [${want}]`);
      }
      if (value.data.length !== v.size) {
        throw new Error(
          `loadStateDict: '${key}' has ${value.data.length} values for shape [${value.shape}], expected ${v.size}`,
        );
      }
      seen.add(key);
    }
    const missing = [...this.params.keys()].filter((k) => !seen.has(k));
    if (options.strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new Error(
        `loadStateDict(strict): missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`,
      );
    }
    for (const key of seen) {
      const v = this.params.get(key)!;
      const t = tf.tensor(entries.get(key)!.data, v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
    return { missing, unexpected };
  }

  /**
   * Copies every parameter out (official names, checkpoint order, float32).
   *
   * @returns name → {shape, data}
   * @example
   * writeSafetensors(model.stateDict());
   */
  stateDict(): Map<string, StateDictEntry> {
    this.assertAlive();
    const out = new Map<string, StateDictEntry>();
    for (const [name, v] of this.params)
      out.set(name, { shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  /**
   * {@link VisionMamba.stateDict}, read back asynchronously: works on every backend, webgpu under
   * Node included (which has no synchronous read-back).
   *
   * @returns name → {shape, data}
   * @example
   * writeSafetensors(await model.stateDictAsync());
   */
  async stateDictAsync(): Promise<Map<string, StateDictEntry>> {
    this.assertAlive();
    const out = new Map<string, StateDictEntry>();
    for (const [name, v] of this.params)
      out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    return out;
  }

  /** Frees every variable. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const v of this.params.values()) v.dispose();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('VisionMamba: the model was disposed');
  }
}

/**
 * Replaces every fused `blocks.{i}.mixer.x_proj.weight` by its three row blocks (spec §1.4); other
 * entries pass through in order.
 *
 * @internal
 */
export function splitFusedXProj(
  dict: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  dims: { dtRank: number; dState: number; dInner: number },
): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const { dtRank: r, dState: n, dInner } = dims;
  for (const [key, value] of dict) {
    if (!key.endsWith('mixer.x_proj.weight')) {
      out.set(key, value);
      continue;
    }
    if (value.shape.length !== 2 || value.shape[0] !== r + 2 * n || value.shape[1] !== dInner) {
      throw new Error(
        `'${key}' has shape [${value.shape}], expected [${r + 2 * n}, ${dInner}] (dtRank ${r} + 2·dState ${n})`,
      );
    }
    const base = key.slice(0, -'x_proj.weight'.length);
    out.set(`${base}x_proj_step.weight`, { shape: [r, dInner], data: value.data.slice(0, r * dInner) });
    out.set(`${base}x_proj_B.weight`, {
      shape: [n, dInner],
      data: value.data.slice(r * dInner, (r + n) * dInner),
    });
    out.set(`${base}x_proj_C.weight`, {
      shape: [n, dInner],
      data: value.data.slice((r + n) * dInner, (r + 2 * n) * dInner),
    });
  }
  return out;
}
