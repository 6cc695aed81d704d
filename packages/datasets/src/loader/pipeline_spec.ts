/**
 * Sample pipelines described as data, so a loader worker can rebuild them: a preset name plus
 * JSON-serialisable options (and, optionally, the module that provides the preset).
 *
 * @module
 */
import type { ImageRecord } from '../image/image_record.js';
import type { Rng } from '../rng/pcg64.js';

/**
 * One transformed sample: float32 HWC.
 *
 * @category Loading
 */
export interface SampleOutput {
  /** HWC float32, length height·width·channels. */
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * A per-sample transform: decoded image + the sample's own generator → float32 HWC.
 *
 * @category Loading
 */
export type SampleTransform = (img: ImageRecord, rng: Rng) => SampleOutput;

/**
 * A pipeline as data.
 *
 * **Details**
 * `preset` is looked up first among {@link BUILTIN_PIPELINES}; otherwise `module` (default: this
 * package's `transforms/pipeline` module, i.e. the transforms' `pipelinePreset`) is imported and its `exportName` (default `'pipelinePreset'`) is called as
 * `factory(preset, options)`. The result may be a function `(img, rng) => out`, or an object with
 * `apply(img, rng)`; `out` may be a {@link SampleOutput}, an object `{ pixels | data: Float32Array,
 * width, height, channels }`, or a bare Float32Array when the pipeline has `outputShape: [H, W, C]`.
 *
 * @example
 * const spec: LoaderPipelineSpec = { preset: 'to-float', options: { mean: [0.5], std: [0.5] } };
 * @category Loading
 */
export interface LoaderPipelineSpec {
  preset: string;
  /** JSON-serialisable options (e.g. the transforms' `PipelineOptions`). */
  options?: object;
  /** Module specifier or file URL that exports the factory (default: this package's `transforms/pipeline`). */
  module?: string;
  /** Name of the factory export (default `'pipelinePreset'`). */
  exportName?: string;
}

/**
 * A built-in pipeline.
 *
 * @category Loading
 */
export interface BuiltinPipeline {
  readonly id: string;
  readonly create: (options: Record<string, unknown>) => SampleTransform;
}

function numberList(v: unknown, name: string): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
    throw new TypeError(`to-float: option '${name}' must be an array of numbers`);
  }
  return v as number[];
}

/**
 * `to-float`: ToTensor (/255) then optional Normalize(mean, std) per channel; `channels: 3` replicates
 * grey images to RGB first. No randomness (an eval pipeline for packed datasets such as MNIST).
 *
 * @param options - `{ mean?: number[]; std?: number[]; channels?: 1 | 3 }`
 * @returns the transform
 * @example
 * const t = toFloatPipeline({ mean: [0.1307], std: [0.3081] });
 * @category Loading
 */
export function toFloatPipeline(options: Record<string, unknown> = {}): SampleTransform {
  const mean = numberList(options.mean, 'mean');
  const std = numberList(options.std, 'std');
  const outChannels = options.channels as 1 | 3 | undefined;
  return (img) => {
    const c = outChannels ?? img.channels;
    if (c !== img.channels && !(img.channels === 1 && c === 3)) {
      throw new RangeError(`to-float: cannot turn a ${img.channels}-channel image into ${c} channels`);
    }
    const hw = img.width * img.height;
    const out = new Float32Array(hw * c);
    const m = Array.from({ length: c }, (_, k) => mean?.[mean.length === 1 ? 0 : k] ?? 0);
    const s = Array.from({ length: c }, (_, k) => std?.[std.length === 1 ? 0 : k] ?? 1);
    const src = img.pixels;
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < c; k++) {
        const v = src[img.channels === c ? p * c + k : p] / 255;
        out[p * c + k] = (v - m[k]) / s[k];
      }
    }
    return { data: out, height: img.height, width: img.width, channels: c };
  };
}

/**
 * Pipelines the loader knows without importing anything (plain array; ids are unique).
 *
 * @category Loading
 */
export const BUILTIN_PIPELINES: readonly BuiltinPipeline[] = [{ id: 'to-float', create: toFloatPipeline }];

type AnyPipeline = ((img: ImageRecord, rng: Rng) => unknown) | { apply(img: ImageRecord, rng: Rng): unknown };

function adaptOutput(out: unknown, shape: readonly number[] | undefined, preset: string): SampleOutput {
  if (out instanceof Float32Array) {
    if (shape?.length !== 3) {
      throw new TypeError(
        `pipeline '${preset}' returned a bare Float32Array but has no outputShape [H, W, C]`,
      );
    }
    return { data: out, height: shape[0], width: shape[1], channels: shape[2] };
  }
  const o = out as { data?: unknown; pixels?: unknown; width?: number; height?: number; channels?: number };
  const data =
    o?.data instanceof Float32Array ? o.data : o?.pixels instanceof Float32Array ? o.pixels : undefined;
  if (
    !data ||
    typeof o.width !== 'number' ||
    typeof o.height !== 'number' ||
    typeof o.channels !== 'number'
  ) {
    throw new TypeError(
      `pipeline '${preset}' returned ${Object.prototype.toString.call(out)}, expected { data: Float32Array, width, height, channels }`,
    );
  }
  return { data, height: o.height, width: o.width, channels: o.channels };
}

/**
 * Wraps any supported pipeline object as a {@link SampleTransform}.
 *
 * @param pipeline - a function, or an object with `apply` (and optional `outputShape`)
 * @param preset - name for error messages
 * @returns the transform
 * @example
 * const t = adaptPipeline((img) => toFloatPipeline()(img, createRng(0)), 'mine');
 * @category Loading
 */
export function adaptPipeline(pipeline: unknown, preset = '<custom>'): SampleTransform {
  const p = pipeline as AnyPipeline & { outputShape?: readonly number[] };
  const shape = p?.outputShape;
  if (typeof p === 'function') return (img, rng) => adaptOutput(p(img, rng), shape, preset);
  if (p && typeof (p as { apply?: unknown }).apply === 'function') {
    return (img, rng) =>
      adaptOutput((p as { apply(img: ImageRecord, rng: Rng): unknown }).apply(img, rng), shape, preset);
  }
  throw new TypeError(`pipeline '${preset}' is neither a function nor an object with apply(img, rng)`);
}

/**
 * Builds the transform a {@link LoaderPipelineSpec} describes (in the main thread or in a worker).
 *
 * @param spec - preset + options (+ module); e.g. `{ preset: 'cifar100-train' }`
 * @returns the transform
 * @example
 * const t = await resolvePipeline({ preset: 'to-float' });
 * @category Loading
 */
export async function resolvePipeline(spec: LoaderPipelineSpec): Promise<SampleTransform> {
  const builtin = BUILTIN_PIPELINES.find((b) => b.id === spec.preset);
  if (builtin && !spec.module) return builtin.create((spec.options ?? {}) as Record<string, unknown>);
  const moduleId = spec.module ?? new URL(`../transforms/pipeline${sourceExt()}`, import.meta.url).href;
  const mod = (await import(moduleId)) as Record<string, unknown>;
  const name = spec.exportName ?? 'pipelinePreset';
  const factory = mod[name];
  if (typeof factory !== 'function') {
    throw new TypeError(
      `pipeline '${spec.preset}': ${moduleId} has no function export '${name}' (built-in presets: ${BUILTIN_PIPELINES.map((b) => b.id).join(', ')})`,
    );
  }
  return adaptPipeline(factory(spec.preset, spec.options ?? {}), spec.preset);
}

/** '.ts' when running from sources (tests, tsx), '.js' from dist. */
function sourceExt(): string {
  return import.meta.url.endsWith('.ts') ? '.ts' : '.js';
}
