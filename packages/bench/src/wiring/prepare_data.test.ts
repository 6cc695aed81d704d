import type { Batch, TaskStream } from '@mamba-cl/cl-trainer';
import type { LabeledItem } from '@mamba-cl/datasets';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { heldOutPartition, limitPerClass, slicePerClass } from './limit_per_class.js';
import { heldOutSource, limitSteps, pipelineOptionsFor } from './prepare_data.js';

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
  it('slices each class by position, negative positions counting from the class end', () => {
    const items = [item(0, 'a'), item(1, 'b'), item(0, 'c'), item(0, 'd'), item(1, 'e'), item(1, 'f')];
    expect(slicePerClass(items, -1).map((i) => i.key)).toEqual(['d', 'f']);
    expect(slicePerClass(items, 1, -1).map((i) => i.key)).toEqual(['c', 'e']);
    expect(slicePerClass(items, 0, 1).map((i) => i.key)).toEqual(['a', 'b']);
    expect(slicePerClass(items, -5).map((i) => i.key)).toEqual(items.map((i) => i.key));
  });
  it('partitions a training split into disjoint continual, validation and pretraining parts', () => {
    // 3 classes, 20 images each, interleaved as in a real source
    const items = Array.from({ length: 60 }, (_, i) => item(i % 3, `k${i}`));
    const p = heldOutPartition(items, { pretrainPerClass: 6, validationPerClass: 4 });
    const keys = (xs: LabeledItem[]) => new Set(xs.map((x) => x.key));
    const [c, v, t] = [keys(p.continual), keys(p.validation), keys(p.pretrain)];
    expect([c.size, v.size, t.size]).toEqual([30, 12, 18]);
    for (const k of c) expect(v.has(k) || t.has(k)).toBe(false);
    for (const k of v) expect(t.has(k)).toBe(false);
    expect(c.size + v.size + t.size).toBe(items.length);
    for (const label of [0, 1, 2]) {
      expect(p.pretrain.filter((x) => x.label === label)).toHaveLength(6);
      expect(p.validation.filter((x) => x.label === label)).toHaveLength(4);
    }
    // pretraining takes the end of each class, the continual part its start
    expect(p.pretrain.at(-1)?.key).toBe('k59');
    expect(p.continual[0].key).toBe('k0');
    expect(() => heldOutPartition(items, { pretrainPerClass: 15, validationPerClass: 5 })).toThrow(
      /class 0 has 20 training images, expected more than 15 pretraining \+ 5 validation/,
    );
    expect(heldOutPartition(items, { pretrainPerClass: 0, validationPerClass: 0 }).continual).toHaveLength(
      60,
    );
  });
  it('keeps the default held-out images out of every task and evaluates default-val on them', () => {
    const train = Array.from({ length: 10 * 1500 }, (_, i) => item(i % 10, `tr${i}`));
    const test = Array.from({ length: 10 * 30 }, (_, i) => item(i % 10, `te${i}`));
    const source = {
      name: 'fake',
      classNames: Array.from({ length: 10 }, (_, i) => `${i}`),
      train,
      val: test,
    };
    const d = BENCHMARKS.get('default');
    if (d.weights.kind !== 'pretrain') throw new Error('default must pretrain');
    const held = heldOutPartition(train, {
      pretrainPerClass: d.weights.perClass,
      validationPerClass: d.weights.validationPerClass ?? 0,
    });
    const banned = new Set([...held.pretrain, ...held.validation].map((x) => x.key));
    const onTest = heldOutSource(d, source);
    expect(onTest.source.val).toBe(test);
    expect(onTest.source.train.length).toBe(train.length - banned.size);
    expect(onTest.source.train.some((x) => banned.has(x.key))).toBe(false);
    const onVal = heldOutSource(BENCHMARKS.get('default-val'), source);
    expect(onVal.source.val.map((x) => x.key)).toEqual(held.validation.map((x) => x.key));
    expect(onVal.source.train).toEqual(onTest.source.train);
    const cifar = BENCHMARKS.get('cifar100-10');
    expect(heldOutSource(cifar, source).source).toBe(source);
    expect(() => heldOutSource({ ...cifar, evaluateOn: 'validation' }, source)).toThrow(
      /needs validation images held out/,
    );
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
