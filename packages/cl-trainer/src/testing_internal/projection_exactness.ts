/**
 * Shared body of the projection-exactness tests (tiny test backbone and the real VisionMamba).
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { Backbone } from '../backbone/backbone.js';
import { createMambaClStrategy } from '../strategies/mamba_cl.js';
import type { TaskStream } from '../stream/task_stream.js';
import { ContinualTrainer } from '../trainer/continual_trainer.js';

const layers = (block: number) => [
  { name: `blocks.${block}.mixer.x_proj_step.weight`, tap: 'x' as const },
  { name: `blocks.${block}.mixer.x_proj_C.weight`, tap: 'x' as const },
  { name: `blocks.${block}.mixer.out_proj.weight`, tap: 'y' as const },
];

/**
 * Trains 2 tasks with mamba-cl at η = 1, normalize 'none', and a tiny ratio threshold, then checks
 * that the outputs of W_δ, W_C and out_proj on task-0 inputs (captured with the weights the
 * features were collected with) changed by less than `rtol` relative, while the weights moved.
 *
 * @returns the null-space dimensions
 */
export async function checkProjectionExactness(
  backbone: Backbone,
  stream: TaskStream,
  depth: number,
  options: { lr: number; epochs: number; rtol: number; apply?: 'dense' | 'factored' | 'auto' },
): Promise<Record<string, number>> {
  const strategy = createMambaClStrategy({
    eta: 1,
    normalize: 'none',
    threshold: { kind: 'ratio', ratio: 1e-5 },
    apply: options.apply ?? 'auto',
  });
  const trainer = new ContinualTrainer({
    backbone,
    strategy,
    stream,
    config: { epochs: options.epochs, lr: options.lr, seed: 1 },
  });
  const inputs = new Map<string, tf.Tensor2D>();
  const weights = new Map<string, Float32Array>();
  trainer.on((e) => {
    if (e.type !== 'task-start' || e.task !== 1) return;
    for (const batch of stream.collect(0) as Iterable<{ images: Float32Array; shape: readonly number[] }>) {
      const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
      const { features, taps } = backbone.forwardWithTaps(images);
      taps.forEach((tap, block) => {
        for (const l of layers(block)) {
          const [b, L, D] = tap[l.tap].shape;
          inputs.set(l.name, tf.reshape(tap[l.tap], [b * L, D]) as tf.Tensor2D);
        }
        tf.dispose([tap.x, tap.delta, tap.y]);
      });
      tf.dispose([images, features]);
    }
    for (const name of inputs.keys())
      weights.set(name, backbone.parameters.get(name)?.dataSync().slice() as Float32Array);
  });
  await trainer.run();
  expect(inputs.size).toBe(3 * depth);
  for (const [name, x] of inputs) {
    const w = backbone.parameters.get(name) as tf.Variable;
    const w0 = tf.tensor2d(weights.get(name) as Float32Array, w.shape as [number, number]);
    const before = tf.matMul(x, w0, false, true);
    const after = tf.matMul(x, w as unknown as tf.Tensor2D, false, true);
    const scale = tf.max(tf.abs(before)).dataSync()[0];
    const diff = tf.max(tf.abs(tf.sub(after, before))).dataSync()[0];
    const moved = tf.max(tf.abs(tf.sub(w, w0))).dataSync()[0];
    expect(moved, `${name} was updated`).toBeGreaterThan(1e-5);
    expect(diff / scale, `${name} output change`).toBeLessThan(options.rtol);
    tf.dispose([w0, before, after, x]);
  }
  const dims = strategy.nullDims();
  if (options.apply && options.apply !== 'auto') {
    for (const k of Object.values(strategy.projectorKinds())) expect(k).toBe(options.apply);
  }
  trainer.dispose();
  strategy.dispose();
  return dims;
}
