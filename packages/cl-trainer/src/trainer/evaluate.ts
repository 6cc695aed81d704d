/**
 * Evaluation after a task (spec §6): every seen task with the concatenated heads of tasks 0..t,
 * argmax over all seen classes, no task id.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbone/backbone.js';
import type { TaskHeads } from '../heads/task_heads.js';
import { iterateBatches, type TaskStream } from '../stream/task_stream.js';

/**
 * Accuracy (percent) of every seen task with the concatenated heads of tasks 0..t.
 *
 * @param t - last trained task
 * @param counts - filled with n_τ
 * @returns row t of the accuracy matrix
 * @internal
 */
export async function evaluateSeenTasks(
  model: { readonly backbone: Backbone; readonly heads: TaskHeads; readonly stream: TaskStream },
  t: number,
  counts: number[] = [],
): Promise<number[]> {
  const { backbone, heads, stream } = model;
  const seen = Array.from({ length: t + 1 }, (_, i) => i);
  const classes = heads.classesOf(seen);
  const row: number[] = [];
  for (let tau = 0; tau <= t; tau++) {
    let correct = 0;
    let total = 0;
    for await (const batch of iterateBatches(stream.eval(tau))) {
      const pred = tf.tidy(() => {
        const images = tf.tensor4d(batch.images, [...batch.shape] as [number, number, number, number]);
        return tf.argMax(heads.logits(backbone.forward(images), seen), 1);
      });
      const idx = await pred.data(); // awaited: webgpu has no synchronous read-back under Node
      pred.dispose();
      for (let i = 0; i < idx.length; i++) if (classes[idx[i]] === batch.labels[i]) correct++;
      total += idx.length;
    }
    counts[tau] = total;
    row.push(total === 0 ? 0 : (100 * correct) / total);
  }
  return row;
}
