import { describe, expect, it } from 'vitest';
import type { ImageSource, LabeledItem } from '../sources/image_source.js';
import { splitTasks, validateClassOrder } from './split_tasks.js';

function toySource(numClasses: number, perClass: number): ImageSource {
  const mk = (split: string): LabeledItem[] => {
    const items: LabeledItem[] = [];
    // interleaved so that grouping must preserve per-class source order
    for (let k = 0; k < perClass; k++) {
      for (let c = numClasses - 1; c >= 0; c--) {
        items.push({
          label: c,
          key: `${split}/${c}/${k}`,
          load: () => ({ width: 1, height: 1, channels: 1, pixels: Uint8Array.of(c) }),
        });
      }
    }
    return items;
  };
  return {
    name: 'toy',
    classNames: Array.from({ length: numClasses }, (_, i) => `c${i}`),
    train: mk('train'),
    val: mk('val'),
  };
}

describe('splitTasks', () => {
  it('reshapes the seed-2024 order of 100 classes row-major into 10 tasks', () => {
    const split = splitTasks(toySource(100, 2), { numTasks: 10, seed: 2024 });
    expect(split.tasks[0].classes).toEqual([55, 17, 75, 11, 2, 29, 49, 48, 41, 45]);
    expect(split.tasks[9].classes).toEqual([21, 68, 46, 70, 72, 8, 16, 36, 89, 86]);
    expect(split.classOrder.slice(10, 12)).toEqual([33, 67]);
    expect(split.classesUpTo(1)).toEqual(split.classOrder.slice(0, 20));
    expect(split.taskOf(86)).toBe(9);
  });

  it('orders items by task class order, then source order; local labels = position in task', () => {
    const split = splitTasks(toySource(6, 3), { numTasks: 2, order: [4, 1, 5, 0, 3, 2] });
    const t1 = split.tasks[1];
    expect(t1.classes).toEqual([0, 3, 2]);
    expect(t1.train.map((it) => it.key)).toEqual([
      'train/0/0',
      'train/0/1',
      'train/0/2',
      'train/3/0',
      'train/3/1',
      'train/3/2',
      'train/2/0',
      'train/2/1',
      'train/2/2',
    ]);
    expect(t1.val.map((it) => t1.localLabel(it.label))).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(t1.globalLabel(2)).toBe(2);
    expect(() => t1.localLabel(4)).toThrow(/class 4 is not in task 1/);
    expect(split.tasks[0].train.length).toBe(9);
  });

  it('defaults to seed 2024 and validates T and user orders', () => {
    const src = toySource(10, 1);
    expect(splitTasks(src, { numTasks: 5 }).classOrder).toEqual(
      splitTasks(src, { numTasks: 5, seed: 2024 }).classOrder,
    );
    expect(splitTasks(src, { numTasks: 5, seed: 7 }).classOrder).not.toEqual(
      splitTasks(src, { numTasks: 5 }).classOrder,
    );
    expect(() => splitTasks(src, { numTasks: 3 })).toThrow(
      /numTasks 3 must be a positive divisor of the 10 classes/,
    );
    expect(() => splitTasks(src, { numTasks: 2, order: [0, 1, 2] })).toThrow(/has 3 entries, expected 10/);
    expect(() => validateClassOrder([0, 1, 1], 3)).toThrow(/duplicates: 1/);
    expect(() => validateClassOrder([0, 1, 7], 3)).toThrow(/ids outside 0..2: 7/);
  });
});
