import { SeededRng } from '@mamba-cl/cl-trainer';
import { type LabeledItem, loadMnistPackage, pipelinePreset } from '@mamba-cl/datasets';
import type { VisionMambaConfig } from '@mamba-cl/ssm-core';
import * as tf from '@tensorflow/tfjs-core';
import type { WeightsSpec } from '../presets/benchmark_preset.js';
import { heldOutPartition, limitPerClass } from '../wiring/limit_per_class.js';
// Gradient kernels are not registered by tfjs-core's Node entry point; @mamba-cl/ssm-core registers
// them when loaded (importing tfjs-core's dist/register_all_gradients.js breaks under plain Node ESM).
import '@mamba-cl/ssm-core';

/**
 * What pretraining needs from a backbone (structurally what `VisionMamba` offers).
 *
 * @category Runs
 */
export interface PretrainableBackbone {
  readonly config: { readonly dModel: number };
  /** CLS features [batch, dModel] of images [batch, H, W, C]. */
  forward(images: tf.Tensor4D): tf.Tensor2D;
  /** Every parameter by name. */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
}

/**
 * A labelled image set held in memory: NHWC float32 images, already normalised.
 *
 * @category Runs
 */
export interface LabeledArrays {
  /** [n, H, W, C] row-major. */
  readonly images: Float32Array;
  /** Class ids, length n. */
  readonly labels: Int32Array;
  /** [H, W, C]. */
  readonly shape: readonly [number, number, number];
}

/**
 * Options of {@link pretrainBackbone}.
 *
 * @category Runs
 */
export interface PretrainOptions {
  readonly numClasses: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Called after every step (progress). */
  readonly onStep?: (step: number, totalSteps: number, loss: number) => void;
}

/** Copies rows `idx` of an NHWC array into one batch tensor. */
function gatherBatch(data: LabeledArrays, idx: readonly number[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [H, W, C] = data.shape;
  const per = H * W * C;
  const buf = new Float32Array(idx.length * per);
  const lab = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    buf.set(data.images.subarray(i * per, (i + 1) * per), k * per);
    lab[k] = data.labels[i];
  });
  return { x: tf.tensor4d(buf, [idx.length, H, W, C]), y: tf.tensor1d(lab, 'int32') };
}

/**
 * Supervised pretraining of a whole backbone plus a temporary linear head (Adam, cross-entropy),
 * as the stand-in for the ImageNet-21K checkpoint in the embedded default.
 *
 * **Details**
 * Every backbone parameter trains (not only the continual-learning trainable set). The head is
 * thrown away afterwards; only the backbone weights are kept. Batches are shuffled by a generator
 * derived from the seed and the epoch. No tensor outlives a step.
 *
 * @param backbone - the model, trained in place
 * @param train - training images
 * @param test - held-out images for the reported accuracy
 * @param options - epochs, batch size, lr, seed
 * @returns accuracy (%) on `test` and the number of steps
 * @category Runs
 */
export async function pretrainBackbone(
  backbone: PretrainableBackbone,
  train: LabeledArrays,
  test: LabeledArrays,
  options: PretrainOptions,
): Promise<{ accuracy: number; steps: number }> {
  const { numClasses, epochs, batchSize, lr, seed } = options;
  const d = backbone.config.dModel;
  const rng = SeededRng.derive(seed, 'pretrain-head');
  const bound = 1 / Math.sqrt(d);
  const wInit = Float32Array.from({ length: d * numClasses }, () => rng.uniform(-bound, bound));
  const tag = `${seed}_${Date.now()}_${Math.floor(performance.now() * 1000)}`;
  const headW = tf.tidy(() =>
    tf.variable(tf.tensor2d(wInit, [d, numClasses]), true, `pretrain_head_w_${tag}`),
  );
  const headB = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true, `pretrain_head_b_${tag}`));
  const vars = [...backbone.parameters.values(), headW, headB];
  const wasTrainable = vars.map((v) => v.trainable);
  for (const v of vars) v.trainable = true;
  const opt = tf.train.adam(lr);
  const n = train.labels.length;
  const perEpoch = Math.ceil(n / batchSize);
  const total = perEpoch * epochs;
  let step = 0;
  try {
    for (let e = 0; e < epochs; e++) {
      const order = SeededRng.derive(seed, 'pretrain', e).shuffled(Array.from({ length: n }, (_, i) => i));
      for (let b = 0; b < perEpoch; b++) {
        const { x, y } = gatherBatch(train, order.slice(b * batchSize, (b + 1) * batchSize));
        const loss = opt.minimize(
          () =>
            tf.tidy(() => {
              const logits = tf.add(tf.matMul(backbone.forward(x), headW), headB);
              return tf.losses.softmaxCrossEntropy(tf.oneHot(y, numClasses), logits) as tf.Scalar;
            }),
          true,
          vars,
        );
        const lossValue = (await loss!.data())[0];
        loss!.dispose();
        x.dispose();
        y.dispose();
        step++;
        if (!Number.isFinite(lossValue))
          throw new Error(`pretraining: loss became ${lossValue} at step ${step}`);
        options.onStep?.(step, total, lossValue);
      }
    }
    const accuracy = await evaluateLinear(backbone, headW, headB, test, 200);
    return { accuracy, steps: step };
  } finally {
    opt.dispose();
    headW.dispose();
    headB.dispose();
    vars.slice(0, -2).forEach((v, i) => {
      v.trainable = wasTrainable[i];
    });
  }
}

async function evaluateLinear(
  backbone: PretrainableBackbone,
  w: tf.Variable,
  b: tf.Variable,
  data: LabeledArrays,
  batch: number,
): Promise<number> {
  const n = data.labels.length;
  let correct = 0;
  for (let s = 0; s < n; s += batch) {
    const idx = Array.from({ length: Math.min(batch, n - s) }, (_, k) => s + k);
    const { x, y } = gatherBatch(data, idx);
    const hits = tf.tidy(() =>
      tf.sum(tf.cast(tf.equal(tf.argMax(tf.add(tf.matMul(backbone.forward(x), w), b), 1), y), 'int32')),
    );
    correct += (await hits.data())[0];
    hits.dispose();
    x.dispose();
    y.dispose();
  }
  return n > 0 ? (100 * correct) / n : 0;
}

async function toArrays(
  items: readonly LabeledItem[],
  pipeline: string,
  shape: [number, number, number],
  options: { size?: number; channels?: 1 | 3 },
): Promise<LabeledArrays> {
  const pipe = pipelinePreset(pipeline, options);
  const per = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(items.length * per);
  const labels = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    images.set(pipe.apply(await items[i].load()).data, i * per);
    labels[i] = items[i].label;
  }
  return { images, labels, shape };
}

/**
 * The images a `pretrain` weights spec trains on, and the held-out images its accuracy is read on.
 *
 * **Details**
 * - `fashion-mnist` (the embedded default): the last `perClass` images of each class of the
 *   Fashion-MNIST training split train; the `validationPerClass` images before them (default 100)
 *   report the accuracy. The continual-learning tasks take their images from the start of each
 *   class and never reach these ({@link heldOutPartition}); the test split is never read. This
 *   mirrors the paper, whose backbone is pretrained on ImageNet-21K, a broad source that covers the
 *   concepts of the target tasks but not their images.
 * - `mnist`: the first `perClass` digits of each class train, 100 test digits per class report.
 *
 * Images go through the evaluation pipeline of the data set (no augmentation), sized to the model.
 *
 * @param spec - the pretraining settings
 * @param config - the model (image size, channels)
 * @param cacheDir - cache folder of the converted npm data sets
 * @returns training and report images, already normalised
 * @category Runs
 */
export async function loadPretrainingData(
  spec: Extract<WeightsSpec, { kind: 'pretrain' }>,
  config: VisionMambaConfig,
  cacheDir: string,
): Promise<{ train: LabeledArrays; test: LabeledArrays }> {
  const shape: [number, number, number] = [config.imgSize, config.imgSize, config.inChans];
  const popts =
    config.imgSize === 28 && config.inChans === 1
      ? {}
      : { size: config.imgSize, channels: config.inChans as 1 | 3 };
  if (spec.dataset === 'fashion-mnist') {
    const source = loadMnistPackage('fashion-mnist', { cacheDir });
    const part = heldOutPartition(source.train, {
      pretrainPerClass: spec.perClass,
      validationPerClass: spec.validationPerClass ?? 100,
    });
    return {
      train: await toArrays(part.pretrain, 'fashion-mnist-eval', shape, popts),
      test: await toArrays(part.validation, 'fashion-mnist-eval', shape, popts),
    };
  }
  const source = loadMnistPackage('mnist', { cacheDir });
  return {
    train: await toArrays(limitPerClass(source.train, spec.perClass), 'mnist-eval', shape, popts),
    test: await toArrays(limitPerClass(source.val, 100), 'mnist-eval', shape, popts),
  };
}
