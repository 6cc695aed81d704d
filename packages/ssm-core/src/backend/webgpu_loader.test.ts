import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GpuLike } from './webgpu_adapter.js';
import {
  currentWebGpuAdapter,
  type DawnModule,
  findWebGpuAdapter,
  importOptionalPeer,
  loadWebGpu,
  resetWebGpuStateForTests,
  WebGpuAdapterSkippedError,
  type WebGpuHooks,
} from './webgpu_loader.js';

/** A fake `navigator.gpu` whose one adapter has `info` (or none, for `null`). */
function fakeGpu(
  info: Record<string, string> | null,
): GpuLike & { requestAdapter: ReturnType<typeof vi.fn> } {
  return { requestAdapter: vi.fn(async () => (info === null ? null : { info })) };
}

const LAVAPIPE = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe',
  description: 'llvmpipe: Mesa 25.0.7',
};
const H200 = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' };

/** Hooks for a Node process whose Dawn yields `gpu`; nothing touches the real globals or packages. */
function nodeHooks(
  gpu: GpuLike,
  over: Partial<WebGpuHooks> = {},
): Partial<WebGpuHooks> & {
  importBackend: ReturnType<typeof vi.fn>;
} {
  return {
    navigatorGpu: () => undefined,
    isNode: true,
    importDawn: async () => ({ create: () => gpu, globals: {} }),
    installDawn: () => {},
    importBackend: vi.fn(async () => {}),
    ...over,
  } as Partial<WebGpuHooks> & { importBackend: ReturnType<typeof vi.fn> };
}

describe('loadWebGpu (fake navigator.gpu)', () => {
  beforeEach(() => resetWebGpuStateForTests());

  it('refuses a software adapter unless told to accept one, naming it and how to force it', async () => {
    const hooks = nodeHooks(fakeGpu(LAVAPIPE));
    const err = await loadWebGpu({ hooks }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuAdapterSkippedError);
    const e = err as WebGpuAdapterSkippedError;
    expect(e.message).toBe(
      'skipped by auto: the only WebGPU adapter is software (mesa llvmpipe: Mesa 25.0.7 (software, Dawn)); name the backend (MAMBA_CL_BACKEND=webgpu or --backend webgpu) to use it',
    );
    expect(e.adapter).toMatchObject({
      vendor: 'mesa',
      architecture: 'software',
      software: true,
      runtime: 'dawn',
    });
    // The tfjs backend package is not even imported for an adapter that is not used.
    expect(hooks.importBackend).not.toHaveBeenCalled();
    expect(currentWebGpuAdapter()).toBeUndefined();
  });

  it('accepts a software adapter with acceptSoftware and remembers it', async () => {
    const hooks = nodeHooks(fakeGpu(LAVAPIPE));
    const info = await loadWebGpu({ acceptSoftware: true, hooks });
    expect(info).toMatchObject({ vendor: 'mesa', software: true });
    expect(hooks.importBackend).toHaveBeenCalledTimes(1);
    expect(currentWebGpuAdapter()).toEqual(info);
  });

  it('findWebGpuAdapter finds the same adapter without loading the tfjs backend', async () => {
    const hooks = nodeHooks(fakeGpu(H200));
    expect(await findWebGpuAdapter({ hooks })).toMatchObject({ vendor: 'nvidia', software: false });
    expect(hooks.importBackend).not.toHaveBeenCalled();
    expect(currentWebGpuAdapter()).toBeUndefined();
    await expect(findWebGpuAdapter({ hooks: nodeHooks(fakeGpu(LAVAPIPE)) })).rejects.toThrow(
      WebGpuAdapterSkippedError,
    );
  });

  it('takes a hardware adapter, asking for the high-performance one', async () => {
    const gpu = fakeGpu(H200);
    const info = await loadWebGpu({ hooks: nodeHooks(gpu) });
    expect(info).toEqual({ runtime: 'dawn', ...H200, software: false });
    expect(gpu.requestAdapter).toHaveBeenCalledWith({ powerPreference: 'high-performance' });
  });

  it('counts an adapter flagged isFallbackAdapter as software', async () => {
    const gpu: GpuLike = { requestAdapter: async () => ({ info: H200, isFallbackAdapter: true }) };
    await expect(loadWebGpu({ hooks: nodeHooks(gpu) })).rejects.toThrow(/adapter is software/);
  });

  it('says so when Dawn finds no adapter (a driver too old, or none)', async () => {
    await expect(loadWebGpu({ acceptSoftware: true, hooks: nodeHooks(fakeGpu(null)) })).rejects.toThrow(
      /^Dawn found no WebGPU adapter \(no usable Vulkan\/Metal\/D3D12 driver; on Linux without a GPU, Mesa >= 24 lavapipe gives a software one\)$/,
    );
  });

  it('says how to install Dawn when it is missing', async () => {
    const hooks = nodeHooks(fakeGpu(H200), {
      importDawn: () =>
        importOptionalPeer<DawnModule>(
          'mamba-cl-no-such-dawn',
          'webgpu (Dawn for Node)',
          'webgpu @tensorflow/tfjs-backend-webgpu',
          async () => ({}),
        ),
    });
    await expect(loadWebGpu({ hooks })).rejects.toThrow(
      'webgpu (Dawn for Node) is not installed (optional peer: npm install webgpu @tensorflow/tfjs-backend-webgpu)',
    );
  });

  it('passes on why an installed package failed to load (first line only)', async () => {
    const load = async () => {
      throw new Error('libvulkan.so.1: cannot open shared object file\n    at stack');
    };
    await expect(importOptionalPeer('vitest', 'vitest', 'vitest', load)).rejects.toThrow(
      /^vitest is installed but failed to load: libvulkan\.so\.1: cannot open shared object file$/,
    );
  });

  it('says how to install the tfjs backend when only it is missing', async () => {
    const hooks = nodeHooks(fakeGpu(H200), {
      importBackend: async () => {
        await importOptionalPeer(
          'mamba-cl-no-such-backend',
          '@tensorflow/tfjs-backend-webgpu',
          '@tensorflow/tfjs-backend-webgpu',
          async () => ({}),
        );
      },
    });
    await expect(loadWebGpu({ hooks })).rejects.toThrow(
      '@tensorflow/tfjs-backend-webgpu is not installed (optional peer: npm install @tensorflow/tfjs-backend-webgpu)',
    );
    expect(currentWebGpuAdapter()).toBeUndefined();
  });

  it("in a browser, uses the page's navigator.gpu and never imports Dawn", async () => {
    const importDawn = vi.fn();
    const hooks = nodeHooks(fakeGpu(H200), {
      navigatorGpu: () => fakeGpu({ vendor: 'apple', architecture: 'metal-3', description: '' }),
      isNode: false,
      importDawn,
    });
    expect(await loadWebGpu({ hooks })).toMatchObject({
      runtime: 'browser',
      vendor: 'apple',
      software: false,
    });
    expect(importDawn).not.toHaveBeenCalled();
  });

  it('in a browser without WebGPU, or whose requestAdapter() gives null, says which', async () => {
    await expect(
      loadWebGpu({ hooks: nodeHooks(fakeGpu(H200), { navigatorGpu: () => undefined, isNode: false }) }),
    ).rejects.toThrow('this browser has no navigator.gpu (WebGPU is not supported or not enabled)');
    await expect(
      loadWebGpu({ hooks: nodeHooks(fakeGpu(H200), { navigatorGpu: () => fakeGpu(null), isNode: false }) }),
    ).rejects.toThrow(/^navigator\.gpu\.requestAdapter\(\) found no adapter/);
  });
});

describe("loadWebGpu installs Dawn's navigator.gpu (fake Dawn, real globals)", () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const DAWN_GPU = Symbol.for('@mamba-cl/ssm-core:dawn-gpu');
  const g = globalThis as unknown as Record<string | symbol, unknown>;
  const savedMarker = g[DAWN_GPU];
  const savedUsage = g.MAMBA_CL_TEST_GPU_USAGE;

  afterEach(() => {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete g.navigator;
    g[DAWN_GPU] = savedMarker;
    if (savedMarker === undefined) delete g[DAWN_GPU];
    if (savedUsage === undefined) delete g.MAMBA_CL_TEST_GPU_USAGE;
    resetWebGpuStateForTests();
  });

  /** Hooks that use the real navigator globals but a fake Dawn module. */
  function fakeDawn(gpu: GpuLike) {
    const create = vi.fn(() => gpu);
    const dawn = { create, globals: { MAMBA_CL_TEST_GPU_USAGE: { MAP_READ: 1 } } };
    return { create, hooks: { importDawn: async () => dawn, importBackend: async () => {} } };
  }

  it('without a navigator (Node 20), defines one holding gpu, with the globals tfjs needs', async () => {
    delete g.navigator;
    const gpu = fakeGpu(H200);
    const { create, hooks } = fakeDawn(gpu);
    const info = await loadWebGpu({ hooks });
    expect(info.runtime).toBe('dawn');
    expect((globalThis as unknown as { navigator: { gpu: unknown } }).navigator.gpu).toBe(gpu);
    expect(g.MAMBA_CL_TEST_GPU_USAGE).toEqual({ MAP_READ: 1 });
    // A second load reuses the installed navigator.gpu (still reported as Dawn's).
    expect((await loadWebGpu({ hooks })).runtime).toBe('dawn');
    expect(create).toHaveBeenCalledTimes(1);
  });

  it("with Node 21+'s own navigator (a lazy getter, no gpu), adds gpu and keeps the rest", async () => {
    class Navigator {
      get userAgent(): string {
        return 'Node.js/22';
      }
    }
    let value: unknown;
    // As Node defines it: configurable accessor, the value created on first read.
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      enumerable: false,
      get: () => {
        value ??= new Navigator();
        return value;
      },
      set: (v) => {
        value = v;
      },
    });
    const gpu = fakeGpu(LAVAPIPE);
    const info = await loadWebGpu({ acceptSoftware: true, hooks: fakeDawn(gpu).hooks });
    expect(info).toMatchObject({ runtime: 'dawn', software: true });
    const nav = (globalThis as unknown as { navigator: { gpu: unknown; userAgent: string } }).navigator;
    expect(nav).toBeInstanceOf(Navigator);
    expect(nav.gpu).toBe(gpu);
    expect(nav.userAgent).toBe('Node.js/22');
  });
});
