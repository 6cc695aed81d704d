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
