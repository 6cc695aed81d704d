import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { selectBackend } from '../backend/select_backend.js';
import { describeWithBackends } from '../testing/describe_with_backends.js';
import { maxRelativeDifference } from '../testing/max_relative_difference.js';
import { type StateDictEntry, VisionMamba } from './vision_mamba.js';

/** Forward features and the gradient of every trainable parameter of `tiny`, read back to the host. */
async function forwardBackward(
  batch: number,
  scanImpl: 'auto' | 'chunked',
): Promise<{ values: Map<string, Float32Array>; leaked: number; dict: Map<string, StateDictEntry> }> {
  const model = VisionMamba.create('tiny', { seed: 7, scanImpl });
  const dict = await model.stateDictAsync();
  const { imgSize, inChans } = model.config;
  const n = batch * imgSize * imgSize * inChans;
  const images = tf.tensor4d(
    Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.37 * i)),
    [batch, imgSize, imgSize, inChans],
  );
  const names = model.trainableNames();
  const vars = names.map((name) => model.parameters.get(name) as tf.Variable);
  const before = tf.memory().numTensors;
  // a loss that weighs every feature differently, so each gradient carries the whole backward pass
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(tf.sin(model.forward(images)))) as tf.Scalar,
    vars,
  );
  const features = model.forward(images);
  const values = new Map<string, Float32Array>();
  values.set('loss', (await value.data()) as Float32Array);
  values.set('features', (await features.data()) as Float32Array);
  for (let i = 0; i < vars.length; i++) {
    const g = grads[vars[i].name];
    expect(g, `gradient of ${names[i]}`).toBeDefined();
    values.set(`grad ${names[i]}`, (await g.data()) as Float32Array);
  }
  tf.dispose([value, features, ...Object.values(grads)]);
  const leaked = tf.memory().numTensors - before;
  images.dispose();
  model.dispose();
  return { values, leaked, dict };
}

describeWithBackends(
  'VisionMamba tiny on webgpu',
  () => {
    // auto: the WGSL fused scan; chunked: the scan in plain tfjs ops (what any other GPU backend runs)
    for (const scanImpl of ['auto', 'chunked'] as const) {
      it(`scan ${scanImpl}: forward and every parameter gradient equal the cpu backend (rel 1e-4 forward, 1e-3 gradients), no leaks`, async () => {
        const gpu = await forwardBackward(2, scanImpl);
        await selectBackend('cpu');
        const cpu = await forwardBackward(2, 'auto');
        await selectBackend('webgpu');
        expect(gpu.leaked, 'tensors left on webgpu').toBe(0);
        expect([...gpu.dict.keys()]).toEqual([...cpu.dict.keys()]);
        for (const [k, e] of cpu.dict) expect(gpu.dict.get(k)?.data, `stateDictAsync ${k}`).toEqual(e.data);
        expect([...gpu.values.keys()]).toEqual([...cpu.values.keys()]);
        // measured on lavapipe, both scans: forward ≤ 2.1e-6, gradients ≤ 2.9e-5 (max |Δ| / max |cpu| per tensor)
        for (const [k, ref] of cpu.values) {
          const got = gpu.values.get(k) as Float32Array;
          expect(got.length, k).toBe(ref.length);
          expect(maxRelativeDifference(got, ref), k).toBeLessThan(k.startsWith('grad') ? 1e-3 : 1e-4);
        }
      });
    }
  },
  { backends: ['webgpu'] },
);
