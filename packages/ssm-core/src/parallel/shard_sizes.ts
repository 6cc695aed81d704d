/**
 * Splits `total` items into `shards` contiguous shards as evenly as possible: every shard gets
 * ⌊total/shards⌋ items and the first `total mod shards` shards one more.
 *
 * **Details**
 * Shard i covers items [offset_i, offset_i + size_i) with offset_i = Σ_{j<i} size_j, so the main
 * thread (shard 0) always holds the largest share. With `total < shards` the last shards are empty.
 *
 * @param total - number of items (a batch size), an integer ≥ 0
 * @param shards - number of shards, an integer ≥ 1
 * @returns `shards` sizes summing to `total`, non-increasing
 * @throws `RangeError` for a negative or non-integer total or a shard count below 1
 * @example
 * shardSizes(7, 3); // [3, 2, 2]
 * shardSizes(1, 2); // [1, 0]
 * @category Parallel
 */
export function shardSizes(total: number, shards: number): number[] {
  if (!Number.isInteger(total) || total < 0) {
    throw new RangeError(`shardSizes: total is ${total}, expected an integer ≥ 0`);
  }
  if (!Number.isInteger(shards) || shards < 1) {
    throw new RangeError(`shardSizes: shards is ${shards}, expected an integer ≥ 1`);
  }
  const base = Math.floor(total / shards);
  const extra = total % shards;
  return Array.from({ length: shards }, (_, i) => base + (i < extra ? 1 : 0));
}
