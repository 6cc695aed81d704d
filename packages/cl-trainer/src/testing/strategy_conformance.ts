/**
 * The conformance suite every Strategy implementation re-runs (built-ins and third-party ones).
 *
 * @module
 */
import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { createStrategy } from '../strategies/builtin_strategies.js';
import type { Strategy, StrategyState } from '../strategy/strategy.js';
import type { StrategyOptions } from '../strategy/strategy_registry.js';
import { ContinualTrainer } from '../trainer/continual_trainer.js';
import { syntheticStream } from './synthetic_stream.js';
import { TinyMambaBackbone } from './tiny_mamba_backbone.js';

const HOOKS = [
  'beforeTask',
  'beforeStep',
  'extraLoss',
  'afterBackward',
  'transformUpdate',
  'afterStep',
  'afterTask',
] as const;

/**
 * Options of {@link runStrategyConformance}.
 *
 * @category Testing
 */
export interface StrategyConformanceOptions {
  /** Options passed to `createStrategy` when a registry id is given. */
  readonly options?: StrategyOptions;
  /** Suite title; default `Strategy conformance: <id>`. */
  readonly title?: string;
  /**
   * Backends; default cpu and webgpu (the suite is about the contract, not kernels; webgpu, where an
   * adapter exists, checks that the strategy runs without synchronous read-back, which webgpu under
   * Node lacks: tensors are read with `await tensor.data()`, `saveState` may be async).
   */
  readonly backends?: readonly ('cpu' | 'wasm' | 'webgpu')[];
}

interface Recorded {
  hook: string;
  task: number;
}

function recorder(inner: Strategy, log: Recorded[]): Strategy {
  const rec = Object.create(inner) as Strategy & Record<string, unknown>;
  for (const h of HOOKS) {
    const fn = (inner as unknown as Record<string, unknown>)[h];
    if (typeof fn !== 'function') continue;
    (rec as Record<string, unknown>)[h] = (...args: unknown[]) => {
      const ctx = (h === 'transformUpdate' ? args[2] : args[0]) as { task: number };
      log.push({ hook: h, task: ctx.task });
      return (fn as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }
  return rec;
}

/**
 * Defines vitest tests checking that a strategy honours the Strategy contract.
 *
 * **Details**
 * On a tiny backbone and a 3-task synthetic stream (1 epoch, a few steps) it checks that:
 * 1. hooks run in lifecycle order (beforeTask → per step beforeStep → extraLoss → afterBackward →
 *    transformUpdate → afterStep → afterTask, task after task) and the run produces a full
 *    accuracy matrix with finite losses;
 * 2. no tensor leaks: the tensor count is flat from step to step within a task, and back to the
 *    starting count after the trainer and the strategy are disposed;
 * 3. state round-trips: `saveState` → a fresh instance's `loadState` → `saveState` gives the same
 *    metadata and byte-identical arrays;
 * 4. `dispose` can be called twice.
 * Call it at the top level of a `*.test.ts` file run by vitest: the suite is made of vitest's `it`,
 * `beforeAll` and `expect`, so it needs `vitest` (≥ 2) installed in your project — an optional peer
 * dependency of `@mamba-cl/cl-trainer`, which `@mamba-cl/cl-trainer/testing` imports; the main
 * entry point never does.
 *
 * @param strategy - a registry id, or a factory making fresh instances
 * @param options - strategy options, title, backends
 * @example
 * // my_strategy.test.ts
 * runStrategyConformance(() => createMyStrategy({ lambda: 1 }));
 * runStrategyConformance('ewc', { options: { mode: 'online' } });
 * @category Testing
 */
export function runStrategyConformance(
  strategy: string | (() => Strategy),
  options: StrategyConformanceOptions = {},
): void {
  const make =
    typeof strategy === 'string' ? () => createStrategy(strategy, options.options ?? {}) : strategy;
  const title =
    options.title ?? `Strategy conformance: ${typeof strategy === 'string' ? strategy : make().id}`;
  const setup = (s: Strategy) => {
    const backbone = TinyMambaBackbone.create({ seed: 11 });
    const stream = syntheticStream({
      numTasks: 3,
      classesPerTask: 2,
      trainPerClass: 2,
      valPerClass: 1,
      batchSize: 2,
      seed: 12,
    });
    const trainer = new ContinualTrainer({
      backbone,
      strategy: s,
      stream,
      config: { epochs: 1, lr: 1e-3, seed: 3 },
    });
    return { backbone, stream, trainer };
  };
  describeWithBackends(
    title,
    () => {
      // One run per strategy (the tiny backbone is slow per op); the tests below check its records.
      const rec = {
        log: [] as Recorded[],
        losses: [] as number[],
        perTask: new Map<number, Set<number>>(),
        rows: [] as number[],
        before: 0,
        after: 0,
        hasAfterTask: false,
        stateA: undefined as StrategyState | undefined,
        stateB: undefined as StrategyState | undefined,
        disposeTwice: undefined as unknown,
      };
      beforeAll(async () => {
        rec.before = tf.memory().numTensors;
        const inner = make();
        rec.hasAfterTask = typeof inner.afterTask === 'function';
        const { backbone, trainer } = setup(recorder(inner, rec.log));
        trainer.on((e) => {
          if (e.type !== 'step') return;
          rec.losses.push(e.loss);
          const set = rec.perTask.get(e.task) ?? new Set<number>();
          set.add(tf.memory().numTensors);
          rec.perTask.set(e.task, set);
        });
        const result = await trainer.run();
        rec.rows = result.accuracy.map((r) => r.length);
        rec.stateA = await inner.saveState();
        const copy = make();
        copy.loadState(rec.stateA);
        rec.stateB = await copy.saveState();
        trainer.dispose();
        inner.dispose();
        try {
          inner.dispose();
        } catch (e) {
          rec.disposeTwice = e;
        }
        copy.dispose();
        backbone.dispose();
        rec.after = tf.memory().numTensors;
      });

      it('runs its hooks in lifecycle order and completes a run', () => {
        expect(rec.rows).toEqual([1, 2, 3]);
        for (const l of rec.losses) expect(Number.isFinite(l)).toBe(true);
        const rank: Record<string, number> = {
          beforeTask: 0,
          beforeStep: 1,
          extraLoss: 2,
          afterBackward: 3,
          transformUpdate: 4,
          afterStep: 5,
          afterTask: 6,
        };
        let prev = { task: -1, r: 0 };
        for (const { hook, task } of rec.log) {
          const r = rank[hook];
          if (task !== prev.task) {
            expect(task, `${hook} of task ${task} after task ${prev.task}`).toBe(prev.task + 1);
            if (prev.task >= 0 && rec.hasAfterTask) {
              expect(prev.r, `task ${prev.task} ended with afterTask`).toBe(6);
            }
          } else if (r < prev.r) {
            // A new step starts: only step hooks may go back, and never before beforeStep.
            expect(
              r >= 1 && r <= 5 && prev.r >= 1,
              `${hook} after ${Object.keys(rank)[prev.r]} in task ${task}`,
            ).toBe(true);
          }
          prev = { task, r };
        }
        if (rec.hasAfterTask) expect(rec.log.filter((x) => x.hook === 'afterTask')).toHaveLength(3);
      });

      it('leaks no tensors', () => {
        expect(rec.perTask.size).toBe(3);
        for (const [task, counts] of rec.perTask)
          expect(counts.size, `tensor counts at the steps of task ${task}`).toBe(1);
        expect(rec.after, 'tensors after disposing trainer, strategy and backbone').toBe(rec.before);
      });

      it('round-trips its state and can be disposed twice', () => {
        const a = rec.stateA as StrategyState;
        const b = rec.stateB as StrategyState;
        expect(JSON.stringify(b.meta)).toBe(JSON.stringify(a.meta));
        expect(Object.keys(b.arrays).sort()).toEqual(Object.keys(a.arrays).sort());
        for (const k of Object.keys(a.arrays)) {
          const x = a.arrays[k];
          const y = b.arrays[k];
          expect(y.constructor, k).toBe(x.constructor);
          expect(
            Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(
              Buffer.from(x.buffer, x.byteOffset, x.byteLength),
            ),
            k,
          ).toBe(true);
        }
        expect(rec.disposeTwice).toBeUndefined();
      });
    },
    { backends: options.backends ?? ['cpu', 'webgpu'] },
  );
}
