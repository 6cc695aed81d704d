import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithBackends } from '@mamba-cl/ssm-core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { Backbone, BackboneTap } from '../backbone/backbone.js';
import type { StrategyContext } from '../strategy/strategy.js';
import type { TaskStream } from '../stream/task_stream.js';
import { syntheticStream } from '../testing/synthetic_stream.js';
import { TinyMambaBackbone } from '../testing/tiny_mamba_backbone.js';
import { tinyVisionMamba } from '../testing_internal/tiny_vision_mamba.js';
import type { GramSource } from './feature_grams.js';
import { createMambaClStrategy, type MambaClStrategy } from './mamba_cl.js';

/**
 * The collection path before block-by-block visiting: every block's taps of a batch are held at
 * once (`forwardWithTaps`), then turned into Grams block after block.
 */
function allBlocksAtOnce(b: Backbone): Backbone {
  return {
    config: b.config,
    parameters: b.parameters,
    forward: (images) => b.forward(images),
    forwardWithTaps: (images) => b.forwardWithTaps(images),
    trainableNames: () => b.trainableNames(),
    forwardWithTapVisitor(images: tf.Tensor4D, visit: (block: number, tap: BackboneTap) => void) {
      const { features, taps } = b.forwardWithTaps(images);
      try {
        for (const [i, t] of taps.entries()) visit(i, t);
      } finally {
        for (const t of taps) tf.dispose([t.x, t.delta, t.y]);
      }
      return features;
    },
  };
}

async function boundaries(
  backbone: Backbone,
  stream: TaskStream,
  options: Record<string, string>,
  tasks: readonly number[] = [0, 1],
  strategy: MambaClStrategy = createMambaClStrategy(options),
): Promise<MambaClStrategy> {
  for (const task of tasks) {
    const ctx = {
      backbone,
      heads: undefined as never,
      stream,
      task,
      numTasks: 4,
      trainableNames: backbone.trainableNames(),
      seed: 0,
      emit: () => {},
    } satisfies StrategyContext;
    await strategy.afterTask(ctx);
  }
  return strategy;
}

const bits = (a: Float32Array | Float64Array | Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const SOURCES: readonly GramSource[] = ['x', 'B', 'A', 'out'];

describeWithBackends(
  'mamba-cl block-by-block feature collection',
  () => {
    const backbones: Array<[string, () => Backbone & { dispose(): void }]> = [
      ['TinyMambaBackbone', () => TinyMambaBackbone.create({ seed: 5, overrides: { depth: 3 } })],
      ['VisionMamba', () => tinyVisionMamba(4)],
    ];
    for (const [name, make] of backbones) {
      for (const bGram of ['lowrank', 'explicit']) {
        it(`${name}, bGram ${bGram}: covariances and projectors bit-identical to holding all blocks' taps`, async () => {
          const backbone = make();
          // 3 classes × 3 images, batch 4: batches of 4, 4 and 1 image (the small last batch counts fully).
          const stream = syntheticStream({
            numTasks: 3,
            classesPerTask: 3,
            trainPerClass: 3,
            valPerClass: 1,
            batchSize: 4,
            seed: 9,
          });
          const before = tf.memory().numTensors;
          const blockwise = await boundaries(backbone, stream, { bGram });
          const atOnce = await boundaries(allBlocksAtOnce(backbone), stream, { bGram });
          const depth = backbone.trainableNames().filter((n) => n.endsWith('A_log')).length;
          for (let block = 0; block < depth; block++) {
            for (const src of SOURCES) {
              const a = blockwise.covariance(block, src);
              const b = atOnce.covariance(block, src);
              expect(a, `${block}.${src}`).toBeDefined();
              expect(bits(a as Float64Array).equals(bits(b as Float64Array)), `𝒦 ${block}.${src}`).toBe(true);
            }
          }
          const sa = await blockwise.saveState();
          const sb = await atOnce.saveState();
          expect(Object.keys(sa.arrays)).toEqual(Object.keys(sb.arrays));
          expect(Object.keys(sa.arrays).filter((k) => k.startsWith('proj/')).length).toBe(5 * depth);
          for (const k of Object.keys(sa.arrays))
            expect(bits(sa.arrays[k]).equals(bits(sb.arrays[k])), k).toBe(true);
          expect(sa.meta).toEqual(sb.meta);
          blockwise.dispose();
          atOnce.dispose();
          expect(tf.memory().numTensors).toBe(before);
          backbone.dispose();
        });
      }
    }

    it("store 'disk': 𝒦 lives in the store between boundaries, with the memory store's bits; a resumed run continues it", async () => {
      const backbone = tinyVisionMamba(8);
      const stream = syntheticStream({
        numTasks: 4,
        classesPerTask: 2,
        trainPerClass: 3,
        valPerClass: 1,
        batchSize: 4,
        seed: 12,
      });
      const dir = mkdtempSync(join(tmpdir(), 'mamba-cl-cov-'));
      try {
        const memory = await boundaries(backbone, stream, {}, [0, 1, 2]);
        // disk: boundary 0, checkpoint, then a fresh strategy resumes for boundaries 1 and 2
        const first = await boundaries(backbone, stream, { store: 'disk', storeDir: dir }, [0]);
        expect(first.covariance(0, 'x')).toBeUndefined(); // not held in memory
        const state = await first.saveState();
        for (const [k, a] of Object.entries(state.arrays))
          if (k.startsWith('cov/')) expect(a.byteLength, k).toBeLessThan(300); // counters only
        first.dispose();
        const resumed = createMambaClStrategy({ store: 'disk', storeDir: dir });
        resumed.loadState(state);
        await resumed.onResume();
        await boundaries(backbone, stream, {}, [1, 2], resumed);
        for (let block = 0; block < 2; block++) {
          for (const src of SOURCES) {
            const want = memory.covariance(block, src) as Float64Array;
            const got = (await resumed.storedCovariance(block, src)) as Float64Array;
            expect(bits(got).equals(bits(want)), `𝒦 ${block}.${src}`).toBe(true);
          }
        }
        const u = tf.randomNormal([16, 24], 0, 1, 'float32', 3);
        for (const name of Object.keys(memory.nullDims())) {
          const w = memory.transformUpdate(name, name.endsWith('A_log') ? tf.transpose(u) : u);
          const g = resumed.transformUpdate(name, name.endsWith('A_log') ? tf.transpose(u) : u);
          expect(bits(g.dataSync() as Float32Array).equals(bits(w.dataSync() as Float32Array)), name).toBe(
            true,
          );
          tf.dispose([w, g]);
        }
        u.dispose();
        // three boundaries folded: versions @2 and @3 kept, @1 deleted
        const files = readdirSync(join(dir, 'covariances')).filter((f) => f.endsWith('.json'));
        expect(files.filter((f) => f.startsWith(encodeURIComponent('0.x@'))).sort()).toEqual([
          `${encodeURIComponent('0.x@2')}.json`,
          `${encodeURIComponent('0.x@3')}.json`,
        ]);
        memory.dispose();
        resumed.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        backbone.dispose();
      }
    });

    it("gramKernel 'matmul' gives the exact path's covariances to float32 rounding", async () => {
      const backbone = tinyVisionMamba(6);
      const stream = syntheticStream({
        numTasks: 3,
        classesPerTask: 2,
        trainPerClass: 4,
        valPerClass: 1,
        batchSize: 4,
        seed: 2,
      });
      const exact = await boundaries(backbone, stream, {});
      const fast = await boundaries(backbone, stream, { gramKernel: 'matmul' });
      expect(fast.options.gramKernel).toBe('matmul');
      for (let block = 0; block < 2; block++) {
        for (const src of SOURCES) {
          const a = exact.covariance(block, src) as Float64Array;
          const b = fast.covariance(block, src) as Float64Array;
          const n = Math.round(Math.sqrt(a.length));
          let maxDiag = 0;
          for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
          let maxErr = 0;
          for (let i = 0; i < a.length; i++) maxErr = Math.max(maxErr, Math.abs(a[i] - b[i]));
          expect(maxErr / maxDiag, `${block}.${src}`).toBeLessThan(1e-5);
          expect(bits(a).equals(bits(b))).toBe(false); // a different product indeed ran
        }
      }
      exact.dispose();
      fast.dispose();
      backbone.dispose();
    });
  },
  { backends: ['cpu'] },
);
