import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { linear } from '../layers/linear.js';
import { MODEL_PRESETS, type VisionMambaConfig } from '../model/model_config.js';
import { SeededRandom } from '../model/seeded_random.js';
import { VisionMamba } from '../model/vision_mamba.js';
import { describeWithBackends, expectTensorsClose } from '../testing.js';
import type { ClassifierHead } from './classifier_head.js';
import { DataParallelClassifier } from './data_parallel_classifier.js';
import { DataParallelWorkerError } from './data_parallel_worker_error.js';

const CONFIG: VisionMambaConfig = { ...MODEL_PRESETS.tiny, depth: 2 };
const CLASSES = 5;
const TOL = { rtol: 1e-5, atol: 1e-6 };

function batchOf(rng: SeededRandom, n: number): { images: tf.Tensor4D; targets: Int32Array } {
  const { imgSize: s, inChans: c } = CONFIG;
  return {
    images: tf.tensor4d(rng.normalArray(n * s * s * c), [n, s, s, c]),
    targets: Int32Array.from({ length: n }, () => Math.floor(rng.next() * CLASSES)),
  };
}

/** The obvious single-thread computation: tf.variableGrads of tf.losses.softmaxCrossEntropy (mean). */
function reference(
  model: VisionMamba,
  head: { weight: tf.Variable; bias: tf.Variable },
  images: tf.Tensor4D,
  targets: Int32Array,
  names: string[],
): { loss: number; grads: Map<string, tf.Tensor> } {
  const byName = (n: string): tf.Variable =>
    n === 'head.weight' ? head.weight : n === 'head.bias' ? head.bias : model.parameters.get(n)!;
  const vars = names.map(byName);
  const { value, grads } = tf.variableGrads(() => {
    const logits = linear(model.forward(images), head.weight as tf.Tensor2D, head.bias as tf.Tensor1D);
    const labels = tf.oneHot(tf.tensor1d(targets, 'int32'), CLASSES);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }, vars);
  const out = new Map<string, tf.Tensor>();
  names.forEach((n, i) => {
    const g = grads[vars[i].name];
    if (g != null) out.set(n, g);
  });
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, grads: out };
}

function expectSameAsReference(
  actual: { loss: number; grads: Map<string, tf.Tensor> },
  expected: { loss: number; grads: Map<string, tf.Tensor> },
  label: string,
): void {
  expectTensorsClose(actual.loss, expected.loss, { ...TOL, label: `${label}: loss` });
  expect([...actual.grads.keys()].sort()).toEqual([...expected.grads.keys()].sort());
  for (const [name, g] of expected.grads) {
    // Splitting the batch changes the order of float32 sums over batch × tokens; gradient elements
    // that cancel to near zero then differ by ~1e-6 of the tensor's largest element.
    const scale = (g.dataSync() as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expectTensorsClose(actual.grads.get(name)!, g, {
      rtol: TOL.rtol,
      atol: Math.max(TOL.atol, 1e-5 * scale),
      label: `${label}: ${name}`,
    });
  }
  tf.dispose([...actual.grads.values(), ...expected.grads.values()]);
}

describeWithBackends(
  'DataParallelClassifier',
  (backend) => {
    let model: VisionMamba;
    let head: { weight: tf.Variable; bias: tf.Variable };
    let names: string[];
    let one: DataParallelClassifier;
    let rng: SeededRandom;

    beforeAll(async () => {
      rng = new SeededRandom(11);
      model = VisionMamba.create(CONFIG, { seed: 3 });
      head = {
        weight: tf.variable(
          tf.tensor2d(rng.uniformArray(CLASSES * CONFIG.dModel, -0.3, 0.3), [CLASSES, CONFIG.dModel]),
        ),
        bias: tf.variable(tf.tensor1d(rng.uniformArray(CLASSES, -0.1, 0.1))),
      };
      names = [...model.trainableNames(), 'head.weight', 'head.bias'];
      one = await DataParallelClassifier.create(model, { workers: 1, backend });
    });

    afterAll(async () => {
      await one?.dispose();
      model?.dispose();
      if (head) tf.dispose([head.weight, head.bias]);
    });

    it('with 1 worker gives the single-thread loss and every gradient', async () => {
      expect(one.workers).toBe(1);
      expect(one.runningWorkers).toBe(1);
      const { images, targets } = batchOf(rng, 8);
      const got = await one.lossAndGrads(images, targets, head, names);
      expect(got.grads.size).toBe(names.length);
      expectSameAsReference(got, reference(model, head, images, targets, names), '1 worker');
      images.dispose();
    });

    it('with 0 workers computes everything on the main thread, with the same result', async () => {
      const zero = await DataParallelClassifier.create(model, { workers: 0 });
      expect(zero.workers).toBe(0);
      const { images, targets } = batchOf(rng, 7);
      const got = await zero.lossAndGrads(images, targets, head, names);
      expectSameAsReference(got, reference(model, head, images, targets, names), '0 workers');
      await zero.dispose();
      images.dispose();
    });

    it('sends changed trainable weights and head with every step, and everything on syncAll', async () => {
      const { images, targets } = batchOf(rng, 6);
      const xProj = model.parameters.get('blocks.0.mixer.x_proj_B.weight')!;
      const aLog = model.parameters.get('blocks.1.mixer.A_log')!;
      const inProj = model.parameters.get('blocks.1.mixer.in_proj.weight')!; // frozen
      const keep = [xProj, aLog, inProj, head.weight].map((v) => tf.clone(v));
      tf.tidy(() => {
        xProj.assign(tf.tensor(rng.uniformArray(xProj.size, -0.5, 0.5), xProj.shape));
        aLog.assign(tf.add(aLog, 0.25));
        head.weight.assign(tf.mul(head.weight, -2));
      });
      const got = await one.lossAndGrads(images, targets, head, names);
      expectSameAsReference(got, reference(model, head, images, targets, names), 'after assign');

      // A frozen weight is not sent with the steps; syncAll sends it.
      tf.tidy(() => inProj.assign(tf.tensor(rng.uniformArray(inProj.size, -0.2, 0.2), inProj.shape)));
      await one.syncAll();
      const synced = await one.lossAndGrads(images, targets, head, names);
      expectSameAsReference(synced, reference(model, head, images, targets, names), 'after syncAll');

      [xProj, aLog, inProj, head.weight].forEach((v, i) => {
        v.assign(keep[i]);
      });
      tf.dispose(keep);
      await one.syncAll();
      images.dispose();
    });

    it('differentiates only what is named and trainable, like tf.variableGrads', async () => {
      const { images, targets } = batchOf(rng, 5);
      const some = ['blocks.1.mixer.out_proj.weight', 'head.bias'];
      const got = await one.lossAndGrads(images, targets, head, some);
      expectSameAsReference(got, reference(model, head, images, targets, some), 'subset');
      head.bias.trainable = false;
      const frozenBias = await one.lossAndGrads(images, targets, head, some);
      expect([...frozenBias.grads.keys()]).toEqual(['blocks.1.mixer.out_proj.weight']);
      head.bias.trainable = true;
      expectSameAsReference(
        frozenBias,
        reference(model, head, images, targets, ['blocks.1.mixer.out_proj.weight']),
        'frozen head bias',
      );
      await expect(one.lossAndGrads(images, targets, head, ['blocks.9.nope'])).rejects.toThrow(
        /'blocks\.9\.nope' is neither/,
      );
      const bad = Int32Array.from(targets, (t, i) => (i === 4 ? CLASSES : t));
      await expect(one.lossAndGrads(images, bad, head, some)).rejects.toThrow(/target 4 is 5/);
      images.dispose();
    });

    it('splits odd batches and batches smaller than the shard count (empty shards skipped)', async () => {
      const two = await DataParallelClassifier.create(model, { workers: 2, backend });
      try {
        for (const n of [5, 2, 1]) {
          const { images, targets } = batchOf(rng, n);
          const got = await two.lossAndGrads(images, targets, head, names);
          expectSameAsReference(got, reference(model, head, images, targets, names), `batch ${n}`);
          images.dispose();
        }
      } finally {
        await two.dispose();
      }
    });

    it('leaks no tensors across steps', async () => {
      const { images, targets } = batchOf(rng, 6);
      const step = async () => {
        const { grads } = await one.lossAndGrads(images, targets, head, names);
        tf.dispose([...grads.values()]);
      };
      await step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await step();
      expect(tf.memory().numTensors).toBe(before);
      images.dispose();
    });

    it('dispose stops every worker thread; the classifier refuses work afterwards', async () => {
      const dp = await DataParallelClassifier.create(model, { workers: 1, backend });
      expect(dp.runningWorkers).toBe(1);
      await dp.dispose();
      expect(dp.runningWorkers).toBe(0);
      await dp.dispose(); // idempotent
      const { images, targets } = batchOf(rng, 2);
      await expect(dp.lossAndGrads(images, targets, head, names)).rejects.toThrow(/disposed/);
      images.dispose();
    });

    it('rejects with the worker index and message when a worker fails to start', async () => {
      // tfjs-node is an optional peer that tests never install, so its backend cannot start.
      const err = await DataParallelClassifier.create(model, { workers: 1, backend: 'tensorflow' }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DataParallelWorkerError);
      expect((err as DataParallelWorkerError).workerIndex).toBe(0);
      expect((err as DataParallelWorkerError).phase).toBe('start');
      expect((err as Error).message).toMatch(/worker 0 \(shard 1\) failed to start: .*tensorflow/s);
    });
  },
  { backends: ['wasm'] },
);

describeWithBackends(
  'DataParallelClassifier (plain tensors as head)',
  (backend) => {
    it('accepts a head of plain tensors and matches the single-thread result', async () => {
      const rng = new SeededRandom(5);
      const model = VisionMamba.create({ ...CONFIG, depth: 1 }, { seed: 4 });
      const w = tf.tensor2d(rng.uniformArray(CLASSES * CONFIG.dModel, -0.3, 0.3), [CLASSES, CONFIG.dModel]);
      const b = tf.tensor1d(rng.uniformArray(CLASSES, -0.1, 0.1));
      const head: ClassifierHead = { weight: w, bias: b };
      const names = [...model.trainableNames(), 'head.weight', 'head.bias'];
      const dp = await DataParallelClassifier.create(model, { workers: 1, backend });
      try {
        const { images, targets } = batchOf(rng, 3);
        const got = await dp.lossAndGrads(images, targets, head, names);
        const vars = { weight: tf.variable(w), bias: tf.variable(b) };
        expectSameAsReference(got, reference(model, vars, images, targets, names), 'tensor head');
        tf.dispose([images, vars.weight, vars.bias]);
      } finally {
        await dp.dispose();
        tf.dispose([w, b]);
        model.dispose();
      }
    });
  },
  { backends: ['cpu'] },
);
