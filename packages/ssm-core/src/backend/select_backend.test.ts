import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBackendList } from './backend_names.js';
import { NoBackendError } from './no_backend_error.js';
import { resetBackendStateForTests, selectBackend } from './select_backend.js';

const fail = (msg: string) => async () => {
  throw new Error(msg);
};

describe('selectBackend', () => {
  afterEach(() => resetBackendStateForTests());

  it('picks wasm on a machine without tfjs-node and says why the native backends were skipped', async () => {
    const choice = await selectBackend(undefined, { env: {} });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.source).toBe('default');
    expect(choice.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm']);
    expect(choice.attempts[0].ok).toBe(false);
    expect(choice.attempts[0].reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(choice.attempts[1].reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    // No GPU here: Dawn is missing, finds no adapter, or only a software one, which auto skips.
    expect(choice.attempts[2].ok).toBe(false);
    expect(choice.attempts[2].reason).toMatch(/not installed|no WebGPU adapter|adapter is software/);
    expect(choice.attempts[3]).toMatchObject({ ok: true });
  });

  it('MAMBA_CL_BACKEND=cpu forces cpu without trying anything else', async () => {
    const choice = await selectBackend(undefined, { env: { MAMBA_CL_BACKEND: 'cpu' } });
    expect(choice).toMatchObject({ name: 'cpu', tfjsName: 'cpu', source: 'MAMBA_CL_BACKEND' });
    expect(choice.attempts).toHaveLength(1);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('an argument overrides MAMBA_CL_BACKEND', async () => {
    const choice = await selectBackend('wasm', { env: { MAMBA_CL_BACKEND: 'cpu' } });
    expect(choice).toMatchObject({ name: 'wasm', source: 'argument' });
  });

  it('an unknown backend name lists the valid ones', async () => {
    await expect(selectBackend('webgl')).rejects.toThrow(
      /unknown backend "webgl"; valid backends are "tensorflow-gpu", "tensorflow", "webgpu", "wasm", "cpu" or "auto"/,
    );
    await expect(selectBackend(undefined, { env: { MAMBA_CL_BACKEND: 'gpu' } })).rejects.toThrow(
      /MAMBA_CL_BACKEND: unknown backend "gpu"/,
    );
  });

  it('throws one error listing every backend tried and why each failed', async () => {
    const err = await selectBackend(undefined, {
      env: {},
      loaders: {
        'tensorflow-gpu': fail('libcudart.so.11.0: cannot open shared object file'),
        tensorflow: fail('@tensorflow/tfjs-node is not installed'),
        webgpu: fail('Dawn found no WebGPU adapter'),
        wasm: fail('wasm binary missing'),
        cpu: fail('cpu broken'),
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoBackendError);
    const e = err as NoBackendError;
    expect(e.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(e.message).toContain('[tensorflow-gpu] libcudart.so.11.0: cannot open shared object file');
    expect(e.message).toContain('[tensorflow] @tensorflow/tfjs-node is not installed');
    expect(e.message).toContain('[wasm] wasm binary missing');
    expect(e.message).toContain('[cpu] cpu broken');
  });

  it('never loads the second native package once one owns the name "tensorflow"', async () => {
    const gpu = vi.fn(async () => {
      if (tf.findBackendFactory('tensorflow') === null)
        tf.registerBackend('tensorflow', () => new MathBackendCPU());
    });
    const cpuNative = vi.fn(async () => {});
    const first = await selectBackend('tensorflow-gpu', {
      loaders: { 'tensorflow-gpu': gpu, tensorflow: cpuNative },
    });
    expect(first).toMatchObject({ name: 'tensorflow-gpu', tfjsName: 'tensorflow' });
    const err = (await selectBackend('tensorflow', {
      loaders: { 'tensorflow-gpu': gpu, tensorflow: cpuNative },
    }).catch((e: unknown) => e)) as NoBackendError;
    expect(err).toBeInstanceOf(NoBackendError);
    expect(err.message).toMatch(/\[tensorflow\] skipped: @tensorflow\/tfjs-node-gpu is already loaded/);
    expect(cpuNative).not.toHaveBeenCalled();
    tf.removeBackend('tensorflow');
    await selectBackend('cpu');
  });

  it('reports a loaded package that registered no backend', async () => {
    const err = (await selectBackend('tensorflow', { loaders: { tensorflow: async () => {} } }).catch(
      (e: unknown) => e,
    )) as NoBackendError;
    expect(err.message).toMatch(
      /\[tensorflow\] @tensorflow\/tfjs-node loaded but registered no "tensorflow" backend/,
    );
  });
});

describe('parseBackendList', () => {
  it('reads lists, auto and de-duplicates', () => {
    expect(parseBackendList('auto')).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(parseBackendList(' WASM , cpu,wasm')).toEqual(['wasm', 'cpu']);
  });
});
