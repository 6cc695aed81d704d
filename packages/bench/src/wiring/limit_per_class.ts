import type { LabeledItem } from '@mamba-cl/datasets';

/**
 * Keeps at most `k` items of each class, in their order (smoke runs, the embedded default).
 *
 * @param items - labelled items
 * @param k - per-class cap; `undefined` keeps everything
 * @returns the kept items
 * @category Runs
 */
export function limitPerClass(items: readonly LabeledItem[], k: number | undefined): LabeledItem[] {
  if (k === undefined) return [...items];
  const seen = new Map<number, number>();
  return items.filter((it) => {
    const n = seen.get(it.label) ?? 0;
    seen.set(it.label, n + 1);
    return n < k;
  });
}

/**
 * Keeps, of each class, the items at per-class positions `[start, end)`, in their order.
 *
 * **Details**
 * Positions count within a class (the i-th item of class c has position i). Negative `start` or
 * `end` count from the end of each class, as in `Array.prototype.slice`, so
 * `slicePerClass(items, -100)` is the last 100 items of every class. Disjoint position ranges give
 * disjoint item sets, which is how the embedded default keeps its pretraining and validation
 * images apart from the continual-learning images (see {@link heldOutPartition}).
 *
 * @param items - labelled items
 * @param start - first position kept (negative: from the end of the class)
 * @param end - first position not kept (negative: from the end; default: the class end)
 * @returns the kept items
 * @category Runs
 */
export function slicePerClass(items: readonly LabeledItem[], start: number, end?: number): LabeledItem[] {
  const total = new Map<number, number>();
  for (const it of items) total.set(it.label, (total.get(it.label) ?? 0) + 1);
  const seen = new Map<number, number>();
  const at = (p: number, n: number) => (p < 0 ? Math.max(0, n + p) : Math.min(p, n));
  return items.filter((it) => {
    const n = total.get(it.label) ?? 0;
    const i = seen.get(it.label) ?? 0;
    seen.set(it.label, i + 1);
    return i >= at(start, n) && i < at(end ?? n, n);
  });
}

/**
 * The three disjoint parts of a training split in the embedded default, per class.
 *
 * @category Runs
 */
export interface HeldOutPartition {
  /** The first images of each class: the continual-learning tasks train on these. */
  readonly continual: LabeledItem[];
  /** The `validationPerClass` images before the pretraining pool: hyper-parameters are chosen on these. */
  readonly validation: LabeledItem[];
  /** The last `pretrainPerClass` images of each class: the backbone is pretrained on these. */
  readonly pretrain: LabeledItem[];
}

/**
 * Splits a training split per class into the continual-learning part, a validation part and the
 * pretraining pool, which never overlap.
 *
 * **Details**
 * Of each class's n images (in source order): positions [n − P, n) pretrain the backbone (the
 * stand-in for ImageNet-21K, which covers the target classes), [n − P − V, n − P) are the
 * validation images, and [0, n − P − V) are left to the continual-learning tasks (which take the
 * first `limitTrainPerClass` of them). The test split is never touched.
 *
 * @param train - the training split
 * @param sizes - P = `pretrainPerClass`, V = `validationPerClass`
 * @returns the three parts
 * @throws `Error` naming the class when a class has fewer than P + V + 1 images
 * @category Runs
 */
export function heldOutPartition(
  train: readonly LabeledItem[],
  sizes: { readonly pretrainPerClass: number; readonly validationPerClass: number },
): HeldOutPartition {
  const P = sizes.pretrainPerClass;
  const V = sizes.validationPerClass;
  const total = new Map<number, number>();
  for (const it of train) total.set(it.label, (total.get(it.label) ?? 0) + 1);
  for (const [label, n] of total) {
    if (n <= P + V) {
      throw new Error(
        `heldOutPartition: class ${label} has ${n} training images, expected more than ${P} pretraining + ${V} validation`,
      );
    }
  }
  return {
    continual: P + V > 0 ? slicePerClass(train, 0, -(P + V)) : [...train],
    validation: V > 0 ? slicePerClass(train, -(P + V), -P || undefined) : [],
    pretrain: P > 0 ? slicePerClass(train, -P) : [],
  };
}
