import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng/seeded_rng.js';
import { loaderStream } from './loader_stream.js';
import { type Batch, iterateBatches } from './task_stream.js';

function fakeLoader(tasks: readonly number[], seed: number) {
  return {
    length: 3,
    *iterate(epoch: number): Generator<Batch> {
      const rng = SeededRng.derive(seed, tasks.join(','), epoch);
      for (let b = 0; b < 3; b++) {
        yield { images: Float32Array.of(rng.next()), labels: Int32Array.of(tasks[0]), shape: [1, 1, 1, 1] };
      }
    },
  };
}

describe('loaderStream', () => {
  it('replays an epoch from startBatch and reuses the loader of a task set', async () => {
    let made = 0;
    const released: unknown[] = [];
    const stream = loaderStream({
      tasks: [{ classes: [0] }, { classes: [1] }],
      train: (tasks, _e, seed) => {
        made++;
        return fakeLoader(tasks, seed);
      },
      eval: () => [],
      collect: () => [],
      release: (l) => {
        released.push(l);
      },
    });
    const all: number[] = [];
    for await (const b of iterateBatches(
      stream.train({ tasks: [0], epoch: 2, expandTimes: 1, seed: 5, startBatch: 0 }),
    ))
      all.push(b.images[0]);
    const tail: number[] = [];
    for await (const b of iterateBatches(
      stream.train({ tasks: [0], epoch: 2, expandTimes: 1, seed: 5, startBatch: 2 }),
    ))
      tail.push(b.images[0]);
    expect(tail).toEqual(all.slice(2));
    expect(made).toBe(1);
    expect(stream.trainBatchCount?.({ tasks: [0], expandTimes: 1 })).toBe(3);
    for await (const _ of iterateBatches(
      stream.train({ tasks: [1], epoch: 0, expandTimes: 1, seed: 5, startBatch: 0 }),
    )) {
      // drain
    }
    expect(released).toHaveLength(1);
    expect(stream.trainBatchCount?.({ tasks: [0], expandTimes: 2 })).toBe(3);
    expect(released).toHaveLength(2);
    expect(made).toBe(3);
  });
});
