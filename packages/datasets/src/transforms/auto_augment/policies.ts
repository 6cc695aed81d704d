/**
 * AutoAugment policy tables and magnitude bins of torchvision (`transforms.AutoAugment`, v0.14).
 *
 * @module
 */

/** The AutoAugment operations. @category AutoAugment */
export type AutoAugmentOpName =
  | 'ShearX'
  | 'ShearY'
  | 'TranslateX'
  | 'TranslateY'
  | 'Rotate'
  | 'Brightness'
  | 'Color'
  | 'Contrast'
  | 'Sharpness'
  | 'Posterize'
  | 'Solarize'
  | 'AutoContrast'
  | 'Equalize'
  | 'Invert';

/** One step of a sub-policy: op, probability, magnitude bin (0..9, or null for ops without one). @category AutoAugment */
export type AutoAugmentStep = readonly [AutoAugmentOpName, number, number | null];

/** The policies of torchvision: learned on CIFAR-10, ImageNet and SVHN. @category AutoAugment */
export type AutoAugmentPolicyName = 'cifar10' | 'imagenet' | 'svhn';

/** A sub-policy: two steps applied in order. @category AutoAugment */
export type AutoAugmentSubPolicy = readonly [AutoAugmentStep, AutoAugmentStep];

const IMAGENET: readonly AutoAugmentSubPolicy[] = [
  [
    ['Posterize', 0.4, 8],
    ['Rotate', 0.6, 9],
  ],
  [
    ['Solarize', 0.6, 5],
    ['AutoContrast', 0.6, null],
  ],
  [
    ['Equalize', 0.8, null],
    ['Equalize', 0.6, null],
  ],
  [
    ['Posterize', 0.6, 7],
    ['Posterize', 0.6, 6],
  ],
  [
    ['Equalize', 0.4, null],
    ['Solarize', 0.2, 4],
  ],
  [
    ['Equalize', 0.4, null],
    ['Rotate', 0.8, 8],
  ],
  [
    ['Solarize', 0.6, 3],
    ['Equalize', 0.6, null],
  ],
  [
    ['Posterize', 0.8, 5],
    ['Equalize', 1.0, null],
  ],
  [
    ['Rotate', 0.2, 3],
    ['Solarize', 0.6, 8],
  ],
  [
    ['Equalize', 0.6, null],
    ['Posterize', 0.4, 6],
  ],
  [
    ['Rotate', 0.8, 8],
    ['Color', 0.4, 0],
  ],
  [
    ['Rotate', 0.4, 9],
    ['Equalize', 0.6, null],
  ],
  [
    ['Equalize', 0.0, null],
    ['Equalize', 0.8, null],
  ],
  [
    ['Invert', 0.6, null],
    ['Equalize', 1.0, null],
  ],
  [
    ['Color', 0.6, 4],
    ['Contrast', 1.0, 8],
  ],
  [
    ['Rotate', 0.8, 8],
    ['Color', 1.0, 2],
  ],
  [
    ['Color', 0.8, 8],
    ['Solarize', 0.8, 7],
  ],
  [
    ['Sharpness', 0.4, 7],
    ['Invert', 0.6, null],
  ],
  [
    ['ShearX', 0.6, 5],
    ['Equalize', 1.0, null],
  ],
  [
    ['Color', 0.4, 0],
    ['Equalize', 0.6, null],
  ],
  [
    ['Equalize', 0.4, null],
    ['Solarize', 0.2, 4],
  ],
  [
    ['Solarize', 0.6, 5],
    ['AutoContrast', 0.6, null],
  ],
  [
    ['Invert', 0.6, null],
    ['Equalize', 1.0, null],
  ],
  [
    ['Color', 0.6, 4],
    ['Contrast', 1.0, 8],
  ],
  [
    ['Equalize', 0.8, null],
    ['Equalize', 0.6, null],
  ],
];

const CIFAR10: readonly AutoAugmentSubPolicy[] = [
  [
    ['Invert', 0.1, null],
    ['Contrast', 0.2, 6],
  ],
  [
    ['Rotate', 0.7, 2],
    ['TranslateX', 0.3, 9],
  ],
  [
    ['Sharpness', 0.8, 1],
    ['Sharpness', 0.9, 3],
  ],
  [
    ['ShearY', 0.5, 8],
    ['TranslateY', 0.7, 9],
  ],
  [
    ['AutoContrast', 0.5, null],
    ['Equalize', 0.9, null],
  ],
  [
    ['ShearY', 0.2, 7],
    ['Posterize', 0.3, 7],
  ],
  [
    ['Color', 0.4, 3],
    ['Brightness', 0.6, 7],
  ],
  [
    ['Sharpness', 0.3, 9],
    ['Brightness', 0.7, 9],
  ],
  [
    ['Equalize', 0.6, null],
    ['Equalize', 0.5, null],
  ],
  [
    ['Contrast', 0.6, 7],
    ['Sharpness', 0.6, 5],
  ],
  [
    ['Color', 0.7, 7],
    ['TranslateX', 0.5, 8],
  ],
  [
    ['Equalize', 0.3, null],
    ['AutoContrast', 0.4, null],
  ],
  [
    ['TranslateY', 0.4, 3],
    ['Sharpness', 0.2, 6],
  ],
  [
    ['Brightness', 0.9, 6],
    ['Color', 0.2, 8],
  ],
  [
    ['Solarize', 0.5, 2],
    ['Invert', 0.0, null],
  ],
  [
    ['Equalize', 0.2, null],
    ['AutoContrast', 0.6, null],
  ],
  [
    ['Equalize', 0.2, null],
    ['Equalize', 0.6, null],
  ],
  [
    ['Color', 0.9, 9],
    ['Equalize', 0.6, null],
  ],
  [
    ['AutoContrast', 0.8, null],
    ['Solarize', 0.2, 8],
  ],
  [
    ['Brightness', 0.1, 3],
    ['Color', 0.7, 0],
  ],
  [
    ['Solarize', 0.4, 5],
    ['AutoContrast', 0.9, null],
  ],
  [
    ['TranslateY', 0.9, 9],
    ['TranslateY', 0.7, 9],
  ],
  [
    ['AutoContrast', 0.9, null],
    ['Solarize', 0.8, 3],
  ],
  [
    ['Equalize', 0.8, null],
    ['Invert', 0.1, null],
  ],
  [
    ['TranslateY', 0.7, 9],
    ['AutoContrast', 0.9, null],
  ],
];

const SVHN: readonly AutoAugmentSubPolicy[] = [
  [
    ['ShearX', 0.9, 4],
    ['Invert', 0.2, null],
  ],
  [
    ['ShearY', 0.9, 8],
    ['Invert', 0.7, null],
  ],
  [
    ['Equalize', 0.6, null],
    ['Solarize', 0.6, 6],
  ],
  [
    ['Invert', 0.9, null],
    ['Equalize', 0.6, null],
  ],
  [
    ['Equalize', 0.6, null],
    ['Rotate', 0.9, 3],
  ],
  [
    ['ShearX', 0.9, 4],
    ['AutoContrast', 0.8, null],
  ],
  [
    ['ShearY', 0.9, 8],
    ['Invert', 0.4, null],
  ],
  [
    ['ShearY', 0.9, 5],
    ['Solarize', 0.2, 6],
  ],
  [
    ['Invert', 0.9, null],
    ['AutoContrast', 0.8, null],
  ],
  [
    ['Equalize', 0.6, null],
    ['Rotate', 0.9, 3],
  ],
  [
    ['ShearX', 0.9, 4],
    ['Solarize', 0.3, 3],
  ],
  [
    ['ShearY', 0.8, 8],
    ['Invert', 0.7, null],
  ],
  [
    ['Equalize', 0.9, null],
    ['TranslateY', 0.6, 6],
  ],
  [
    ['Invert', 0.9, null],
    ['Equalize', 0.6, null],
  ],
  [
    ['Contrast', 0.3, 3],
    ['Rotate', 0.8, 4],
  ],
  [
    ['Invert', 0.8, null],
    ['TranslateY', 0.0, 2],
  ],
  [
    ['ShearY', 0.7, 6],
    ['Solarize', 0.4, 8],
  ],
  [
    ['Invert', 0.6, null],
    ['Rotate', 0.8, 4],
  ],
  [
    ['ShearY', 0.3, 7],
    ['TranslateX', 0.9, 3],
  ],
  [
    ['ShearX', 0.1, 6],
    ['Invert', 0.6, null],
  ],
  [
    ['Solarize', 0.7, 2],
    ['TranslateY', 0.6, 7],
  ],
  [
    ['ShearY', 0.8, 4],
    ['Invert', 0.8, null],
  ],
  [
    ['ShearX', 0.7, 9],
    ['TranslateY', 0.8, 3],
  ],
  [
    ['ShearY', 0.8, 5],
    ['AutoContrast', 0.7, null],
  ],
  [
    ['ShearX', 0.7, 2],
    ['Invert', 0.1, null],
  ],
];

/**
 * The sub-policies of each AutoAugment policy (25 each, two steps per sub-policy), as in torchvision.
 *
 * @example
 * AUTOAUGMENT_POLICIES.cifar10[1]; // [['Rotate', 0.7, 2], ['TranslateX', 0.3, 9]]
 * @category AutoAugment
 */
export const AUTOAUGMENT_POLICIES: Readonly<Record<AutoAugmentPolicyName, readonly AutoAugmentSubPolicy[]>> =
  {
    cifar10: CIFAR10,
    imagenet: IMAGENET,
    svhn: SVHN,
  };

/**
 * `torch.linspace(start, end, steps)` in float32 on the CPU: start + step·i for i < steps/2, else
 * end − step·(steps − 1 − i), with step = (end − start)/(steps − 1), every operation rounded to float32.
 *
 * @param start - first value
 * @param end - last value
 * @param steps - count (≥ 2)
 * @returns the float32 values as doubles
 * @example
 * linspaceF32(255, 0, 10)[5]; // 113.33333587646484
 * @category AutoAugment
 */
export function linspaceF32(start: number, end: number, steps: number): number[] {
  const f = Math.fround;
  const s = f(start);
  const e = f(end);
  const step = f(f(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) =>
    i < half ? f(s + f(step * i)) : f(e - f(step * (steps - 1 - i))),
  );
}

/** Magnitude table of one op: its 10 bins and whether it gets a random sign. @category AutoAugment */
export interface OpMagnitudes {
  readonly bins: readonly number[];
  readonly signed: boolean;
}

/**
 * torchvision `AutoAugment._augmentation_space(10, (height, width))`.
 *
 * **Details**
 * Shear 0–0.3, Translate 0–(150/331)·width (X) or ·height (Y) pixels, Rotate 0–30°,
 * Brightness/Color/Contrast/Sharpness 0–0.9 (factor 1 ± m), all signed float32 linspaces;
 * Posterize bits 8 − round(i/2.25) = [8,8,7,7,6,6,5,5,4,4]; Solarize threshold linspace(255, 0);
 * AutoContrast/Equalize/Invert take no magnitude.
 *
 * @param height - image rows
 * @param width - image columns
 * @returns the table keyed by op
 * @example
 * autoAugmentMagnitudes(32, 32).TranslateX.bins[9]; // 14.50151...
 * @category AutoAugment
 */
export function autoAugmentMagnitudes(
  height: number,
  width: number,
): Readonly<Record<AutoAugmentOpName, OpMagnitudes>> {
  const n = 10;
  const enh = linspaceF32(0, 0.9, n);
  return {
    ShearX: { bins: linspaceF32(0, 0.3, n), signed: true },
    ShearY: { bins: linspaceF32(0, 0.3, n), signed: true },
    TranslateX: { bins: linspaceF32(0, (150 / 331) * width, n), signed: true },
    TranslateY: { bins: linspaceF32(0, (150 / 331) * height, n), signed: true },
    Rotate: { bins: linspaceF32(0, 30, n), signed: true },
    Brightness: { bins: enh, signed: true },
    Color: { bins: enh, signed: true },
    Contrast: { bins: enh, signed: true },
    Sharpness: { bins: enh, signed: true },
    Posterize: { bins: [8, 8, 7, 7, 6, 6, 5, 5, 4, 4], signed: false },
    Solarize: { bins: linspaceF32(255, 0, n), signed: false },
    AutoContrast: { bins: [0], signed: false },
    Equalize: { bins: [0], signed: false },
    Invert: { bins: [0], signed: false },
  };
}
