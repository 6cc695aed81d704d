import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select_backend.js';
import { MODEL_PRESETS } from '../model/model_config.js';
import { VisionMamba } from '../model/vision_mamba.js';
import { createClassifierStep } from './classifier_step.js';

describe('createClassifierStep', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('trains the head and the trainable backbone tensors, and disposes what it made', async () => {
    const config = { ...MODEL_PRESETS.tiny, depth: 1 };
    const model = VisionMamba.create(config, { seed: 1 });
    const before = tf.memory().numTensors;
    const s = createClassifierStep(model, 4, { numClasses: 3 });
    expect(s.images.shape).toEqual([4, config.imgSize, config.imgSize, config.inChans]);
    expect(Array.from(s.targets)).toEqual([0, 1, 2, 0]);
    expect(await s.labels.array()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(s.vars).toHaveLength(model.trainableNames().length + 2);
    const w0 = await s.headW.data();
    const aLog = model.trainableNames().find((n) => n.endsWith('A_log')) as string;
    const a0 = await (model.parameters.get(aLog) as tf.Variable).data();
    await s.step();
    await s.step();
    expect(Array.from(await s.headW.data())).not.toEqual(Array.from(w0));
    expect(Array.from(await (model.parameters.get(aLog) as tf.Variable).data())).not.toEqual(Array.from(a0));
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('draws the same head and images from the same seed, and takes over given images', async () => {
    const config = { ...MODEL_PRESETS.tiny, depth: 1 };
    const model = VisionMamba.create(config, { seed: 1 });
    const a = createClassifierStep(model, 2, { seed: 7 });
    const b = createClassifierStep(model, 2, { seed: 7 });
    expect(Array.from(await a.headW.data())).toEqual(Array.from(await b.headW.data()));
    expect(Array.from(await a.images.data())).toEqual(Array.from(await b.images.data()));
    a.dispose();
    b.dispose();
    const before = tf.memory().numTensors;
    const images = tf.ones([2, config.imgSize, config.imgSize, config.inChans]) as tf.Tensor4D;
    const c = createClassifierStep(model, 2, { images });
    expect(c.images).toBe(images);
    c.dispose();
    expect(images.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
