import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBackendList } from './backend_names.js';
import { formatBackendChoice } from './format_backend_choice.js';
import { NoBackendError } from './no_backend_error.js';
import {
  currentBackendChoice,
  probeBackends,
  resetBackendStateForTests,
  selectBackend,
} from './select_backend.js';
import type { GpuLike } from './webgpu_adapter.js';
import {
  type DawnModule,
  importOptionalPeer,
  type WebGpuHooks,
  webGpuBackendLoader,
} from './webgpu_loader.js';

const fail = (msg: string) => async () => {
  throw new Error(msg);
};

describe('selectBackend', () => {
  afterEach(() => resetBackendStateForTests());

  it('picks wasm on a machine without tfjs-node or a GPU and says why the others were skipped', async () => {
    const choice = await selectBackend(undefined, { env: {} });
    expect(choice.source).toBe('default');
    expect(choice.attempts[0].ok).toBe(false);
    expect(choice.attempts[0].reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(choice.attempts[1].reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    const webgpu = choice.attempts[2];
    expect(webgpu.name).toBe('webgpu');
    if (webgpu.ok) {
      // A machine with a hardware WebGPU adapter: auto takes it.
      expect(choice).toMatchObject({ name: 'webgpu', adapter: { software: false } });
      return;
    }
    // No GPU here: Dawn is missing, finds no adapter, or only a software one, which auto skips.
    expect(webgpu.reason).toMatch(/not installed|no WebGPU adapter|adapter is software/);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm']);
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

describe('selectBackend and webgpu (fake adapters)', () => {
  const LAVAPIPE = {
    vendor: 'mesa',
    architecture: 'software',
    device: 'llvmpipe',
    description: 'llvmpipe: Mesa 25.0.7',
  };
  const H200 = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' };
  let registeredFake = false;

  /** The real webgpu loader over a fake Dawn whose one adapter has `info` (`null`: none). */
  function webgpuOver(info: Record<string, string> | null, over: Partial<WebGpuHooks> = {}) {
    const gpu: GpuLike = { requestAdapter: async () => (info === null ? null : { info }) };
    return webGpuBackendLoader({
      navigatorGpu: () => gpu,
      isNode: true,
      importBackend: async () => {
        // Stands in for @tensorflow/tfjs-backend-webgpu: a backend registered as "webgpu".
        if (tf.findBackendFactory('webgpu') === null) {
          tf.registerBackend('webgpu', () => new MathBackendCPU());
          registeredFake = true;
        }
      },
      ...over,
    });
  }
  const noNative = {
    'tensorflow-gpu': fail('@tensorflow/tfjs-node-gpu is not installed'),
    tensorflow: fail('@tensorflow/tfjs-node is not installed'),
  };

  afterEach(async () => {
    resetBackendStateForTests();
    await selectBackend('cpu');
    if (registeredFake) tf.removeBackend('webgpu');
    registeredFake = false;
  });

  it('auto skips a software adapter with a reason naming it, and falls to wasm', async () => {
    for (const preference of [undefined, 'auto']) {
      const choice = await selectBackend(preference, {
        env: {},
        loaders: { ...noNative, webgpu: webgpuOver(LAVAPIPE) },
      });
      expect(choice.name).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      expect(choice.adapter).toBeUndefined();
      const webgpu = choice.attempts[2];
      expect(webgpu).toMatchObject({
        name: 'webgpu',
        ok: false,
        adapter: { vendor: 'mesa', software: true },
      });
      expect(webgpu.reason).toBe(
        'skipped by auto: the only WebGPU adapter is software (mesa llvmpipe: Mesa 25.0.7 (software, Dawn)); name the backend (MAMBA_CL_BACKEND=webgpu or --backend webgpu) to use it',
      );
    }
    // MAMBA_CL_BACKEND=auto is auto too.
    const env = await selectBackend(undefined, {
      env: { MAMBA_CL_BACKEND: 'auto' },
      loaders: { ...noNative, webgpu: webgpuOver(LAVAPIPE) },
    });
    expect(env.name).toBe('wasm');
  });

  it('naming webgpu (argument, MAMBA_CL_BACKEND, a list) accepts a software adapter and reports it', async () => {
    const cases: [string | readonly string[] | undefined, Record<string, string>, string][] = [
      ['webgpu', {}, 'argument'],
      [['webgpu', 'wasm'], {}, 'argument'],
      [undefined, { MAMBA_CL_BACKEND: 'webgpu' }, 'MAMBA_CL_BACKEND'],
      [undefined, { MAMBA_CL_BACKEND: 'webgpu,cpu' }, 'MAMBA_CL_BACKEND'],
    ];
    for (const [preference, env, source] of cases) {
      await selectBackend('cpu');
      const choice = await selectBackend(preference, { env, loaders: { webgpu: webgpuOver(LAVAPIPE) } });
      expect(choice).toMatchObject({ name: 'webgpu', tfjsName: 'webgpu', source });
      expect(tf.getBackend()).toBe('webgpu');
      expect(choice.adapter).toEqual({ runtime: 'dawn', ...LAVAPIPE, software: true });
      expect(choice.attempts).toHaveLength(1);
      expect(choice.attempts[0]).toMatchObject({ ok: true, adapter: choice.adapter });
      expect(choice.attempts[0].reason).toBe(
        'active (@tensorflow/tfjs-backend-webgpu on mesa llvmpipe: Mesa 25.0.7 (software, Dawn))',
      );
      expect(currentBackendChoice()).toBe(choice);
      expect(formatBackendChoice(choice)).toBe('webgpu on mesa llvmpipe: Mesa 25.0.7 (software, Dawn)');
    }
  });

  it('auto takes a hardware adapter and names its vendor and architecture', async () => {
    const choice = await selectBackend(undefined, {
      env: {},
      loaders: { ...noNative, webgpu: webgpuOver(H200) },
    });
    expect(choice).toMatchObject({
      name: 'webgpu',
      source: 'default',
      adapter: { vendor: 'nvidia', architecture: 'hopper', software: false, runtime: 'dawn' },
    });
    expect(choice.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu']);
    expect(choice.attempts[2].reason).toBe(
      'active (@tensorflow/tfjs-backend-webgpu on nvidia NVIDIA H200 (hopper, hardware, Dawn))',
    );
  });

  it('a missing Dawn or a null adapter gives a readable reason; forcing webgpu then throws it', async () => {
    const missing = webgpuOver(H200, {
      navigatorGpu: () => undefined,
      importDawn: () =>
        importOptionalPeer<DawnModule>(
          'mamba-cl-no-such-dawn',
          'webgpu (Dawn for Node)',
          'webgpu @tensorflow/tfjs-backend-webgpu',
          async () => ({}),
        ),
    });
    const auto = await selectBackend(undefined, { env: {}, loaders: { ...noNative, webgpu: missing } });
    expect(auto.name).toBe('wasm');
    expect(auto.attempts[2]).toEqual({
      name: 'webgpu',
      ok: false,
      reason:
        'webgpu (Dawn for Node) is not installed (optional peer: npm install webgpu @tensorflow/tfjs-backend-webgpu)',
    });
    const forced = (await selectBackend('webgpu', { loaders: { webgpu: webgpuOver(null) } }).catch(
      (e: unknown) => e,
    )) as NoBackendError;
    expect(forced).toBeInstanceOf(NoBackendError);
    expect(forced.message).toBe(
      'no tfjs backend could be activated; tried:\n  [webgpu] Dawn found no WebGPU adapter (no usable Vulkan/Metal/D3D12 driver; on Linux without a GPU, Mesa >= 24 lavapipe gives a software one)',
    );
  });

  it('probeBackends tries each as auto would and restores the active backend and choice', async () => {
    const before = await selectBackend('webgpu', { loaders: { webgpu: webgpuOver(LAVAPIPE) } });
    const attempts = await probeBackends({ loaders: { ...noNative, webgpu: webgpuOver(LAVAPIPE) } });
    expect(attempts.map((a) => [a.name, a.ok])).toEqual([
      ['tensorflow-gpu', false],
      ['tensorflow', false],
      ['webgpu', false],
      ['wasm', true],
      ['cpu', true],
    ]);
    expect(attempts[2].adapter).toMatchObject({ software: true });
    expect(tf.getBackend()).toBe('webgpu');
    expect(currentBackendChoice()).toBe(before);

    await selectBackend('wasm');
    await probeBackends({ loaders: { ...noNative, webgpu: webgpuOver(H200) } });
    expect(tf.getBackend()).toBe('wasm');
  });
});
