/**
 * Class-incremental task splits (spec §5): a class order (numpy-exact shuffle, or given), reshaped
 * row-major to [T, C/T]; task τ holds the classes of row τ.
 *
 * @module
 */

import { classOrder } from '../orders/class_order.js';
import type { SeedEntropy } from '../rng/seed_sequence.js';
import type { ImageSource, LabeledItem } from '../sources/image_source.js';

/**
 * One task of a class-incremental split.
 *
 * @category Splits
 */
export interface Task {
  /** 0-based task index τ. */
  readonly index: number;
  /** Global class ids of this task, in task order. */
  readonly classes: readonly number[];
  /** Train items: classes in task order, each class's items in source order (sorted path / original index). */
  readonly train: readonly LabeledItem[];
  /** Val items, same order rule. */
  readonly val: readonly LabeledItem[];
  /** Position of a global class in {@link Task.classes} (throws for a class of another task). */
  localLabel(global: number): number;
  /** `classes[local]`. */
  globalLabel(local: number): number;
}

/**
 * The result of {@link splitTasks}.
 *
 * @category Splits
 */
export interface TaskSplit {
  /** The full class order (row-major concatenation of the tasks' classes). */
  readonly classOrder: readonly number[];
  readonly tasks: readonly Task[];
  readonly numClasses: number;
  /** Global ids of the classes of tasks 0..τ (those seen after training task τ). */
  classesUpTo(taskIndex: number): number[];
  /** The task that holds a global class. */
  taskOf(global: number): number;
}

/**
 * Options of {@link splitTasks}.
 *
 * @category Splits
 */
export interface SplitOptions {
  /** Number of tasks T; must divide the number of classes. */
  numTasks: number;
  /** Seed of the class-order shuffle (default 2024, the official scripts' seed). Ignored when `order` is given. */
  seed?: SeedEntropy;
  /** A user order: must be a permutation of 0..C−1. */
  order?: readonly number[];
}

/**
 * Checks that `order` is a permutation of 0..numClasses−1.
 *
 * @param order - candidate class order
 * @param numClasses - C
 * @throws RangeError naming the length, out-of-range ids, duplicates and missing ids
 * @example
 * validateClassOrder([2, 0, 1], 3);
 * @category Splits
 */
export function validateClassOrder(order: readonly number[], numClasses: number): void {
  const problems: string[] = [];
  if (order.length !== numClasses) problems.push(`has ${order.length} entries, expected ${numClasses}`);
  const seen = new Uint8Array(numClasses);
  const bad: number[] = [];
  const dup: number[] = [];
  for (const c of order) {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) bad.push(c);
    else if (seen[c]++) dup.push(c);
  }
  if (bad.length) problems.push(`ids outside 0..${numClasses - 1}: ${bad.slice(0, 10).join(', ')}`);
  if (dup.length) problems.push(`duplicates: ${dup.slice(0, 10).join(', ')}`);
  const missing: number[] = [];
  seen.forEach((s, c) => {
    if (!s) missing.push(c);
  });
  if (missing.length && !bad.length && !dup.length && order.length === numClasses) {
    problems.push(`missing: ${missing.slice(0, 10).join(', ')}`);
  } else if (missing.length) {
    problems.push(`missing ${missing.length} ids (first: ${missing.slice(0, 10).join(', ')})`);
  }
  if (problems.length) {
    throw new RangeError(`class order is not a permutation of 0..${numClasses - 1}: ${problems.join('; ')}`);
  }
}

function groupByLabel(items: readonly LabeledItem[], numClasses: number, split: string): LabeledItem[][] {
  const groups: LabeledItem[][] = Array.from({ length: numClasses }, () => []);
  for (const it of items) {
    if (!Number.isInteger(it.label) || it.label < 0 || it.label >= numClasses) {
      throw new RangeError(`${split} item ${it.key} has label ${it.label}, expected 0..${numClasses - 1}`);
    }
    groups[it.label].push(it);
  }
  return groups;
}

/**
 * Splits a source into T class-incremental tasks (spec §5).
 *
 * **Details**
 * order = `classOrder(C, seed)` (numpy `Generator(PCG64(seed)).shuffle(arange(C))`) unless given;
 * task τ = order[τ·C/T … (τ+1)·C/T). The same order serves train and val. Items keep their global
 * labels; `task.localLabel(global)` gives the position of the class in the task.
 *
 * @param source - the dataset (C = `classNames.length`)
 * @param options - T, seed or order
 * @returns the tasks
 * @example
 * const split = splitTasks(cifar, { numTasks: 10, seed: 2024 });
 * split.tasks[0].classes; // [55, 17, 75, 11, 2, 29, 49, 48, 41, 45]
 * @category Splits
 */
export function splitTasks(source: ImageSource, options: SplitOptions): TaskSplit {
  const numClasses = source.classNames.length;
  const T = options.numTasks;
  if (!Number.isInteger(T) || T < 1 || numClasses % T !== 0) {
    throw new RangeError(
      `splitTasks: numTasks ${T} must be a positive divisor of the ${numClasses} classes of ${source.name}`,
    );
  }
  let order: number[];
  if (options.order) {
    validateClassOrder(options.order, numClasses);
    order = [...options.order];
  } else {
    order = classOrder(numClasses, options.seed ?? 2024);
  }
  const per = numClasses / T;
  const trainGroups = groupByLabel(source.train, numClasses, 'train');
  const valGroups = groupByLabel(source.val, numClasses, 'val');
  const taskOfClass = new Int32Array(numClasses);
  const tasks: Task[] = [];
  for (let t = 0; t < T; t++) {
    const classes = order.slice(t * per, (t + 1) * per);
    const local = new Map(classes.map((c, i) => [c, i]));
    for (const c of classes) taskOfClass[c] = t;
    tasks.push({
      index: t,
      classes,
      train: classes.flatMap((c) => trainGroups[c]),
      val: classes.flatMap((c) => valGroups[c]),
      localLabel(global: number): number {
        const l = local.get(global);
        if (l === undefined)
          throw new RangeError(`class ${global} is not in task ${t} (classes ${classes.join(', ')})`);
        return l;
      },
      globalLabel(l: number): number {
        if (!Number.isInteger(l) || l < 0 || l >= per)
          throw new RangeError(`local label ${l} outside 0..${per - 1}`);
        return classes[l];
      },
    });
  }
  return {
    classOrder: order,
    tasks,
    numClasses,
    classesUpTo(taskIndex: number): number[] {
      if (!Number.isInteger(taskIndex) || taskIndex < 0 || taskIndex >= T) {
        throw new RangeError(`task index ${taskIndex} outside 0..${T - 1}`);
      }
      return order.slice(0, (taskIndex + 1) * per);
    },
    taskOf(global: number): number {
      if (!Number.isInteger(global) || global < 0 || global >= numClasses) {
        throw new RangeError(`class ${global} outside 0..${numClasses - 1}`);
      }
      return taskOfClass[global];
    },
  };
}
