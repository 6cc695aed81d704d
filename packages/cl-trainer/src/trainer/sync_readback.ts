/**
 * Whether the active tfjs backend can read tensors synchronously.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * @internal Whether `dataSync()` works on the active backend. tfjs-backend-webgpu reads back
 * synchronously only through an `OffscreenCanvas` (browsers); under Node (Dawn) it has none, so
 * code that must run there reads with `await tensor.data()` instead.
 *
 * @returns false on webgpu without `OffscreenCanvas`, true elsewhere
 */
export function hasSyncReadback(): boolean {
  return !(
    tf.getBackend() === 'webgpu' &&
    typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined'
  );
}
