/**
 * Image pipelines as data: the official train/eval transforms of each benchmark (spec §4) as named presets,
 * rebuildable from a plain `{ preset, options }` object (e.g. inside a worker thread).
 *
 * @module
 */
import { type ImageRecord, toGrey, toRgb } from '../image/image_record.js';
import type { Rng } from '../rng/pcg64.js';
import type { AffineInterpolation } from './auto_augment/affine.js';
import { autoAugment } from './auto_augment/auto_augment.js';
import type { AutoAugmentPolicyName } from './auto_augment/policies.js';
import { centerCrop } from './crop.js';
import {
  FASHION_MNIST_MEAN_STD,
  IMAGENET_MEAN,
  IMAGENET_STD,
  MNIST_MEAN_STD,
  type TensorImage,
  toTensorNormalize,
} from './normalize.js';
import { randomResizedCrop } from './random_resized_crop.js';
import { type ResampleFilter, resize } from './resize.js';

/**
 * One step of a pipeline, as plain data. The last step of every pipeline is `normalize`.
 *
 * @category Transforms
 */
export type PipelineStep =
  | { readonly kind: 'toRgb' }
  | { readonly kind: 'toGrey' }
  | {
      readonly kind: 'autoAugment';
      readonly policy: AutoAugmentPolicyName;
      readonly interpolation: AffineInterpolation;
    }
  | {
      readonly kind: 'randomResizedCrop';
      readonly height: number;
      readonly width: number;
      readonly scale: readonly [number, number];
      readonly ratio: readonly [number, number];
      readonly filter: ResampleFilter;
    }
  | {
      readonly kind: 'resize';
      readonly height: number;
      readonly width: number;
      readonly filter: ResampleFilter;
    }
  | { readonly kind: 'centerCrop'; readonly height: number; readonly width: number }
  | {
      readonly kind: 'normalize';
      readonly mean: readonly number[];
      readonly std: readonly number[];
      readonly channels: 1 | 3;
    };

/** Named normalisations. `'unit'` keeps ToTensor's [0, 1] (mean 0, std 1). @category Transforms */
export type NormalizationName = 'imagenet' | 'mnist' | 'fashion-mnist' | 'unit';

/**
 * Options every preset accepts (each has the official value as default).
 *
 * @category Transforms
 */
export interface PipelineOptions {
  /** Final side in pixels (default 192; 28 for the MNIST presets). */
  readonly size?: number;
  /** Side of the eval resize before the centre crop (ImageNet-R/DomainNet eval; default 224). */
  readonly resizeTo?: number;
  /** Resampling filter of the crop/resize (default: the benchmark's, bicubic for CIFAR-100, else bilinear). */
  readonly interpolation?: ResampleFilter;
  /** AutoAugment policy of a train preset, or `'none'` (default: the benchmark's). */
  readonly autoAugment?: AutoAugmentPolicyName | 'none';
  /** Interpolation of AutoAugment's geometric ops (default `'bilinear'`, as the official code passes). */
  readonly autoAugmentInterpolation?: AffineInterpolation;
  /** RandomResizedCrop area range (default [0.08, 1]). */
  readonly scale?: readonly [number, number];
  /** RandomResizedCrop aspect range (default [3/4, 4/3]). */
  readonly ratio?: readonly [number, number];
  /** Named normalisation (default `'imagenet'`; `'mnist'` / `'fashion-mnist'` for those presets). */
  readonly normalization?: NormalizationName;
  /** Explicit means (override `normalization`). */
  readonly mean?: readonly number[];
  /** Explicit standard deviations (override `normalization`). */
  readonly std?: readonly number[];
  /** Output channels (default 3; 1 for the MNIST presets, 3 there replicates the grey channel). */
  readonly channels?: 1 | 3;
  /** Only for the `'custom'` preset: the steps, ending in `normalize`. */
  readonly steps?: readonly PipelineStep[];
}

/**
 * A pipeline described as data (structured-clone safe): rebuild it anywhere with {@link buildPipeline}.
 *
 * @category Transforms
 */
export interface ImagePipelineSpec {
  readonly preset: string;
  readonly options?: PipelineOptions;
}

/**
 * A built pipeline: `(img, rng) → normalised float32 HWC`.
 *
 * @category Transforms
 */
export interface ImagePipeline {
  /** The spec it was built from. */
  readonly spec: ImagePipelineSpec;
  /** The resolved steps. */
  readonly steps: readonly PipelineStep[];
  /** [height, width, channels] of every output. */
  readonly outputShape: readonly [number, number, number];
  /** Whether `apply` draws random numbers (train pipelines). */
  readonly random: boolean;
  /**
   * Transforms one image. `rng` is required when `random` is true; `out` (length H·W·C) receives the data
   * instead of a new array (e.g. a slot of a batch buffer).
   */
  apply(img: ImageRecord, rng?: Pick<Rng, 'nextFloat64' | 'integers'>, out?: Float32Array): TensorImage;
}

/** A preset: its id, a one-line description, and how options become steps. @category Transforms */
export interface PipelinePresetDefinition {
  readonly id: string;
  readonly description: string;
  readonly steps: (options: PipelineOptions) => PipelineStep[];
}

function normalizeStep(
  o: PipelineOptions,
  defaults: { normalization: NormalizationName; channels: 1 | 3 },
): PipelineStep {
  const channels = o.channels ?? defaults.channels;
  const name = o.normalization ?? defaults.normalization;
  let mean: readonly number[];
  let std: readonly number[];
  switch (name) {
    case 'imagenet':
      mean = IMAGENET_MEAN;
      std = IMAGENET_STD;
      break;
    case 'mnist':
      mean = [MNIST_MEAN_STD[0]];
      std = [MNIST_MEAN_STD[1]];
      break;
    case 'fashion-mnist':
      mean = [FASHION_MNIST_MEAN_STD[0]];
      std = [FASHION_MNIST_MEAN_STD[1]];
      break;
    case 'unit':
      mean = [0];
      std = [1];
      break;
    default:
      throw new RangeError(
        `unknown normalization '${name as string}', expected one of imagenet, mnist, fashion-mnist, unit`,
      );
  }
  const fit = (v: readonly number[]): number[] =>
    v.length === channels ? [...v] : v.length === 1 ? new Array(channels).fill(v[0]) : [...v];
  return { kind: 'normalize', mean: fit(o.mean ?? mean), std: fit(o.std ?? std), channels };
}

function trainSteps(
  o: PipelineOptions,
  d: { policy: AutoAugmentPolicyName; filter: ResampleFilter },
): PipelineStep[] {
  const size = o.size ?? 192;
  const aa = o.autoAugment ?? d.policy;
  const steps: PipelineStep[] = [{ kind: 'toRgb' }];
  if (aa !== 'none') {
    steps.push({ kind: 'autoAugment', policy: aa, interpolation: o.autoAugmentInterpolation ?? 'bilinear' });
  }
  steps.push({
    kind: 'randomResizedCrop',
    height: size,
    width: size,
    scale: o.scale ?? [0.08, 1],
    ratio: o.ratio ?? [3 / 4, 4 / 3],
    filter: o.interpolation ?? d.filter,
  });
  steps.push(normalizeStep(o, { normalization: 'imagenet', channels: 3 }));
  return steps;
}

function cifarEvalSteps(o: PipelineOptions): PipelineStep[] {
  const size = o.size ?? 192;
  return [
    { kind: 'toRgb' },
    { kind: 'resize', height: size, width: size, filter: o.interpolation ?? 'bicubic' },
    normalizeStep(o, { normalization: 'imagenet', channels: 3 }),
  ];
}

function imagenetEvalSteps(o: PipelineOptions): PipelineStep[] {
  const size = o.size ?? 192;
  const r = o.resizeTo ?? 224;
  return [
    { kind: 'toRgb' },
    { kind: 'resize', height: r, width: r, filter: o.interpolation ?? 'bilinear' },
    { kind: 'centerCrop', height: size, width: size },
    normalizeStep(o, { normalization: 'imagenet', channels: 3 }),
  ];
}

function mnistSteps(o: PipelineOptions, normalization: NormalizationName): PipelineStep[] {
  const size = o.size ?? 28;
  const steps: PipelineStep[] = [{ kind: 'toGrey' }];
  if (o.autoAugment !== undefined && o.autoAugment !== 'none') {
    steps.push({
      kind: 'autoAugment',
      policy: o.autoAugment,
      interpolation: o.autoAugmentInterpolation ?? 'bilinear',
    });
  }
  // a no-op copy for 28×28 inputs; fixes the output shape for any input size
  steps.push({ kind: 'resize', height: size, width: size, filter: o.interpolation ?? 'bilinear' });
  steps.push(normalizeStep(o, { normalization, channels: 1 }));
  return steps;
}

function customSteps(o: PipelineOptions): PipelineStep[] {
  if (!o.steps || o.steps.length === 0 || o.steps[o.steps.length - 1]?.kind !== 'normalize') {
    throw new RangeError("preset 'custom' needs options.steps ending with a 'normalize' step");
  }
  return [...o.steps];
}

/**
 * The built-in presets (spec §4).
 *
 * **Details**
 * - `cifar100-train`: AutoAugment CIFAR10 (bilinear) → RandomResizedCrop 192 bicubic → ImageNet normalise.
 * - `cifar100-eval`: Resize 192×192 bicubic → normalise.
 * - `imagenet-r-train`, `domainnet-train`: AutoAugment IMAGENET (bilinear) → RandomResizedCrop 192 bilinear → normalise.
 * - `imagenet-r-eval`, `domainnet-eval`: Resize 224×224 bilinear (aspect not kept) → CenterCrop 192 → normalise.
 * - `mnist-train`, `mnist-eval` (and `fashion-mnist-*`): the embedded small default, not in the paper:
 *   grey, resized to `size` (default 28, a copy for 28×28 inputs) bilinear, no augmentation, normalised with the customary MNIST mean/std 0.1307/0.3081
 *   (Fashion-MNIST 0.2860/0.3530); `channels: 3` replicates grey, `normalization: 'unit'` keeps [0, 1].
 * - `custom`: `options.steps` as given.
 * Every RGB preset first converts grey inputs to RGB, as the official loaders call `convert('RGB')`.
 *
 * @category Transforms
 */
export const BUILTIN_PIPELINE_PRESETS: readonly PipelinePresetDefinition[] = [
  {
    id: 'cifar100-train',
    description: 'AutoAugment CIFAR10 → RandomResizedCrop 192 bicubic → ImageNet normalise',
    steps: (o) => trainSteps(o, { policy: 'cifar10', filter: 'bicubic' }),
  },
  { id: 'cifar100-eval', description: 'Resize 192×192 bicubic → ImageNet normalise', steps: cifarEvalSteps },
  {
    id: 'imagenet-r-train',
    description: 'AutoAugment IMAGENET → RandomResizedCrop 192 bilinear → ImageNet normalise',
    steps: (o) => trainSteps(o, { policy: 'imagenet', filter: 'bilinear' }),
  },
  {
    id: 'imagenet-r-eval',
    description: 'Resize 224×224 bilinear → CenterCrop 192 → ImageNet normalise',
    steps: imagenetEvalSteps,
  },
  {
    id: 'domainnet-train',
    description: 'AutoAugment IMAGENET → RandomResizedCrop 192 bilinear → ImageNet normalise',
    steps: (o) => trainSteps(o, { policy: 'imagenet', filter: 'bilinear' }),
  },
  {
    id: 'domainnet-eval',
    description: 'Resize 224×224 bilinear → CenterCrop 192 → ImageNet normalise',
    steps: imagenetEvalSteps,
  },
  {
    id: 'mnist-train',
    description: '28×28 grey, MNIST mean/std (no augmentation)',
    steps: (o) => mnistSteps(o, 'mnist'),
  },
  { id: 'mnist-eval', description: '28×28 grey, MNIST mean/std', steps: (o) => mnistSteps(o, 'mnist') },
  {
    id: 'fashion-mnist-train',
    description: '28×28 grey, Fashion-MNIST mean/std (no augmentation)',
    steps: (o) => mnistSteps(o, 'fashion-mnist'),
  },
  {
    id: 'fashion-mnist-eval',
    description: '28×28 grey, Fashion-MNIST mean/std',
    steps: (o) => mnistSteps(o, 'fashion-mnist'),
  },
  { id: 'custom', description: 'options.steps as given', steps: customSteps },
];

/**
 * Builds an id → preset map from an array; a duplicate id throws.
 *
 * @param defs - preset definitions
 * @returns the registry
 * @example
 * const registry = createPresetRegistry(BUILTIN_PIPELINE_PRESETS);
 * @category Transforms
 */
export function createPresetRegistry(
  defs: readonly PipelinePresetDefinition[],
): ReadonlyMap<string, PipelinePresetDefinition> {
  const m = new Map<string, PipelinePresetDefinition>();
  for (const d of defs) {
    if (m.has(d.id)) throw new Error(`duplicate pipeline preset id '${d.id}'`);
    m.set(d.id, d);
  }
  return m;
}

const REGISTRY = createPresetRegistry(BUILTIN_PIPELINE_PRESETS);

/**
 * Names of the built-in presets.
 *
 * @returns preset ids
 * @example
 * pipelinePresetNames(); // ['cifar100-train', 'cifar100-eval', …]
 * @category Transforms
 */
export function pipelinePresetNames(): string[] {
  return [...REGISTRY.keys()];
}

function outputShape(steps: readonly PipelineStep[]): [number, number, number] {
  let h = Number.NaN;
  let w = Number.NaN;
  for (const s of steps) {
    if (s.kind === 'resize' || s.kind === 'centerCrop' || s.kind === 'randomResizedCrop') {
      h = s.height;
      w = s.width;
    }
  }
  const last = steps[steps.length - 1] as Extract<PipelineStep, { kind: 'normalize' }>;
  return [h, w, last.channels];
}

/**
 * Builds a pipeline from its data description.
 *
 * **Details**
 * Unknown presets throw with the list of known ids. Every preset ends in a fixed size, given by
 * `outputShape` (a `custom` pipeline without resize/crop steps has NaN height/width there).
 *
 * @param spec - `{ preset, options }`
 * @returns the pipeline
 * @example
 * const p = buildPipeline({ preset: 'cifar100-train' });
 * const t = p.apply(img, createRng([2024, 0, 17])); // t.data: Float32Array(192·192·3)
 * @category Transforms
 */
export function buildPipeline(spec: ImagePipelineSpec): ImagePipeline {
  const def = REGISTRY.get(spec.preset);
  if (def === undefined) {
    throw new RangeError(
      `unknown pipeline preset '${spec.preset}', known presets: ${pipelinePresetNames().join(', ')}`,
    );
  }
  const steps = def.steps(spec.options ?? {});
  const random = steps.some((s) => s.kind === 'autoAugment' || s.kind === 'randomResizedCrop');
  const shape = outputShape(steps);
  const apply = (
    input: ImageRecord,
    rng?: Pick<Rng, 'nextFloat64' | 'integers'>,
    out?: Float32Array,
  ): TensorImage => {
    let img = input;
    const need = (): Pick<Rng, 'nextFloat64' | 'integers'> => {
      if (rng === undefined) throw new Error(`pipeline '${spec.preset}' is random: pass a seeded rng`);
      return rng;
    };
    for (const s of steps) {
      switch (s.kind) {
        case 'toRgb':
          img = toRgb(img);
          break;
        case 'toGrey':
          img = toGrey(img);
          break;
        case 'autoAugment':
          img = autoAugment(img, need(), { policy: s.policy, interpolation: s.interpolation }).image;
          break;
        case 'randomResizedCrop':
          img = randomResizedCrop(img, need(), {
            size: [s.height, s.width],
            scale: s.scale,
            ratio: s.ratio,
            filter: s.filter,
          });
          break;
        case 'resize':
          img = resize(img, s.width, s.height, { filter: s.filter });
          break;
        case 'centerCrop':
          img = centerCrop(img, s.height, s.width);
          break;
        case 'normalize':
          return toTensorNormalize(img, {
            mean: s.mean,
            std: s.std,
            channels: s.channels,
            ...(out ? { out } : {}),
          });
      }
    }
    throw new Error(`pipeline '${spec.preset}' does not end with a normalize step`);
  };
  return { spec, steps, outputShape: shape, random, apply };
}

/**
 * Shorthand for `buildPipeline({ preset: name, options })`.
 *
 * @param name - preset id (see {@link BUILTIN_PIPELINE_PRESETS})
 * @param options - overrides
 * @returns the pipeline
 * @example
 * const evalT = pipelinePreset('imagenet-r-eval');
 * @category Transforms
 */
export function pipelinePreset(name: string, options?: PipelineOptions): ImagePipeline {
  return buildPipeline(options === undefined ? { preset: name } : { preset: name, options });
}
