import { describe, expect, it } from 'vitest';
import { shardSizes } from './shard_sizes.js';

describe('shardSizes', () => {
  it('splits as evenly as possible, larger shards first', () => {
    expect(shardSizes(64, 2)).toEqual([32, 32]);
    expect(shardSizes(7, 3)).toEqual([3, 2, 2]);
    expect(shardSizes(5, 2)).toEqual([3, 2]);
    expect(shardSizes(9, 1)).toEqual([9]);
  });

  it('leaves the last shards empty when there are fewer items than shards', () => {
    expect(shardSizes(1, 3)).toEqual([1, 0, 0]);
    expect(shardSizes(0, 2)).toEqual([0, 0]);
  });

  it('rejects a negative total and a shard count below 1', () => {
    expect(() => shardSizes(-1, 2)).toThrow(/total is -1/);
    expect(() => shardSizes(4, 0)).toThrow(/shards is 0/);
    expect(() => shardSizes(2.5, 2)).toThrow(RangeError);
  });
});
