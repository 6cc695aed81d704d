/**
 * torchvision `AutoAugment` on PIL images: one random sub-policy per image, each of its two ops applied
 * with its probability, signed magnitudes negated with probability 1/2.
 *
 * @module
 */
import type { ImageRecord } from '../../image/image_record.js';
import type { Rng } from '../../rng/pcg64.js';
import { type AffineInterpolation, rotate, shear, translate } from './affine.js';
import { adjustBrightness, adjustContrast, adjustSaturation, adjustSharpness } from './enhance.js';
import { autocontrast, equalize, invert, posterize, solarize } from './image_ops.js';
import {
  AUTOAUGMENT_POLICIES,
  type AutoAugmentOpName,
  type AutoAugmentPolicyName,
  autoAugmentMagnitudes,
} from './policies.js';

/**
 * Applies one AutoAugment op with a given (already signed) magnitude: torchvision's `_apply_op` on a PIL
 * image with `fill=None` (black).
 *
 * @param img - source image (grey or RGB)
 * @param op - operation name
 * @param magnitude - signed magnitude in the op's unit (see {@link autoAugmentMagnitudes})
 * @param interpolation - resampling of the geometric ops (default `'nearest'`, torchvision's default)
 * @returns a new image of the same size
 * @example
 * applyAutoAugmentOp(img, 'Rotate', -30, 'bilinear');
 * @category AutoAugment
 */
export function applyAutoAugmentOp(
  img: ImageRecord,
  op: AutoAugmentOpName,
  magnitude: number,
  interpolation: AffineInterpolation = 'nearest',
): ImageRecord {
  switch (op) {
    case 'ShearX':
      return shear(img, 'x', magnitude, interpolation);
    case 'ShearY':
      return shear(img, 'y', magnitude, interpolation);
    case 'TranslateX':
      return translate(img, 'x', magnitude, interpolation);
    case 'TranslateY':
      return translate(img, 'y', magnitude, interpolation);
    case 'Rotate':
      return rotate(img, magnitude, interpolation);
    case 'Brightness':
      return adjustBrightness(img, 1 + magnitude);
    case 'Color':
      return adjustSaturation(img, 1 + magnitude);
    case 'Contrast':
      return adjustContrast(img, 1 + magnitude);
    case 'Sharpness':
      return adjustSharpness(img, 1 + magnitude);
    case 'Posterize':
      return posterize(img, Math.trunc(magnitude));
    case 'Solarize':
      return solarize(img, magnitude);
    case 'AutoContrast':
      return autocontrast(img);
    case 'Equalize':
      return equalize(img);
    case 'Invert':
      return invert(img);
    default:
      throw new RangeError(`unknown AutoAugment op '${op as string}'`);
  }
}

/** Options of {@link autoAugment}. @category AutoAugment */
export interface AutoAugmentOptions {
  /** Policy (default `'imagenet'`, torchvision's default). */
  readonly policy?: AutoAugmentPolicyName;
  /** Interpolation of the geometric ops (default `'nearest'`; Mamba-CL passes `'bilinear'`). */
  readonly interpolation?: AffineInterpolation;
}

/** What one AutoAugment call drew (for logging and tests). @category AutoAugment */
export interface AutoAugmentDraw {
  readonly subPolicy: number;
  readonly applied: ReadonlyArray<{ op: AutoAugmentOpName; magnitude: number }>;
}

/**
 * Draws a sub-policy and applies it (torchvision `AutoAugment.forward`).
 *
 * **Details**
 * Draws, in this order: sub-policy index = integers(0, 25), two probabilities (float32 of uniform [0, 1)),
 * two signs = integers(0, 2). Step i runs when prob_i ≤ p_i; a signed magnitude is negated when sign_i = 0.
 * Magnitudes use the size of the input image. The draws come from our seeded generator, so the choices
 * are distributed like torch's but do not reproduce torch's random stream.
 *
 * @param img - source image (grey or RGB; the policies were designed for RGB)
 * @param rng - seeded generator (5 draws)
 * @param options - policy and interpolation
 * @returns the augmented image and what was applied
 * @example
 * const { image } = autoAugment(img, rng, { policy: 'cifar10', interpolation: 'bilinear' });
 * @category AutoAugment
 */
export function autoAugment(
  img: ImageRecord,
  rng: Pick<Rng, 'nextFloat64' | 'integers'>,
  options: AutoAugmentOptions = {},
): { image: ImageRecord; draw: AutoAugmentDraw } {
  const policyName = options.policy ?? 'imagenet';
  const policy = AUTOAUGMENT_POLICIES[policyName];
  if (policy === undefined) {
    throw new RangeError(
      `unknown AutoAugment policy '${policyName}', expected one of ${Object.keys(AUTOAUGMENT_POLICIES).join(', ')}`,
    );
  }
  const interpolation = options.interpolation ?? 'nearest';
  const subPolicy = rng.integers(0, policy.length);
  const probs = [Math.fround(rng.nextFloat64()), Math.fround(rng.nextFloat64())];
  const signs = [rng.integers(0, 2), rng.integers(0, 2)];
  const meta = autoAugmentMagnitudes(img.height, img.width);
  const applied: Array<{ op: AutoAugmentOpName; magnitude: number }> = [];
  let out = img;
  const steps = policy[subPolicy] as (typeof policy)[number];
  for (let i = 0; i < 2; i++) {
    const [op, p, bin] = steps[i] as (typeof steps)[number];
    if ((probs[i] as number) <= p) {
      const m = meta[op];
      let magnitude = bin === null ? 0 : (m.bins[bin] as number);
      if (m.signed && signs[i] === 0) magnitude = -magnitude;
      out = applyAutoAugmentOp(out, op, magnitude, interpolation);
      applied.push({ op, magnitude });
    }
  }
  return { image: out, draw: { subPolicy, applied } };
}
