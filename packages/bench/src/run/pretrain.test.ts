import { selectBackend } from '@mamba-cl/ssm-core/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LabeledArrays, pretrainBackbone } from './pretrain.js';

/** A linear "backbone": flatten → [H·W·C, d]; enough to check the loop learns and frees tensors. */
function linearBackbone(inDim: number, d: number) {
  const w = tf.tidy(() => tf.variable(tf.randomNormal([inDim, d], 0, 0.1, 'float32', 7), false, 'lin_w'));
  return {
    config: { dModel: d },
    parameters: new Map([['w', w]]),
    forward: (x: tf.Tensor4D) => tf.tidy(() => tf.matMul(tf.reshape(x, [x.shape[0], -1]), w)) as tf.Tensor2D,
  };
}

/** Two separable classes: bright top half vs bright bottom half. */
function blobs(n: number, seed: number): LabeledArrays {
  const H = 4;
  const images = new Float32Array(n * H * H);
  const labels = new Int32Array(n);
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < H * H; p++) {
      const top = p < (H * H) / 2;
      images[i * H * H + p] = (top === (labels[i] === 0) ? 1 : -1) + 0.3 * (rnd() - 0.5);
    }
  }
  return { images, labels, shape: [H, H, 1] };
}

describe('pretrainBackbone', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  it('trains the backbone and a temporary head, reports accuracy, leaks nothing', async () => {
    const bb = linearBackbone(16, 4);
    const before = await bb.parameters.get('w')!.data();
    const steps: number[] = [];
    const t0 = tf.memory().numTensors;
    const r = await pretrainBackbone(bb, blobs(64, 1), blobs(32, 2), {
      numClasses: 2,
      epochs: 3,
      batchSize: 16,
      lr: 0.05,
      seed: 3,
      onStep: (s, total, loss) => {
        steps.push(s);
        expect(total).toBe(12);
        expect(Number.isFinite(loss)).toBe(true);
      },
    });
    expect(r.steps).toBe(12);
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(r.accuracy).toBe(100);
    expect(tf.memory().numTensors).toBe(t0);
    const after = await bb.parameters.get('w')!.data();
    expect(after).not.toEqual(before);
    expect(bb.parameters.get('w')!.trainable).toBe(false);
  });
});
