import type { Batch, TaskStream } from '@mamba-cl/cl-trainer';
import type { LabeledItem } from '@mamba-cl/datasets';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { limitPerClass } from './limit_per_class.js';
import { limitSteps, pipelineOptionsFor } from './prepare_data.js';

const item = (label: number, key: string): LabeledItem => ({
  label,
  key,
  load: () => ({ width: 1, height: 1, channels: 1, pixels: new Uint8Array(1) }) as never,
});

describe('data wiring helpers', () => {
  it('keeps the first k items of each class, in order', () => {
    const items = [item(0, 'a'), item(1, 'b'), item(0, 'c'), item(0, 'd'), item(1, 'e')];
    expect(limitPerClass(items, 2).map((i) => i.key)).toEqual(['a', 'b', 'c', 'e']);
    expect(limitPerClass(items, undefined)).toHaveLength(5);
  });
  it('caps training epochs at maxSteps batches and leaves evaluation alone', async () => {
    const batch = (i: number): Batch => ({
      images: new Float32Array(1),
      labels: Int32Array.of(i),
      shape: [1, 1, 1, 1],
    });
    const base: TaskStream = {
      tasks: [{ classes: [0] }],
      train: (req) => Array.from({ length: 5 - req.startBatch }, (_, i) => batch(req.startBatch + i)),
      trainBatchCount: () => 5,
      eval: () => [batch(9), batch(9), batch(9)],
      collect: () => [batch(8)],
    };
    const s = limitSteps(base, 2);
    const got: number[] = [];
    for await (const b of s.train({
      tasks: [0],
      epoch: 0,
      expandTimes: 1,
      seed: 1,
      startBatch: 0,
    }) as AsyncIterable<Batch>)
      got.push(b.labels[0]);
    expect(got).toEqual([0, 1]);
    const resumed: number[] = [];
    for await (const b of s.train({
      tasks: [0],
      epoch: 0,
      expandTimes: 1,
      seed: 1,
      startBatch: 1,
    }) as AsyncIterable<Batch>)
      resumed.push(b.labels[0]);
    expect(resumed).toEqual([1]);
    expect(s.trainBatchCount?.({ tasks: [0], expandTimes: 1 })).toBe(2);
    expect([...(s.eval(0) as Iterable<Batch>)]).toHaveLength(3);
    expect(limitSteps(base, undefined)).toBe(base);
  });
  it('sizes paper pipelines to the model', () => {
    const cifar = BENCHMARKS.get('cifar100-10');
    expect(pipelineOptionsFor(cifar, 192, 3)).toEqual({});
    expect(pipelineOptionsFor(cifar, 8, 3)).toEqual({ size: 8, resizeTo: 9, channels: 3 });
    expect(pipelineOptionsFor(BENCHMARKS.get('default'), 28, 1)).toEqual({});
  });
});
