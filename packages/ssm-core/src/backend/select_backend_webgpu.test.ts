/**
 * The `webgpu` backend on this machine's real adapter: Dawn in Node on Mesa's lavapipe in CI (a
 * software adapter), or a GPU. Skipped, with the reason, where there is no adapter (no Dawn, or a
 * Mesa older than 24).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { currentBackendChoice, probeBackends, selectBackend } from './select_backend.js';
import { formatAdapter } from './webgpu_adapter.js';
import { findWebGpuAdapter } from './webgpu_loader.js';

const unavailable = await findWebGpuAdapter({ acceptSoftware: true }).then(
  () => undefined,
  (err: unknown) => (err instanceof Error ? err.message : String(err)),
);
if (unavailable !== undefined) console.warn(`webgpu backend tests skipped: ${unavailable}`);

const title = `selectBackend('webgpu') on this machine's adapter${unavailable ? ` (skipped: ${unavailable})` : ''}`;

describe.skipIf(unavailable !== undefined)(title, () => {
  it('activates webgpu and reports the adapter (lavapipe: software)', async () => {
    const choice = await selectBackend('webgpu');
    expect(choice).toMatchObject({ name: 'webgpu', tfjsName: 'webgpu', source: 'argument' });
    expect(tf.getBackend()).toBe('webgpu');
    const adapter = choice.adapter;
    expect(adapter).toBeDefined();
    if (adapter === undefined) return;
    expect(adapter.runtime).toBe('dawn');
    if (/llvmpipe|lavapipe|swiftshader/i.test(`${adapter.description} ${adapter.device}`)) {
      expect(adapter.software).toBe(true);
    }
    expect(choice.attempts[0].reason).toBe(
      `active (@tensorflow/tfjs-backend-webgpu on ${formatAdapter(adapter)})`,
    );
    console.log(`webgpu adapter: ${formatAdapter(adapter)}`);
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.matMul(a, a);
    expect(Array.from(await y.data())).toEqual([7, 10, 15, 22]);
    tf.dispose([a, y]);
  });

  it('auto takes the adapter only if it is hardware', async () => {
    const choice = await selectBackend(undefined, { env: {} });
    const webgpu = choice.attempts.find((a) => a.name === 'webgpu');
    expect(webgpu?.adapter).toBeDefined();
    if (webgpu?.adapter?.software) {
      expect(webgpu.ok).toBe(false);
      expect(webgpu.reason).toMatch(/^skipped by auto: the only WebGPU adapter is software/);
      expect(choice.name).not.toBe('webgpu');
    } else {
      expect(webgpu?.ok).toBe(true);
    }
  });

  it('switches cpu → webgpu → wasm in one process, every result equal, no tensor leaked', async () => {
    // Each backend computes from its own inputs: under Node a tensor that moved onto webgpu cannot move
    // off it again (that needs a synchronous read-back, which tfjs-backend-webgpu does through
    // OffscreenCanvas); it stays readable with `await data()` whatever backend is active.
    const X = [0.5, -1, 2, 0.25, 3, -0.75];
    const W = [1, 2, -1, 0.5, 0, 3];
    const compute = () => tf.tidy(() => tf.relu(tf.matMul(tf.tensor2d(X, [2, 3]), tf.tensor2d(W, [3, 2]))));
    await selectBackend('cpu');
    const start = tf.memory().numTensors;
    const onCpu = compute();
    const expected = Array.from(await onCpu.data());
    expect(expected).toEqual([1.5, 6.5, 0, 0]);
    let onWebGpu: tf.Tensor | undefined;
    for (const name of ['webgpu', 'wasm', 'cpu', 'webgpu', 'wasm'] as const) {
      await selectBackend(name);
      expect(tf.getBackend()).toBe(name);
      const y = compute();
      expect(Array.from(await y.data())).toEqual(expected);
      if (name === 'webgpu' && onWebGpu === undefined) onWebGpu = y;
      else y.dispose();
    }
    // Made on cpu, then on webgpu: both still readable with wasm active.
    expect(Array.from(await onCpu.data())).toEqual(expected);
    expect(Array.from(await (onWebGpu as tf.Tensor).data())).toEqual(expected);
    tf.dispose([onCpu, onWebGpu as tf.Tensor]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('probeBackends leaves webgpu active and the choice unchanged', async () => {
    const choice = await selectBackend('webgpu');
    const attempts = await probeBackends();
    expect(attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(attempts[2].adapter).toEqual(choice.adapter);
    expect(tf.getBackend()).toBe('webgpu');
    expect(currentBackendChoice()).toBe(choice);
    const a = tf.tensor1d([1, 2, 3]);
    const s = tf.sum(a);
    expect(Array.from(await s.data())).toEqual([6]);
    tf.dispose([a, s]);
  });
});
