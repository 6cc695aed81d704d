/**
 * The `folder` benchmark: a user's own images in the ImageFolder layout `ROOT/{train,val}/<class>/`,
 * split into `--tasks` tasks with the same seeded class order and split as the paper presets.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli/cli_error.js';
import type { BenchmarkPreset } from './benchmark_preset.js';

/** File extensions `loadImageFolder` reads. */
const IMAGE_EXT = /\.(jpe?g|png|bmp)$/i;

/**
 * The template of the `folder` benchmark as listed by `mamba-cl list`; {@link folderPreset} makes
 * the concrete preset once the folder and `--tasks` are known.
 *
 * **Details**
 * The tiny model at 28×28×3 from its seeded initialisation (or `--weights`), the ImageNet-R
 * pipelines (AutoAugment + RandomResizedCrop for training, resize + centre crop for evaluation)
 * scaled to `--image-size` (with `--channels 1`: grey, resized, normalised, no augmentation), and
 * settings sized for a laptop.
 *
 * @category Presets
 */
export const FOLDER_PRESET: BenchmarkPreset = {
  id: 'folder',
  title: 'Your own images: ROOT/{train,val}/<class>/<image> split into --tasks tasks',
  source: 'ImageFolder layout (--data-root, --tasks, --image-size, --channels)',
  dataset: 'folder',
  numClasses: 0,
  numTasks: 1,
  model: 'tiny',
  weights: { kind: 'none' },
  seeds: [2024],
  strategies: ['mamba-cl', 'finetune'],
  train: {
    epochs: 3,
    batchSize: 16,
    evalBatchSize: 64,
    expandTimes: 1,
    lr: 1e-3,
    headLrScale: 5,
    weightDecay: 5e-5,
    milestones: [],
    gamma: 0.1,
    eta: 0.95,
  },
  pipelines: { train: 'imagenet-r-train', eval: 'imagenet-r-eval' },
  dataLayout: [
    '<data-root>/train/<class>/<image>.{jpg,png,bmp}',
    '<data-root>/val/<class>/<image>.{jpg,png,bmp}   (the same class folders in both)',
  ],
  image: { size: 28, channels: 3 },
};

/**
 * What an image folder holds, per class (sorted class folder names, as `loadImageFolder` numbers them).
 *
 * @category Presets
 */
export interface ImageFolderSummary {
  readonly classes: readonly string[];
  readonly trainCounts: readonly number[];
  readonly valCounts: readonly number[];
}

const LAYOUT_HINT = `expected layout:\n  ${FOLDER_PRESET.dataLayout.join('\n  ')}\nsee the "Your own data" guide (apps/docs/guides/your-own-data.md)`;

function classDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() || (d.isSymbolicLink() && statSync(join(dir, d.name)).isDirectory()))
    .map((d) => d.name)
    .sort();
}

/**
 * Checks an ImageFolder root and counts its images; every problem is a {@link CliError} that
 * names the folder and what is wrong.
 *
 * @param root - the `--data-root`
 * @returns the classes and their image counts
 * @category Presets
 */
export function checkImageFolder(root: string | undefined): ImageFolderSummary {
  const err = (what: string) => new CliError(`run folder: ${what}`, LAYOUT_HINT);
  if (root === undefined) throw err('--data-root is required (the folder holding train/ and val/)');
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw err(`--data-root ${root} does not exist or is not a folder`);
  for (const split of ['train', 'val']) {
    const d = join(root, split);
    if (!existsSync(d) || !statSync(d).isDirectory()) throw err(`${root} has no ${split}/ folder`);
  }
  const train = classDirs(join(root, 'train'));
  const val = classDirs(join(root, 'val'));
  if (train.length === 0) throw err(`${join(root, 'train')} has no class folders`);
  const onlyTrain = train.filter((c) => !val.includes(c));
  const onlyVal = val.filter((c) => !train.includes(c));
  if (onlyTrain.length || onlyVal.length) {
    const parts = [
      onlyTrain.length ? `in train/ only: ${onlyTrain.slice(0, 5).join(', ')}` : '',
      onlyVal.length ? `in val/ only: ${onlyVal.slice(0, 5).join(', ')}` : '',
    ].filter(Boolean);
    throw err(`${root}: train/ and val/ must hold the same class folders (${parts.join('; ')})`);
  }
  const count = (split: string, c: string) =>
    readdirSync(join(root, split, c)).filter((n) => IMAGE_EXT.test(n)).length;
  const trainCounts = train.map((c) => count('train', c));
  const valCounts = train.map((c) => count('val', c));
  train.forEach((c, i) => {
    if (trainCounts[i] === 0 || valCounts[i] === 0) {
      const split = trainCounts[i] === 0 ? 'train' : 'val';
      throw err(
        `${join(root, split, c)} holds no .jpg, .png or .bmp image; every class needs images in train/ and val/`,
      );
    }
  });
  return { classes: train, trainCounts, valCounts };
}

/**
 * The concrete `folder` benchmark for a checked image folder.
 *
 * @param root - the data root
 * @param options - `tasks` (T, must divide the number of classes), `imageSize`, `channels`
 * @returns the preset (numClasses = the class folders, numTasks = T)
 * @throws {@link CliError} for a bad folder or a task count that does not fit
 * @category Presets
 */
export function folderPreset(
  root: string | undefined,
  options: { tasks?: number; imageSize?: number; channels?: number },
): { preset: BenchmarkPreset; summary: ImageFolderSummary } {
  const summary = checkImageFolder(root);
  const n = summary.classes.length;
  const tasks = options.tasks;
  if (tasks === undefined) {
    throw new CliError(
      'run folder: --tasks is required (how many tasks the classes are split into)',
      `${root} has ${n} classes; --tasks must divide ${n} (${divisors(n).join(', ')})`,
    );
  }
  if (tasks > n || n % tasks !== 0) {
    throw new CliError(
      `run folder: --tasks ${tasks} does not split the ${n} classes of ${root} evenly`,
      `choose one of ${divisors(n).join(', ')}`,
    );
  }
  const channels = options.channels ?? FOLDER_PRESET.image!.channels;
  if (channels !== 1 && channels !== 3) {
    throw new CliError(`run folder: --channels ${channels}: expected 1 (grey) or 3 (RGB)`);
  }
  return {
    preset: {
      ...FOLDER_PRESET,
      numClasses: n,
      numTasks: tasks,
      image: { size: options.imageSize ?? FOLDER_PRESET.image!.size, channels },
      // Grey: the ImageNet pipelines are RGB-only; the grey ones convert, resize and normalise.
      ...(channels === 1 ? { pipelines: { train: 'mnist-train', eval: 'mnist-eval' } } : {}),
    },
    summary,
  };
}

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}
