import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../layers/linear.js';
import { SeededRandom } from '../model/seeded_random.js';
import type { VisionMamba } from '../model/vision_mamba.js';

/**
 * Options of {@link createClassifierStep}.
 *
 * @category Perf
 */
export interface ClassifierStepOptions {
  /** Classes of the linear head (default 10). */
  readonly numClasses?: number;
  /** Seed of the head's weights and, when `images` is not given, of the images (default 2). */
  readonly seed?: number;
  /** Images [batch, imgSize, imgSize, inChans] to train on (taken over: disposed by `dispose`); default drawn N(0, 1) from `seed` after the head. */
  readonly images?: tf.Tensor4D;
  /** Names of the head's two variables (default unnamed). */
  readonly variableNames?: { readonly weight: string; readonly bias: string };
}

/**
 * One benchmark training step of a backbone plus a linear head, with the tensors it holds.
 *
 * @category Perf
 */
export interface ClassifierStep {
  /** Head weight [numClasses, dModel], uniform in ±0.1. */
  readonly headW: tf.Variable;
  /** Head bias [numClasses], zeros. */
  readonly headB: tf.Variable;
  /** What Adam updates: the backbone's trainable tensors, then `headW`, `headB`. */
  readonly vars: tf.Variable[];
  /** The images [batch, imgSize, imgSize, inChans]. */
  readonly images: tf.Tensor4D;
  /** Class of image i: `i % numClasses` [batch]. */
  readonly targets: Int32Array;
  /** `targets` one-hot [batch, numClasses]. */
  readonly labels: tf.Tensor2D;
  /** Adam, learning rate 1e-4. */
  readonly optimizer: tf.Optimizer;
  /** Forward, cross-entropy, backward and Adam on the main thread; resolves when the loss is read back. */
  step(): Promise<void>;
  /** Disposes the head, images, labels and optimizer (not the model). */
  dispose(): void;
}

/**
 * Builds the training step the step benchmarks time: `model` plus a linear head, cross-entropy,
 * Adam 1e-4 over the officially trainable tensors and the head.
 *
 * **Details**
 * The loss is read with `await data()`, never `dataSync()`: webgpu under Node has no synchronous
 * read-back.
 *
 * @param model - the backbone
 * @param batch - images per step
 * @param options - classes, seed, images, variable names
 * @returns the step and what it holds
 * @example
 * const s = createClassifierStep(VisionMamba.create(MODEL_PRESETS.tiny), 64);
 * await s.step();
 * s.dispose();
 * @category Perf
 */
export function createClassifierStep(
  model: VisionMamba,
  batch: number,
  options: ClassifierStepOptions = {},
): ClassifierStep {
  const config = model.config;
  const numClasses = options.numClasses ?? 10;
  const rng = new SeededRandom(options.seed ?? 2);
  // Inside tidy: the initial values are released, the variables (which tidy keeps) hold the data.
  const headW = tf.tidy(() =>
    tf.variable(
      tf.tensor2d(rng.uniformArray(numClasses * config.dModel, -0.1, 0.1), [numClasses, config.dModel]),
      true,
      options.variableNames?.weight,
    ),
  );
  const headB = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true, options.variableNames?.bias));
  const vars = [...model.trainableNames().map((n) => model.parameters.get(n) as tf.Variable), headW, headB];
  const optimizer = tf.train.adam(1e-4);
  const images =
    options.images ??
    tf.tensor4d(rng.normalArray(batch * config.imgSize * config.imgSize * config.inChans), [
      batch,
      config.imgSize,
      config.imgSize,
      config.inChans,
    ]);
  const targets = Int32Array.from({ length: batch }, (_, i) => i % numClasses);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), numClasses) as tf.Tensor2D);
  const step = async (): Promise<void> => {
    const cost = optimizer.minimize(
      () => {
        const logits = linear(model.forward(images), headW as tf.Tensor2D, headB as tf.Tensor1D);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      },
      true,
      vars,
    );
    await cost?.data();
    cost?.dispose();
  };
  const dispose = (): void => {
    tf.dispose([images, labels, headW, headB]);
    optimizer.dispose();
  };
  return { headW, headB, vars, images, targets, labels, optimizer, step, dispose };
}
